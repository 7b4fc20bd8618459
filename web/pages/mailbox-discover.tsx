/**
 * Find mailboxes on the source (Microsoft 365 and Google Workspace can list their users; an IMAP or POP3
 * server cannot, and says so) and add the chosen ones to the project.
 */
import { useState } from 'react';
import { api } from '../api/api.js';
import type { ResponseOf } from '../api/client.js';
import { useAction } from '../api/use-api.js';
import { ProblemNote } from '../components/problem-note.js';
import { useProjects } from '../project-context.js';
import { Link } from '../router.js';

type Found = ResponseOf<'POST /api/projects/{id}/discover'>;
type Added = ResponseOf<'POST /api/projects/{id}/discover/add'>;

/** The discovery page of the current project. */
export function MailboxDiscoverPage() {
  const { current, reload } = useProjects();
  const [suspended, setSuspended] = useState(false);
  const [found, setFound] = useState<Found>();
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [added, setAdded] = useState<Added>();
  const action = useAction();
  if (!current) return <p>No project yet.</p>;
  const id = current.id;

  const look = async () => {
    setAdded(undefined);
    const r = await action.run(() =>
      api('POST /api/projects/{id}/discover', { path: { id }, body: { includeSuspended: suspended } }),
    );
    if (r) {
      setFound(r);
      setChosen(new Set(r.rows.filter((m) => !m.known && !m.suspended).map((m) => m.source)));
    }
  };
  const add = async () => {
    const rows = (found?.rows ?? [])
      .filter((m) => chosen.has(m.source))
      .map((m) => ({ source: m.source, destination: m.destination }));
    const r = await action.run(() =>
      api('POST /api/projects/{id}/discover/add', { path: { id }, body: { rows } }),
    );
    if (r) {
      setAdded(r);
      setFound(undefined);
      reload();
    }
  };
  const toggle = (source: string) => {
    const next = new Set(chosen);
    if (next.has(source)) next.delete(source);
    else next.add(source);
    setChosen(next);
  };

  return (
    <section>
      <p className="crumbs">
        <Link to="/mailboxes">Mailboxes</Link> ›
      </p>
      <h1>Find mailboxes on the source – {current.name}</h1>
      <p className="muted">
        Microsoft 365 and Google Workspace list their users and shared mailboxes. An IMAP or POP3 server
        cannot list its users: import a CSV instead.
      </p>
      <div className="toolbar">
        <label className="inline">
          <input type="checkbox" checked={suspended} onChange={(e) => setSuspended(e.target.checked)} />
          include suspended accounts
        </label>
        <button type="button" className="primary" disabled={action.busy} onClick={() => void look()}>
          Look up
        </button>
        {action.busy && <span className="muted">Asking the source…</span>}
      </div>
      <ProblemNote problem={action.error} onDismiss={action.clear} />
      {added && (
        <div className="notice">
          Added {added.added}, updated {added.updated}
          {added.conflicts ? `, ${added.conflicts} left alone (in another project)` : ''}
          {added.errors.length
            ? `, ${added.errors.length} refused: ${added.errors.map((e) => e.message).join('; ')}`
            : ''}
          . <Link to="/mailboxes">See the mailboxes</Link>.
        </div>
      )}
      {found && (
        <>
          <p>
            {found.rows.length} found
            {found.suspendedLeftOut ? `, ${found.suspendedLeftOut} suspended not listed` : ''}.
          </p>
          <table className="grid">
            <thead>
              <tr>
                <th />
                <th>Source login</th>
                <th>Destination login</th>
                <th>Name</th>
                <th>Kind</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {found.rows.map((m) => (
                <tr key={m.source}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Add ${m.source}`}
                      checked={chosen.has(m.source)}
                      onChange={() => toggle(m.source)}
                    />
                  </td>
                  <td>{m.source}</td>
                  <td>{m.destination}</td>
                  <td>{m.name ?? ''}</td>
                  <td>{m.kind ?? ''}</td>
                  <td className="muted">
                    {[m.known && 'in the project already', m.suspended && 'suspended']
                      .filter(Boolean)
                      .join(', ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="actions">
            <button
              type="button"
              className="primary"
              disabled={chosen.size === 0 || action.busy}
              onClick={() => void add()}
            >
              Add {chosen.size} mailbox{chosen.size === 1 ? '' : 'es'}
            </button>
          </div>
        </>
      )}
    </section>
  );
}
