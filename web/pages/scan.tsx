/**
 * Scan: what is at the source before anything moves — per mailbox and folder the items, size, dates and the
 * problems found (too large for the destination, no Message-ID, names to rename, quota too small). Start a
 * scan of every mailbox or the ticked ones, watch it, compare with an earlier scan, export it. Besides mail, a
 * line per mailbox counts the contacts, calendars, tasks and filters it moves. The tracker's ETA uses the
 * sizes a scan finds.
 */
import { useEffect, useState } from 'react';
import { api } from '../api/api.js';
import { hrefOf, type ResponseOf } from '../api/client.js';
import { useAction, useLoad } from '../api/use-api.js';
import { bytes, count, when } from '../components/format.js';
import { ProblemNote } from '../components/problem-note.js';
import { Status } from '../components/status.js';
import { NoProject, useProjects } from '../project-context.js';

type Scan = ResponseOf<'GET /api/projects/{id}/scans/{scanId}'>;
type MailboxScan = Scan['mailboxes'][number];

/** The Scan page of the chosen project. */
export function ScanPage() {
  const { current } = useProjects();
  if (!current) return <NoProject title="Scan" />;
  return <ScanOf key={current.id} projectId={current.id} name={current.name} />;
}

function ScanOf({ projectId, name }: { projectId: number; name: string }) {
  const path = { id: projectId };
  const status = useLoad(() => api('GET /api/projects/{id}/scans/status', { path }), [projectId]);
  const scans = useLoad(() => api('GET /api/projects/{id}/scans', { path }), [projectId]);
  const members = useLoad(
    () => api('GET /api/projects/{id}/mailboxes', { path, query: { limit: 500 } }),
    [projectId],
  );
  const [ticked, setTicked] = useState<string[]>([]);
  const [shown, setShown] = useState<number>();
  const [compare, setCompare] = useState<number>();
  const start = useAction();
  const running = status.data?.state === 'running';

  // While a scan runs, its progress every second; when it ends, the list of scans again.
  useEffect(() => {
    if (!running) return;
    const t = setInterval(status.reload, 1000);
    return () => {
      clearInterval(t);
      scans.reload();
      setShown(undefined);
    };
  }, [running]);

  const list = scans.data?.items ?? [];
  const scanId = shown ?? list[0]?.id;
  const earlier = list.filter((s) => scanId !== undefined && s.id < scanId);
  const go = (mailboxes: string[]) =>
    void start.run(async () => {
      await api('POST /api/projects/{id}/scans', { path, body: { mailboxes } });
      status.reload();
    });

  return (
    <section>
      <h1>Scan – {name}</h1>
      <p className="muted">
        A scan reads the source (and the destination&apos;s quota and size limit) without changing anything:
        how much there is, and what will need attention before the migration.
      </p>
      <ProblemNote problem={status.error ?? scans.error ?? members.error ?? start.error} />
      <fieldset>
        <legend>Start a scan</legend>
        <div className="scan-pick">
          {(members.data?.items ?? []).map((m) => (
            <label key={m.id} className="inline">
              <input
                type="checkbox"
                checked={ticked.includes(m.sourceUser)}
                onChange={(e) =>
                  setTicked(
                    e.target.checked ? [...ticked, m.sourceUser] : ticked.filter((u) => u !== m.sourceUser),
                  )
                }
              />
              {m.sourceUser}
            </label>
          ))}
        </div>
        <div className="actions">
          <button type="button" className="primary" disabled={running || start.busy} onClick={() => go([])}>
            Scan every mailbox ({count(members.data?.total ?? 0)})
          </button>
          <button
            type="button"
            disabled={running || start.busy || ticked.length === 0}
            onClick={() => go(ticked)}
          >
            Scan the {ticked.length} ticked
          </button>
        </div>
        {status.data && running && (
          <div className="scan-progress" role="status">
            <progress max={status.data.mailboxes} value={status.data.mailboxesDone} /> Scanning:{' '}
            {status.data.mailboxesDone} of {status.data.mailboxes} mailbox(es) done,{' '}
            {count(status.data.items)} items counted
            {status.data.current.length ? `; now ${status.data.current.join(', ')}` : ''}.
          </div>
        )}
        {status.data?.error && <div className="problem">The scan failed: {status.data.error}</div>}
      </fieldset>

      {list.length === 0 && !running && <p className="muted">No scan yet: start one above.</p>}
      {scanId !== undefined && (
        <>
          <div className="toolbar">
            <label>
              Scan{' '}
              <select
                aria-label="Scan shown"
                value={scanId}
                onChange={(e) => setShown(Number(e.target.value))}
              >
                {list.map((s) => (
                  <option key={s.id} value={s.id}>
                    #{s.id}, {when(s.startedAt)} ({s.status})
                  </option>
                ))}
              </select>
            </label>
            <label>
              Compare with{' '}
              <select
                aria-label="Compare with"
                value={compare ?? ''}
                onChange={(e) => setCompare(e.target.value ? Number(e.target.value) : undefined)}
              >
                <option value="">no earlier scan</option>
                {earlier.map((s) => (
                  <option key={s.id} value={s.id}>
                    #{s.id}, {when(s.startedAt)}
                  </option>
                ))}
              </select>
            </label>
            <Exports projectId={projectId} scanId={scanId} compare={compare} />
          </div>
          <ScanResult
            key={`${scanId}-${compare ?? ''}`}
            projectId={projectId}
            scanId={scanId}
            compare={compare}
          />
        </>
      )}
    </section>
  );
}

