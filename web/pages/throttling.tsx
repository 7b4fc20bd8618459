/**
 * Throttling: windows by weekday and time of day (in the project's time zone), each with how many mailboxes
 * may run at once; outside every window the project's own "mailboxes at once" applies. Saved windows take
 * effect on running work within seconds. Also: what is allowed right now, and pause/resume of the project.
 */
import { useEffect, useState } from 'react';
import { api } from '../api/api.js';
import type { ResponseOf } from '../api/client.js';
import { useAction, useLoad } from '../api/use-api.js';
import { ProblemNote } from '../components/problem-note.js';
import { NoProject, useProjects } from '../project-context.js';
import { RunControls } from './run-controls.js';
import { WindowRow, type Window } from './window-row.js';

type Schedule = ResponseOf<'GET /api/projects/{id}/schedule'>;

/** The throttling page of the current project. */
export function ThrottlingPage() {
  const { current, reload: reloadProjects } = useProjects();
  const projectId = current?.id;
  const schedule = useLoad(
    async () =>
      projectId === undefined
        ? undefined
        : api('GET /api/projects/{id}/schedule', { path: { id: projectId } }),
    [projectId],
  );
  const run = useLoad(
    async () =>
      projectId === undefined ? undefined : api('GET /api/projects/{id}/run', { path: { id: projectId } }),
    [projectId],
  );
  const [rows, setRows] = useState<Window[]>([]);
  const [dirty, setDirty] = useState(false);
  const [saved, setSaved] = useState<Schedule>();
  const save = useAction();

  useEffect(() => {
    if (schedule.data && !dirty) setRows(schedule.data.windows);
  }, [schedule.data, dirty]);

  if (!current) return <NoProject title="Throttling" />;

  const edit = (next: Window[]) => {
    setRows(next);
    setDirty(true);
    setSaved(undefined);
  };
  const submit = async () => {
    const done = await save.run(() =>
      api('PUT /api/projects/{id}/schedule', { path: { id: current.id }, body: { windows: rows } }),
    );
    if (done) {
      setDirty(false);
      setSaved(done);
      schedule.reload();
      reloadProjects();
    }
  };
  const s = saved ?? schedule.data;

  return (
    <section>
      <h1>Throttling – {current.name}</h1>
      <ProblemNote problem={schedule.error} />
      <h2>Pause or resume the whole project</h2>
      <RunControls projectId={current.id} status={run.data} onChange={run.reload} startable={false} />
      <h2>Windows</h2>
      {s && (
        <p className="now">
          Allowed right now:{' '}
          <strong>
            {s.concurrencyNow === 0
              ? 'nothing – paused by a window'
              : `${s.concurrencyNow} mailbox${s.concurrencyNow === 1 ? '' : 'es'} at once`}
          </strong>
        </p>
      )}
      <p className="muted">
        Times are 24-hour HH:MM in the project's time zone, <strong>{s?.timezone ?? current.timezone}</strong>
        . The first window that covers a moment decides how many mailboxes run at once (0 pauses); outside
        every window the project's own limit of{' '}
        <strong>{s?.concurrency.mailboxes ?? current.concurrency.mailboxes}</strong> applies. A window whose
        end is at or before its start runs past midnight. Changes reach running work within seconds.
      </p>
      <table className="grid windows">
        <thead>
          <tr>
            <th>Days</th>
            <th>From</th>
            <th>To</th>
            <th>Mailboxes at once</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.map((w, i) => (
            <WindowRow
              key={i}
              index={i}
              value={w}
              onChange={(v) => edit(rows.map((r, j) => (j === i ? v : r)))}
              onRemove={() => edit(rows.filter((_, j) => j !== i))}
            />
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={5} className="empty">
                No windows: the project's limit applies at all times.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <div className="actions">
        <button
          type="button"
          onClick={() =>
            edit([...rows, { days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00', concurrency: 1 }])
          }
        >
          Add a window
        </button>
        <button
          type="button"
          className="primary"
          disabled={!dirty || save.busy}
          onClick={() => void submit()}
        >
          Save windows
        </button>
        {dirty && <span className="muted">Unsaved changes.</span>}
      </div>
      <ProblemNote problem={save.error} onDismiss={save.clear} />
      {saved && !dirty && (
        <div className="notice">Saved. Running work follows the new windows within seconds.</div>
      )}
    </section>
  );
}
