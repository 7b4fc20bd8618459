/**
 * Throttling: windows by weekday and time of day (in the project's time zone), each with how many mailboxes
 * may run at once; outside every window the project's own "mailboxes at once" applies. Saved windows take
 * effect on running work within seconds.
 */
import { useEffect, useState } from 'react';
import { api } from '../api/api.js';
import { useAction, useLoad } from '../api/use-api.js';
import { ProblemNote } from '../components/problem-note.js';
import { useProjects, type Project } from '../project-context.js';
import { Link } from '../router.js';
import { RunControls } from './run-controls.js';

type Window = Project['windows'][number];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The throttling page of the current project. */
export function ThrottlingPage() {
  const { current, reload } = useProjects();
  const [rows, setRows] = useState<Window[]>([]);
  const [dirty, setDirty] = useState(false);
  const [saved, setSaved] = useState(false);
  const save = useAction();

  useEffect(() => {
    if (current && !dirty) setRows(current.windows);
  }, [current, dirty]);
  const projectId = current?.id;
  const run = useLoad(
    async () =>
      projectId === undefined ? undefined : api('GET /api/projects/{id}/run', { path: { id: projectId } }),
    [projectId],
  );

  if (!current)
    return (
      <section>
        <h1>Throttling</h1>
        <p>
          No project yet. <Link to="/projects/new">Create one</Link> first.
        </p>
      </section>
    );

  const change = (i: number, patch: Partial<Window>) => {
    setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
    setDirty(true);
    setSaved(false);
  };
  const toggleDay = (i: number, d: number) => {
    const days = rows[i]!.days;
    change(i, { days: days.includes(d) ? days.filter((x) => x !== d) : [...days, d].sort() });
  };
  const submit = async () => {
    const done = await save.run(() =>
      api('PATCH /api/projects/{id}', { path: { id: current.id }, body: { windows: rows } }),
    );
    if (done) {
      setDirty(false);
      setSaved(true);
      reload();
    }
  };

  return (
    <section>
      <h1>Throttling – {current.name}</h1>
      <h2>Pause or resume the whole project</h2>
      <RunControls projectId={current.id} status={run.data} onChange={run.reload} startable={false} />
      <h2>Windows</h2>
      <p className="muted">
        Times are 24-hour HH:MM in the project's time zone, <strong>{current.timezone}</strong>. The first
        window that covers a moment decides how many mailboxes run at once (0 pauses); outside every window
        the project's own limit of <strong>{current.concurrency.mailboxes}</strong> applies. A window whose
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
            <tr key={i} data-window={i}>
              <td>
                {DAYS.map((name, d) => (
                  <label key={d} className="inline day">
                    <input
                      type="checkbox"
                      checked={w.days.includes(d)}
                      onChange={() => toggleDay(i, d)}
                      aria-label={`${name} (window ${i + 1})`}
                    />
                    {name}
                  </label>
                ))}
              </td>
              <td>
                <input
                  type="text"
                  size={6}
                  placeholder="HH:MM"
                  aria-label={`From (window ${i + 1})`}
                  value={w.from}
                  onChange={(e) => change(i, { from: e.target.value })}
                />
              </td>
              <td>
                <input
                  type="text"
                  aria-label={`To (window ${i + 1})`}
                  value={w.to}
                  size={6}
                  placeholder="HH:MM"
                  onChange={(e) => change(i, { to: e.target.value })}
                />
              </td>
              <td>
                <input
                  type="number"
                  min={0}
                  aria-label={`Mailboxes at once (window ${i + 1})`}
                  value={w.concurrency}
                  onChange={(e) => change(i, { concurrency: Number(e.target.value) })}
                />
                {w.concurrency === 0 && <span className="muted"> paused</span>}
              </td>
              <td>
                <button
                  type="button"
                  className="danger"
                  onClick={() => (setRows(rows.filter((_, j) => j !== i)), setDirty(true), setSaved(false))}
                >
                  Remove
                </button>
              </td>
            </tr>
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
          onClick={() => {
            setRows([...rows, { days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00', concurrency: 1 }]);
            setDirty(true);
            setSaved(false);
          }}
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