function Exports(p: { projectId: number; scanId: number; compare?: number }) {
  const href = (format: 'csv' | 'xlsx' | 'json') =>
    hrefOf('GET /api/projects/{id}/scans/{scanId}', {
      path: { id: p.projectId, scanId: p.scanId },
      query: { format, ...(p.compare ? { compare: p.compare } : {}) },
    });
  return (
    <span className="report-links">
      Export:{' '}
      <a className="button" href={href('csv')} download>
        CSV
      </a>{' '}
      <a className="button" href={href('xlsx')} download>
        XLSX
      </a>{' '}
      <a className="button" href={href('json')} download={`scan-${p.scanId}.json`}>
        JSON
      </a>
    </span>
  );
}

/** What needs a look in one mailbox, in words. */
function problems(m: MailboxScan): string[] {
  const out: string[] = [];
  if (m.error) out.push(`the scan failed: ${m.error}`);
  if (m.quotaHeadroom !== null && m.quotaHeadroom < 0)
    out.push(`destination quota too small by ${bytes(-m.quotaHeadroom)}: raise it before migrating`);
  if (m.oversize)
    out.push(`${count(m.oversize)} item(s) larger than the destination accepts: they will be skipped`);
  if (m.nameProblems) out.push(`${count(m.nameProblems)} folder name(s) will be changed at the destination`);
  if (m.noMessageId)
    out.push(`${count(m.noMessageId)} item(s) without a Message-ID (matched by a header hash)`);
  if (m.duplicateIds) out.push(`${count(m.duplicateIds)} extra copies of a Message-ID (kept as they are)`);
  if (m.destError) out.push(m.destError);
  const unread = new Map<string, string[]>();
  for (const i of m.itemCounts)
    if (i.problem) unread.set(i.problem, [...(unread.get(i.problem) ?? []), i.type]);
  for (const [problem, types] of unread) out.push(`${types.join(' and ')} could not be counted: ${problem}`);
  return out;
}

const NOUNS = {
  contacts: ['books', 'cards'],
  calendars: ['calendars', 'events'],
  tasks: ['lists', 'tasks'],
} as const;

/** "contacts 3 books / 420 cards · calendars 2 calendars / 1,204 events · filters 5" */
function itemLine(m: MailboxScan): string {
  return m.itemCounts
    .map((i) => {
      if (i.problem && !i.items && !i.collections) return `${i.type} ?`;
      if (i.type === 'filters') return `filters ${count(i.items)}`;
      const [c, n] = NOUNS[i.type];
      const shared = i.shared ? ` (+${count(i.shared)} shared, not moved)` : '';
      return `${i.type} ${count(i.collections ?? 0)} ${c} / ${count(i.items)} ${n}${shared}`;
    })
    .join(' · ');
}

