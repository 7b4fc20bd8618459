/** Mailboxes of a project counted by status, each column a link to those mailboxes (drill-down). */
import { api } from '../api/api.js';
import { useLoad } from '../api/use-api.js';
import { count } from '../components/format.js';
import { ProblemNote } from '../components/problem-note.js';
import { Link } from '../router.js';

const COLUMNS = [
  ['idle', 'Not started', 'idle'],
  ['running', 'Running', 'busy'],
  ['stopped', 'Paused / stopped', 'warn'],
  ['failed', 'Failed', 'bad'],
  ['done', 'Done', 'good'],
] as const;

/** One small paged query per status (limit 1: only the total is read); `refresh` re-reads when it changes. */
export function StatusColumns(props: { projectId: number; refresh: string }) {
  const id = props.projectId;
  const counts = useLoad(
    () =>
      Promise.all(
        COLUMNS.map(
          async ([status]) =>
            (await api('GET /api/projects/{id}/mailboxes', { path: { id }, query: { status, limit: 1 } }))
              .total,
        ),
      ),
    [id, props.refresh],
  );
  const total = counts.data?.reduce((a, b) => a + b, 0) ?? 0;
  const done = counts.data?.[4] ?? 0;
  return (
    <>
      <ProblemNote problem={counts.error} />
      <p>
        <strong>{total ? Math.floor((done / total) * 100) : 0} %</strong> of {count(total)} mailboxes done.
      </p>
      <div className="stages">
        {COLUMNS.map(([status, label, tone], i) => (
          <Link key={status} to={`/mailboxes?status=${status}`} className={`stage tone-${tone}`}>
            <div className="stage-count">{count(counts.data?.[i])}</div>
            <div className="stage-name">{label}</div>
          </Link>
        ))}
      </div>
    </>
  );
}
