/** The tracker (home page): where the migration stands. Filled in as the run and tracker routes arrive. */
import { api } from '../api/api.js';
import { useLoad } from '../api/use-api.js';
import { count } from '../components/format.js';
import { ProblemNote } from '../components/problem-note.js';
import { AlertList } from './alert-list.js';

const STATUSES = ['idle', 'running', 'done', 'failed', 'stopped'] as const;

/** Counts per mailbox status (one small paged query each) and the active alerts. */
export function TrackerPage() {
  const counts = useLoad(
    () =>
      Promise.all(
        STATUSES.map(
          async (status) =>
            [status, (await api('GET /api/mailboxes', { query: { status, limit: 1 } })).total] as const,
        ),
      ),
    [],
  );
  return (
    <section>
      <h1>Tracker</h1>
      <ProblemNote problem={counts.error} />
      <div className="stages">
        {counts.data?.map(([status, n]) => (
          <div key={status} className={`stage status-${status}`}>
            <div className="stage-count">{count(n)}</div>
            <div className="stage-name">{status}</div>
          </div>
        ))}
      </div>
      <h2>Active alerts</h2>
      <AlertList status="active" limit={10} />
    </section>
  );
}
