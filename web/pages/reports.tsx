/**
 * Reports: proof that every source item is accounted for (copied, already there, skipped with a reason), for
 * the whole project or one mailbox — as CSV or JSON to download, or a page to print.
 */
import { useState } from 'react';
import { api } from '../api/api.js';
import { useDebounced, useLoad } from '../api/use-api.js';
import { ProblemNote } from '../components/problem-note.js';
import { ReportLinks } from '../components/report-links.js';
import { Status } from '../components/status.js';
import { NoProject, useProjects } from '../project-context.js';
import { Link } from '../router.js';

/** The reports page of the current project. */
export function ReportsPage() {
  const { current } = useProjects();
  const [search, setSearch] = useState('');
  const settled = useDebounced(search.trim(), 300);
  const projectId = current?.id;
  const found = useLoad(
    async () =>
      projectId === undefined
        ? undefined
        : api('GET /api/projects/{id}/mailboxes', {
            path: { id: projectId },
            query: { limit: 20, search: settled || undefined },
          }),
    [projectId, settled],
  );
  if (!current) return <NoProject title="Reports" />;
  return (
    <section>
      <h1>Reports – {current.name}</h1>
      <p className="muted">
        A report lists, folder by folder, every source item and where it ended: copied, already at the
        destination, or skipped with the reason. A mailbox “reconciles” only once its destination was read
        back since its last pass (Verify now, on the tracker or the mailbox's page); until then it says
        “ledger only, not verified”.
      </p>
      <h2>Whole project</h2>
      <ReportLinks of={{ project: current.id }} />
      <h2>One mailbox</h2>
      <input
        type="search"
        aria-label="Find a mailbox"
        placeholder="Find a mailbox…"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
      />
      <ProblemNote problem={found.error} />
      <table className="grid reports">
        <tbody>
          {found.data?.items.map((m) => (
            <tr key={m.id}>
              <td>
                <Link to={`/mailboxes/${m.id}`}>{m.sourceUser}</Link> → {m.destUser}
              </td>
              <td>
                <Status value={m.status} />
              </td>
              <td>
                <ReportLinks of={{ mailbox: m.id }} />
              </td>
            </tr>
          ))}
          {found.data && found.data.items.length === 0 && (
            <tr>
              <td className="empty">No mailbox matches.</td>
            </tr>
          )}
        </tbody>
      </table>
      {found.data && found.data.total > found.data.items.length && (
        <p className="muted">
          Showing {found.data.items.length} of {found.data.total.toLocaleString('en')}: type part of a login
          to find others.
        </p>
      )}
    </section>
  );
}
