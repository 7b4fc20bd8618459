/**
 * The tracker (home page) of the current project: the run and its controls, the stage columns with
 * drill-down, overall progress and ETA, live progress and throughput from the event stream, who is throttled
 * now, and the active alerts.
 */
import { useEffect } from 'react';
import { api } from '../api/api.js';
import { useProjectEvents } from '../api/events.js';
import { useLoad } from '../api/use-api.js';
import { count, when } from '../components/format.js';
import { ProblemNote } from '../components/problem-note.js';
import { ThroughputChart } from '../components/throughput-chart.js';
import { useProjects } from '../project-context.js';
import { Link } from '../router.js';
import { AlertList } from './alert-list.js';
import { LivePass } from './tracker-live.js';
import { RunControls } from './run-controls.js';
import { StageColumns } from './tracker-stages.js';
import { ProjectVerification } from './verification.js';

const STATUS_WORDS: Array<[string, string]> = [
  ['idle', 'not started'],
  ['running', 'running'],
  ['stopped', 'paused / stopped'],
  ['failed', 'failed'],
  ['done', 'done'],
];

/** The tracker of the current project. */
export function TrackerPage() {
  const { current, loading } = useProjects();
  const id = current?.id;
  const live = useProjectEvents(id);
  const summary = useLoad(
    async () => (id === undefined ? undefined : api('GET /api/projects/{id}/tracker', { path: { id } })),
    [id, live.changes],
  );
  // The run's state as the server says it, re-read whenever the stream reports a start, an end or an alert.
  const run = useLoad(
    async () => (id === undefined ? undefined : api('GET /api/projects/{id}/run', { path: { id } })),
    [id, live.changes],
  );
  const status = run.data ?? live.status;
  const running = status?.state === 'running';

  // The columns are re-read when a run starts or ends or an alert changes, and every 10 s while running.
  const { reload } = summary;
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

  const t = summary.data;
  // Before this page saw a sample, the server's recent history draws the chart.
  const samples = live.samples.length ? live.samples : (t?.throughput ?? []);
  return (
    <section>
      <h1>Tracker – {current.name}</h1>
      {!live.connected && <p className="muted">Connecting to live progress…</p>}
      <ProblemNote problem={summary.error ?? run.error} />
      <RunControls projectId={current.id} status={status} onChange={run.reload} />
      {t && (
        <>
          <div className="figures">
            <div>
              <strong>{Math.floor(t.overall.percentDone)} %</strong>
              of {count(t.mailboxes)} mailboxes through the initial sync
            </div>
            <div>
              <strong>{t.eta ? (t.eta.finishAt ? when(t.eta.finishAt) : 'not within a year') : '–'}</strong>
              {t.eta ? `estimated finish (${t.eta.basis})` : (t.etaNote ?? 'estimated finish')}
            </div>
            <div>
              <strong>
                <Link to="/alerts">
                  {t.alerts.critical} critical, {t.alerts.advisory} advisory
                </Link>
              </strong>
              active alerts
            </div>
          </div>
          {Object.keys(t.items).length > 0 && (
            <p className="by-status">
              Other items:{' '}
              {Object.entries(t.items).map(([type, c], i) => (
                <span key={type}>
                  {i > 0 && ' · '}
                  {type} {count(c.copied + c.present)} moved
                  {c.skipped > 0 && `, ${count(c.skipped)} skipped`}
                  {c.failed > 0 && <span className="error-text">, {count(c.failed)} failed</span>}
                </span>
              ))}{' '}
              (per mailbox: its page)
            </p>
          )}
          {t.workers.length > 0 && (
            <p className="by-status">
              Workers:{' '}
              {t.workers.map((w, i) => (
                <span key={`${w.host}:${w.pid}`} className={w.state === 'silent' ? 'error-text' : undefined}>
                  {i > 0 && ' · '}
                  {w.host} (PID {w.pid}){' '}
                  {w.state === 'stopped'
                    ? `stopped, last heard ${when(w.heartbeatAt)}`
                    : `${w.running} of ${w.concurrency} mailboxes${w.state === 'silent' ? `, silent since ${when(w.heartbeatAt)}: its mailboxes go to another worker` : `, heard ${when(w.heartbeatAt)}`}`}
                </span>
              ))}
            </p>
          )}
          <p className="by-status">
            By status:{' '}
            {STATUS_WORDS.map(([s, words]) => (
              <Link key={s} to={`/mailboxes?status=${s}`}>
                {count(t.overall.byStatus[s] ?? 0)} {words}
              </Link>
            ))}
          </p>
          <h2>Stages</h2>
          <StageColumns projectId={current.id} tracker={t} />
          <ProjectVerification
            projectId={current.id}
            stage={t.stages.find((s) => s.key === 'final-sync')}
            onDone={reload}
          />
        </>
      )}
      <LivePass live={live} running={running} />
      <h2>Throughput</h2>
      <ThroughputChart samples={samples} />
      <h2>Active alerts</h2>
      <AlertList projectId={current.id} status="active" limit={10} key={live.changes} />
    </section>
  );
}
