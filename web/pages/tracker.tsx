/**
 * The tracker (home page) of the current project: the run and its controls, mailboxes by status with
 * drill-down, live progress, throughput chart and ETA from the event stream, who is throttled now, and the
 * active alerts.
 */
import { useEffect } from 'react';
import { api } from '../api/api.js';
import { useProjectEvents } from '../api/events.js';
import { useLoad } from '../api/use-api.js';
import { bytes, count, duration } from '../components/format.js';
import { ProblemNote } from '../components/problem-note.js';
import { ThroughputChart } from '../components/throughput-chart.js';
import { useProjects } from '../project-context.js';
import { Link } from '../router.js';
import { AlertList } from './alert-list.js';
import { RunControls } from './run-controls.js';
import { StatusColumns } from './tracker-columns.js';

/** The tracker of the current project. */
export function TrackerPage() {
  const { current, loading } = useProjects();
  const live = useProjectEvents(current?.id);
  const id = current?.id;
  const initial = useLoad(
    async () => (id === undefined ? undefined : api('GET /api/projects/{id}/run', { path: { id } })),
    [id],
  );
  const status = live.status ?? initial.data;

  // Re-read the counts when a run starts or ends or an alert changes, and every 10 s while running.
  const running = status?.state === 'running';
  const { reload } = initial;
  useEffect(() => {
    if (!running) return;
    const t = setInterval(reload, 10_000);
    return () => clearInterval(t);
  }, [running, reload]);

  if (!current)
    return (
      <section>
        <h1>Tracker</h1>
        {!loading && (
          <p>
            No project yet. <Link to="/projects/new">Create a project</Link>: where mail comes from, where it
            goes, then add its mailboxes.
          </p>
        )}
      </section>
    );

  const progress = [...live.mailboxes.values()];
  const planned = progress.reduce((n, m) => n + m.planned, 0);
  const done = progress.reduce((n, m) => n + Math.min(m.done, m.planned), 0);
  const copied = progress.reduce((n, m) => n + m.bytes, 0);
  const recent = live.samples.slice(-30);
  const rate = recent.length ? recent.reduce((n, s) => n + s.messagesPerSecond, 0) / recent.length : 0;
  const eta = running && rate > 0 ? (planned - done) / rate : undefined;
  const throttled = live.throttled.map((mid) => live.mailboxes.get(mid)?.label ?? `mailbox ${mid}`);

  return (
    <section>
      <h1>Tracker – {current.name}</h1>
      {!live.connected && <p className="muted">Connecting to live progress…</p>}
      <ProblemNote problem={initial.error} />
      <RunControls projectId={current.id} status={status} onChange={reload} />
      <StatusColumns
        projectId={current.id}
        refresh={`${live.changes}-${status?.state}-${initial.data?.finishedAt}`}
      />

      <h2>{running ? 'This pass' : 'Last pass'}</h2>
      <div className="figures">
        <div>
          <strong>{planned ? `${Math.floor((done / planned) * 100)} %` : '–'}</strong>
          messages ({count(done)} of {count(planned)})
        </div>
        <div>
          <strong>{bytes(copied)}</strong>copied
        </div>
        <div>
          <strong>{running ? duration(eta) : '–'}</strong>
          estimated time left
        </div>
        <div>
          <strong>{throttled.length}</strong>
          throttled now
        </div>
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={planned ? Math.floor((done / planned) * 100) : 0}
      >
        <div style={{ width: `${planned ? (done / planned) * 100 : 0}%` }} />
      </div>
      {throttled.length > 0 && (
        <p className="warning">
          Held back by a server right now: {throttled.join(', ')}. They continue by themselves when the server
          allows.
        </p>
      )}
      <h2>Throughput</h2>
      <ThroughputChart samples={live.samples} />
      {progress.length > 0 && (
        <>
          <h2>{running ? 'Mailboxes in this pass' : 'Mailboxes in the last pass'}</h2>
          <table className="grid">
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
              {progress.map((m) => (
                <tr key={m.mailboxId}>
                  <td>
                    <Link to={`/mailboxes/${m.mailboxId}`}>{m.label}</Link>
                  </td>
                  <td>
                    {m.throttledUntil ? (
                      <span className="pill tone-warn">throttled</span>
                    ) : (
                      <span
                        className={`pill tone-${m.status === 'done' ? 'good' : m.status === 'failed' ? 'bad' : 'busy'}`}
                      >
                        {m.status}
                      </span>
                    )}
                  </td>
                  <td className="bar-cell">
                    <div className="progress">
                      <div
                        style={{
                          width: `${m.planned ? (Math.min(m.done, m.planned) / m.planned) * 100 : m.status === 'done' ? 100 : 0}%`,
                        }}
                      />
                    </div>
                  </td>
                  <td className="num">
                    {count(m.done)} / {count(m.planned)}
                  </td>
                  <td className="num">{bytes(m.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h2>Active alerts</h2>
      <AlertList status="active" limit={10} key={live.changes} />
    </section>
  );
}
