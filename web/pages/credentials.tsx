/**
 * Credentials: per mailbox whether the passwords Cutover needs are there (none, provided, verified, failing),
 * its personal link (issue, reissue, revoke, copy), a way for the operator to enter a password for a user, the
 * links of every mailbox as CSV/XLSX, and a CSV import of passwords. Passwords and tokens are never listed: a
 * link is fetched only when the operator asks to copy it.
 */
import { useState } from 'react';
import { api } from '../api/api.js';
import { hrefOf, type ResponseOf } from '../api/client.js';
import { useAction, useLoad } from '../api/use-api.js';
import { when } from '../components/format.js';
import { Pager } from '../components/pager.js';
import { ProblemNote } from '../components/problem-note.js';
import { Status } from '../components/status.js';
import { NoProject, useProjects } from '../project-context.js';
import { Link } from '../router.js';
import { CredentialImport } from './credential-import.js';

type Row = ResponseOf<'GET /api/credentials'>['items'][number];

/** The state's pill: tone and words a person reads. */
const STATE: Record<Row['state'], [string, string]> = {
  none: ['waiting', 'none yet'],
  provided: ['active', 'provided, not checked'],
  verified: ['done', 'verified'],
  failing: ['failed', 'failing'],
  'not-needed': ['done', 'not needed (administrator login)'],
};

/** The Credentials page of the chosen project. */
export function CredentialsPage() {
  const { current } = useProjects();
  if (!current) return <NoProject title="Credentials" />;
  return <Credentials key={current.id} projectId={current.id} name={current.name} />;
}

function Credentials({ projectId, name }: { projectId: number; name: string }) {
  const [offset, setOffset] = useState(0);
  const list = useLoad(
    () => api('GET /api/credentials', { query: { projectId, offset, limit: 50 } }),
    [projectId, offset],
  );
  const links = (format: 'csv' | 'xlsx') =>
    hrefOf('GET /api/credentials/links', { query: { format, projectId } });
  const data = list.data;
  const tally = (s: Row['state']) => data?.items.filter((r) => r.state === s).length ?? 0;

  return (
    <section>
      <h1>Credentials – {name}</h1>
      <p className="muted">
        Cutover logs in to each mailbox with its user&apos;s password. Each user gets a personal link to a
        page where they enter it; Cutover checks it with a real login before keeping it, sealed. You can also
        enter a password for a user yourself or import a CSV of them.
      </p>
      <div className="actions">
        <a className="button" download href={links('csv')}>
          Export the links (CSV)
        </a>
        <a className="button" download href={links('xlsx')}>
          Export the links (XLSX)
        </a>
      </div>
      <p className="muted">The exports give every mailbox a live link (issuing one where there is none).</p>
      <ProblemNote problem={list.error} />
      {data && data.total === 0 && (
        <p className="warning">
          This project has no mailboxes yet. Add them on the <Link to="/mailboxes">Mailboxes page</Link>.
        </p>
      )}
      {data && data.total > 0 && (
        <>
          <p>
            On this page: {tally('verified')} verified, {tally('provided')} provided, {tally('none')} without
            a password, {tally('failing')} failing.
          </p>
          <table className="grid">
            <thead>
              <tr>
                <th>Source login</th>
                <th>Destination login</th>
                <th>Password</th>
                <th>Personal link</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((r) => (
                <CredentialRow key={r.mailboxId} row={r} onChange={list.reload} />
              ))}
            </tbody>
          </table>
          {data.total > data.limit && (
            <Pager offset={data.offset} limit={data.limit} total={data.total} onOffset={setOffset} />
          )}
        </>
      )}
      <CredentialImport onImported={list.reload} />
    </section>
  );
}

/** One mailbox: its state, its link and what can be done with them. */
function CredentialRow({ row, onChange }: { row: Row; onChange: () => void }) {
  const act = useAction();
  const [shown, setShown] = useState<string>();
  const [note, setNote] = useState<string>();
  const [tone, words] = STATE[row.state];
  const path = { id: row.mailboxId };

  const issue = () =>
    void act.run(async () => {
      const l = await api('POST /api/mailboxes/{id}/credential-link', { path, query: {} });
      setShown(new URL(l.url, location.origin).href);
      setNote(row.link ? 'New link issued; the earlier one no longer works.' : 'Link issued.');
      onChange();
    });
  const revoke = () =>
    void act.run(async () => {
      await api('DELETE /api/mailboxes/{id}/credential-link', { path });
      setShown(undefined);
      setNote('Link revoked: it no longer opens the page.');
      onChange();
    });
  const copy = () =>
    void act.run(async () => {
      const l = await api('GET /api/mailboxes/{id}/credential-link', { path });
      const url = new URL(l.url, location.origin).href;
      setShown(url);
      try {
        await navigator.clipboard.writeText(url);
        setNote('Link copied.');
      } catch {
        setNote('Select the link below and copy it.');
      }
    });

  return (
    <tr>
      <td>
        <Link to={`/mailboxes/${row.mailboxId}`}>{row.sourceUser}</Link>
      </td>
      <td>{row.destUser}</td>
      <td>
        <Status value={tone} label={words} />
        {row.sides.length > 0 && (
          <div className="muted small">
            {[...row.sides]
              .sort((a, b) => b.side.localeCompare(a.side))
              .map(
                (s) =>
                  `${s.side}: ${s.verifiedAt ? `verified ${when(s.verifiedAt)}` : 'not checked'} (${
                    s.enteredBy === 'portal'
                      ? 'by the user'
                      : s.enteredBy === 'operator'
                        ? 'by you'
                        : 'imported'
                  })`,
              )
              .join('; ')}
          </div>
        )}
        {row.failure && <div className="error-text small">{row.failure}</div>}
      </td>
      <td>
        {row.link ? (
          <>
            valid until {when(row.link.expiresAt)}
            <div className="muted small">
              {row.link.lastUsedAt ? `opened ${when(row.link.lastUsedAt)}` : 'not opened yet'}
            </div>
          </>
        ) : (
          <span className="muted">none</span>
        )}
        {shown && (
          <input
            className="link-field"
            readOnly
            aria-label={`Link of ${row.sourceUser}`}
            value={shown}
            onFocus={(e) => e.target.select()}
          />
        )}
        {note && <div className="notice small">{note}</div>}
        <ProblemNote problem={act.error} onDismiss={act.clear} />
      </td>
      <td>
        <div className="row-actions">
          {row.link && (
            <button type="button" disabled={act.busy} onClick={copy}>
              Copy link
            </button>
          )}
          <button type="button" disabled={act.busy} onClick={issue}>
            {row.link ? 'Reissue link' : 'Issue link'}
          </button>
          {row.link && (
            <button type="button" disabled={act.busy} onClick={revoke}>
              Revoke link
            </button>
          )}
          {row.state !== 'not-needed' && (
            <a
              className="button"
              target="_blank"
              rel="noopener"
              href={hrefOf('GET /api/mailboxes/{id}/credential-page', { path })}
            >
              Enter the password
            </a>
          )}
        </div>
      </td>
    </tr>
  );
}