function ScanResult(p: { projectId: number; scanId: number; compare?: number }) {
  const scan = useLoad(
    () =>
      api('GET /api/projects/{id}/scans/{scanId}', {
        path: { id: p.projectId, scanId: p.scanId },
        query: p.compare ? { compare: p.compare } : {},
      }),
    [p.projectId, p.scanId, p.compare],
  );
  const s = scan.data;
  if (scan.error) return <ProblemNote problem={scan.error} />;
  if (!s) return <p className="muted">Loading the scan…</p>;
  const total = s.mailboxes.reduce((n, m) => n + m.messages, 0);
  const size = s.mailboxes.reduce((n, m) => n + m.bytes, 0);
  return (
    <>
      <p>
        Scan #{s.scanId} <Status value={s.status} />, started {when(s.startedAt)}: {s.mailboxes.length}{' '}
        mailbox(es), {count(total)} items, {bytes(size)}.
      </p>
      {s.changes && (
        <>
          <h2>Since scan #{s.comparedWith}</h2>
          <table className="grid scan-changes">
            <thead>
              <tr>
                <th>Mailbox</th>
                <th className="num">Items</th>
                <th className="num">Size</th>
                <th>Folders</th>
              </tr>
            </thead>
            <tbody>
              {s.changes.map((c) =>
                c.gone ? (
                  <tr key={c.mailbox} className="muted">
                    <td>{c.mailbox}</td>
                    <td colSpan={3}>not in this scan (only in #{s.comparedWith}): nothing to compare</td>
                  </tr>
                ) : (
                  <tr key={c.mailbox}>
                    <td>
                      {c.mailbox}
                      {c.isNew ? ' (new since then)' : ''}
                    </td>
                    <td className="num">{signed(c.messages)}</td>
                    <td className="num">{c.bytes < 0 ? `−${bytes(-c.bytes)}` : `+${bytes(c.bytes)}`}</td>
                    <td>
                      {[
                        ...c.foldersAdded.map((f) => `+ ${f}`),
                        ...c.foldersRemoved.map((f) => `− ${f}`),
                      ].join(', ') || 'unchanged'}
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </>
      )}
      <h2>Per mailbox</h2>
      <table className="grid scan-mailboxes">
        <thead>
          <tr>
            <th>Mailbox</th>
            <th>Status</th>
            <th className="num">Folders</th>
            <th className="num">Items</th>
            <th className="num">Size</th>
            <th>Dates</th>
            <th>Contacts, calendars, tasks, filters</th>
            <th>Needs a look</th>
          </tr>
        </thead>
        <tbody>
          {s.mailboxes.map((m) => (
            <MailboxRow key={m.mailbox} m={m} />
          ))}
        </tbody>
      </table>
    </>
  );
}

const signed = (n: number) => (n > 0 ? `+${count(n)}` : n < 0 ? `−${count(-n)}` : '0');

function MailboxRow({ m }: { m: MailboxScan }) {
  const [open, setOpen] = useState(false);
  const found = problems(m);
  return (
    <>
      <tr>
        <td>
          <button type="button" className="link" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? '▾' : '▸'} {m.mailbox}
          </button>
        </td>
        <td>
          <Status value={m.status} />
        </td>
        <td className="num">{count(m.folders)}</td>
        <td className="num">{count(m.messages)}</td>
        <td className="num">{bytes(m.bytes)}</td>
        <td>{m.oldest ? `${m.oldest.slice(0, 10)} – ${m.newest?.slice(0, 10) ?? ''}` : 'empty'}</td>
        <td className={m.itemCounts.length ? undefined : 'muted'}>{itemLine(m) || 'mail only'}</td>
        <td className={found.length ? 'error-text' : 'muted'}>
          {found.length ? (
            <ul className="plain">
              {found.map((f) => (
                <li key={f}>{f}</li>
              ))}
            </ul>
          ) : (
            'nothing'
          )}
        </td>
      </tr>
      {open && (
        <tr className="folder-rows">
          <td colSpan={8}>
            <table className="grid">
              <thead>
                <tr>
                  <th>Folder</th>
                  <th>At the destination</th>
                  <th className="num">Items</th>
                  <th className="num">Size</th>
                  <th>Needs a look</th>
                </tr>
              </thead>
              <tbody>
                {m.folderRows.map((f) => (
                  <tr key={f.folder}>
                    <td>{f.folder}</td>
                    <td>{f.excluded ? `not moved: ${f.excluded}` : (f.destination ?? f.folder)}</td>
                    <td className="num">{count(f.messages)}</td>
                    <td className="num">{bytes(f.bytes)}</td>
                    <td>
                      {[
                        f.nameProblem,
                        f.oversize ? `${count(f.oversize)} too large` : '',
                        f.noMessageId ? `${count(f.noMessageId)} without Message-ID` : '',
                      ]
                        .filter(Boolean)
                        .join('; ')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </td>
        </tr>
      )}
    </>
  );
}
