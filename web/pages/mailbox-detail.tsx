/** One mailbox: its folders with counts, the pass history, per-item errors with the reason, and its alerts. */
import { api } from '../api/api.js';
import { useLoad } from '../api/use-api.js';
import { bytes, count, duration, when } from '../components/format.js';
import { ProblemNote } from '../components/problem-note.js';
import { ReportLinks } from '../components/report-links.js';
import { Status } from '../components/status.js';
import { AlertList } from './alert-list.js';
import { MailboxVerification } from './verification.js';
import { Link } from '../router.js';
import { useProjects } from '../project-context.js';

/** The mailbox page for mailbox `id`. */
export function MailboxDetailPage({ id }: { id: number }) {
  const { current } = useProjects();
  const report = useLoad(() => api('GET /api/mailboxes/{id}', { path: { id } }), [id]);
  const r = report.data;
  // The report's folder, pass and problem rows are typed on the server (report-service.ts), open here.
  const folders = r?.folders ?? [];
  const passes = r?.passes ?? [];
  const problems = r?.problems ?? [];
  const items = r?.items ?? [];

  return (
    <section>
      <p className="crumbs">
        <Link to="/mailboxes">Mailboxes</Link> ›
      </p>
      <h1>{r ? r.mailbox : `Mailbox ${id}`}</h1>
      <ProblemNote problem={report.error} />
      {r && (
        <>
          <p>
            To <strong>{r.destination}</strong> · <Status value={r.status} />{' '}
            {r.reconcile === 'reconciles' ? (
              <span className="pill tone-good">
                reconciles: every source item accounted for and read back
              </span>
            ) : r.reconcile === 'ledger-only' ? (
              <span className="pill tone-warn">ledger only, not verified</span>
            ) : (
              <span className="pill tone-bad wrap">
                {typeof r.discrepancy === 'string' ? r.discrepancy : 'does not reconcile'}
              </span>
            )}
          </p>
          {typeof r.lastError === 'string' && <div className="problem">{r.lastError}</div>}

          <p className="no-print">
            <ReportLinks of={{ mailbox: id }} label="Report:" />
          </p>
          <h2>Verification</h2>
          {current ? (
            <MailboxVerification projectId={current.id} mailboxId={id} onVerified={report.reload} />
          ) : (
            <p className="muted">No project chosen.</p>
          )}

          <h2>Folders</h2>
          <table className="grid">
            <thead>
              <tr>
                <th>Source folder</th>
                <th>Destination folder</th>
                <th className="num">Source items</th>
                <th className="num">Copied</th>
                <th className="num">Already there</th>
                <th className="num">Skipped</th>
                <th className="num">Failed</th>
                <th className="num">Pending</th>
                <th>Note</th>
              </tr>
            </thead>
            <tbody>
              {folders.map((f) => (
                <tr key={f.source}>
                  <td>{f.source}</td>
                  <td>{f.destination ?? '–'}</td>
                  <td className="num">{count(f.sourceItems)}</td>
                  <td className="num">{count(f.copied)}</td>
                  <td className="num">{count(f.present)}</td>
                  <td className="num">{count(f.skipped)}</td>
                  <td className={f.failed ? 'num error-text' : 'num'}>{count(f.failed)}</td>
                  <td className="num">{count(f.pending)}</td>
                  <td className="error-text">
                    {f.error ?? f.excluded ?? (f.renamed ? `renamed to ${f.renamed}` : '')}
                  </td>
                </tr>
              ))}
              {folders.length === 0 && (
                <tr>
                  <td colSpan={9} className="empty">
                    No folders yet: the mailbox has not been scanned or migrated.
                  </td>
                </tr>
              )}
            </tbody>
          </table>

          <h2>Passes</h2>
          <table className="grid">
            <thead>
              <tr>
                <th>Started</th>
                <th>Took</th>
                <th>Status</th>
                <th className="num">Copied</th>
                <th className="num">Already there</th>
                <th className="num">Skipped</th>
                <th className="num">Failed</th>
                <th className="num">Data</th>
                <th className="num">Throttled</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {passes.map((p) => (
                <tr key={p.id}>
                  <td>
                    {when(p.startedAt)}
                    {p.dryRun ? ' (dry run)' : ''}
                  </td>
                  <td>
                    {p.finishedAt
                      ? duration((Date.parse(p.finishedAt) - Date.parse(p.startedAt)) / 1000)
                      : 'running'}
                  </td>
                  <td>
                    <Status value={p.status} />
                  </td>
                  <td className="num">{count(p.copied)}</td>
                  <td className="num">{count(p.present)}</td>
                  <td className="num">{count(p.skipped)}</td>
                  <td className="num">{count(p.failed)}</td>
                  <td className="num">{bytes(p.bytes)}</td>
                  <td className="num">{duration(p.throttledMs / 1000)}</td>
                  <td className="error-text">{p.error ?? ''}</td>
                </tr>
              ))}
              {passes.length === 0 && (
                <tr>
                  <td colSpan={10} className="empty">
                    No pass has run yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>

          <h2>Items that failed or were skipped</h2>
          {problems.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <table className="grid">
              <thead>
                <tr>
                  <th>Folder</th>
                  <th className="num">UID</th>
                  <th>Outcome</th>
                  <th>Reason</th>
                </tr>
              </thead>
              <tbody>
                {problems.map((p) => (
                  <tr key={`${p.folder}/${p.uid}`}>
                    <td>{p.folder}</td>
                    <td className="num">{p.uid}</td>
                    <td>
                      <Status value={p.status} />
                    </td>
                    <td>{p.reason ?? 'no reason recorded'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          {items.length > 0 && (
            <>
              <h2>Filters and other items</h2>
              <table className="grid">
                <thead>
                  <tr>
                    <th>Kind</th>
                    <th>Item</th>
                    <th>Outcome</th>
                    <th>Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((x) => (
                    <tr key={`${x.kind}/${x.name}`}>
                      <td>{x.kind}</td>
                      <td>{x.name}</td>
                      <td>
                        <Status value={x.status} />
                      </td>
                      <td>
                        {x.reason ?? ''}
                        {x.original && <pre className="muted">{x.original}</pre>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}

          <h2>Alerts</h2>
          {current ? (
            <AlertList projectId={current.id} mailboxId={id} status="all" />
          ) : (
            <p className="muted">No project chosen.</p>
          )}
        </>
      )}
    </section>
  );
}
