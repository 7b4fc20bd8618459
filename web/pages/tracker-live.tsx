/** The current (or last) pass as the event stream tells it: progress, ETA, who is throttled, per mailbox. */
import type { LiveState } from '../api/events.js';
import { bytes, count, duration } from '../components/format.js';
import { Link } from '../router.js';

const TONES: Record<string, string> = { done: 'good', failed: 'bad', stopped: 'warn', running: 'busy' };

/** Nothing until the stream has reported a mailbox. */
export function LivePass({ live, running }: { live: LiveState; running: boolean }) {
  const progress = [...live.mailboxes.values()];
  if (progress.length === 0) return null;
  const planned = progress.reduce((n, m) => n + m.planned, 0);
  const done = progress.reduce((n, m) => n + Math.min(m.done, m.planned), 0);
  const copied = progress.reduce((n, m) => n + m.bytes, 0);
  const recent = live.samples.slice(-30);
  const rate = recent.length ? recent.reduce((n, s) => n + s.messagesPerSecond, 0) / recent.length : 0;
  const eta = running && rate > 0 ? (planned - done) / rate : undefined;
  const throttled = live.throttled.map((id) => live.mailboxes.get(id)?.label ?? `mailbox ${id}`);
  const pct = planned ? Math.floor((done / planned) * 100) : 0;
  return (
    <>
      <h2>{running ? 'This pass' : 'Last pass'}</h2>
      <div className="figures">
        <div>
          <strong>{planned ? `${pct} %` : '–'}</strong>
          messages ({count(done)} of {count(planned)})
        </div>
        <div>
          <strong>{bytes(copied)}</strong>copied
        </div>
        <div>
          <strong>{running ? duration(eta) : '–'}</strong>
          left at the current rate
        </div>
        <div>
          <strong>{throttled.length}</strong>
          throttled by a server now
        </div>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label="Messages of this pass"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
      >
        <div style={{ width: `${pct}%` }} />
      </div>
      {throttled.length > 0 && (
        <p className="warning">
          Held back by a server right now: {throttled.join(', ')}. They continue by themselves when the server
          allows.
        </p>
      )}
      <table className="grid live">
        <thead>
          <tr>
            <th>Mailbox</th>
            <th>Status</th>
            <th>Progress</th>
            <th className="num">Messages</th>
            <th className="num">Copied</th>
          </tr>
        </thead>
        <tbody>
          {progress.map((m) => {
            const share = m.planned ? Math.min(m.done, m.planned) / m.planned : m.status === 'done' ? 1 : 0;
            const tone = m.throttledUntil ? 'warn' : (TONES[m.status] ?? 'idle');
            return (
              <tr key={m.mailboxId}>
                <td>
                  <Link to={`/mailboxes/${m.mailboxId}`}>{m.label}</Link>
                </td>
                <td>
                  <span className={`pill tone-${tone}`}>{m.throttledUntil ? 'throttled' : m.status}</span>
                </td>
                <td className="bar-cell">
                  <div className="progress">
                    <div style={{ width: `${share * 100}%` }} />
                  </div>
                </td>
                <td className="num">
                  {count(m.done)} / {count(m.planned)}
                </td>
                <td className="num">{bytes(m.bytes)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
