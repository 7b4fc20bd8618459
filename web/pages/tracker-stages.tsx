/**
 * The tracker's stage columns — destination ready, credentials, client set-up, initial sync, DNS, final sync —
 * each colour-coded with its counts per state; a column opens the list of its mailboxes that are not done.
 */
import { useState } from 'react';
import { api } from '../api/api.js';
import type { ResponseOf } from '../api/client.js';
import { useLoad } from '../api/use-api.js';
import { count } from '../components/format.js';
import { Pager } from '../components/pager.js';
import { ProblemNote } from '../components/problem-note.js';
import { Status } from '../components/status.js';
import { Link } from '../router.js';

type Tracker = ResponseOf<'GET /api/projects/{id}/tracker'>;
type Stage = Tracker['stages'][number];
const TONE = { green: 'good', blue: 'busy', red: 'bad', grey: 'idle' } as const;
const STATES = [
  ['attention', 'need attention', 'bad'],
  ['running', 'in progress', 'busy'],
  ['waiting', 'waiting', 'idle'],
  ['done', 'done', 'good'],
] as const;

/** The page where a person acts on a stage, under its column. */
const PAGE_OF: Partial<Record<Stage['key'], [string, string]>> = {
  credentials: ['/credentials', 'Open the Credentials page'],
  'client-setup': ['/communications', 'Write to the users'],
  dns: ['/dns', 'Open the DNS page'],
  'initial-sync': ['/scan', 'Scan the mailboxes first'],
  'final-sync': ['/plan', 'Set the cutover on the Plan page'],
};

/** The columns of `tracker`; one of them may be open for drill-down. */
export function StageColumns({ projectId, tracker }: { projectId: number; tracker: Tracker }) {
  const [open, setOpen] = useState<Stage['key']>();
  const opened = tracker.stages.find((s) => s.key === open);
  return (
    <>
      <div className="stages">
        {tracker.stages.map((s) => (
          <div key={s.key} className="stage-cell">
            <button
              type="button"
              className={`stage tone-${TONE[s.colour]}${open === s.key ? ' open' : ''}`}
              aria-expanded={open === s.key}
              disabled={!s.tracked}
              onClick={() => setOpen(open === s.key ? undefined : s.key)}
            >
              <h3>{s.label}</h3>
              {s.counts ? (
                <ul>
                  {STATES.map(([k, label, tone]) => (
                    <li key={k} className={s.counts![k] ? `tone-text-${tone}` : 'muted'}>
                      <span>{label}</span> <strong>{count(s.counts![k])}</strong>
                    </li>
                  ))}
                </ul>
              ) : (
                <p className="muted">{s.reason ?? 'not tracked yet'}</p>
              )}
              {s.counts && s.note && <p className="stage-note muted">{s.note}</p>}
              {s.verification && (
                <p className="stage-note">
                  Verified: {count(s.verification.matches)} match, {count(s.verification.differs)} differ,{' '}
                  {count(s.verification.notVerified + s.verification.outdated)} not verified since their last
                  pass
                </p>
              )}
            </button>
            {PAGE_OF[s.key] && (
              <Link to={PAGE_OF[s.key]![0]} className="stage-link">
                {s.key === 'final-sync' && !s.note?.startsWith('The plan has no cutover')
                  ? 'See the cutover on the Plan page'
                  : PAGE_OF[s.key]![1]}
              </Link>
            )}
          </div>
        ))}
      </div>
      {opened && <NotDone key={opened.key} projectId={projectId} stage={opened} />}
    </>
  );
}

/** The mailboxes not done in one stage, those needing attention first; paged on the server. */
function NotDone({ projectId, stage }: { projectId: number; stage: Stage }) {
  const [offset, setOffset] = useState(0);
  const list = useLoad(
    () =>
      api('GET /api/projects/{id}/tracker/{stage}/mailboxes', {
        path: { id: projectId, stage: stage.key },
        query: { offset, limit: 50 },
      }),
    [projectId, stage.key, offset],
  );
  return (
    <div className="drill card">
      <h3>{stage.label}: mailboxes not done</h3>
      <ProblemNote problem={list.error} />
      {list.data && list.data.total === 0 && <p className="muted">Every mailbox is done in this stage.</p>}
      {list.data && list.data.total > 0 && (
        <table className="grid">
          <thead>
            <tr>
              <th>Source login</th>
              <th>Destination login</th>
              <th>State</th>
              <th>Last error</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((m) => (
              <tr key={m.id}>
                <td>
                  <Link to={`/mailboxes/${m.id}`}>{m.sourceUser}</Link>
                </td>
                <td>{m.destUser}</td>
                <td>
                  <Status
                    value={m.state === 'attention' ? 'failed' : m.state === 'running' ? 'running' : 'waiting'}
                    label={m.state === 'attention' ? 'needs attention' : m.state}
                  />
                </td>
                <td className="error-text">{m.lastError ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.data && list.data.total > list.data.limit && (
        <Pager
          offset={list.data.offset}
          limit={list.data.limit}
          total={list.data.total}
          onOffset={setOffset}
        />
      )}
    </div>
  );
}
