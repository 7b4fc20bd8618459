/** Start, pause and resume a project's migration pass, with the run's state in words. */
import { api } from '../api/api.js';
import type { RunStatus } from '../api/events.js';
import { useAction } from '../api/use-api.js';
import { when } from '../components/format.js';
import { ProblemNote } from '../components/problem-note.js';
import { Status } from '../components/status.js';

const STATE_WORDS: Record<RunStatus['state'], string> = {
  idle: 'not running',
  running: 'running',
  pausing: 'pausing – in-flight work is stopping',
  paused: 'paused',
};

/** The run buttons; `status` comes from the live events (or GET …/run), `onChange` after a button worked. */
export function RunControls(props: {
  projectId: number;
  status: RunStatus | undefined;
  onChange?: (s: RunStatus) => void;
  /** False: no Start button (pages other than the tracker only pause and resume). */
  startable?: boolean;
}) {
  const { projectId: id, status } = props;
  const action = useAction();
  const go = async (what: 'start' | 'pause' | 'resume') => {
    const s = await action.run(() =>
      what === 'start'
        ? api('POST /api/projects/{id}/run/start', { path: { id }, body: {} })
        : what === 'pause'
          ? api('POST /api/projects/{id}/run/pause', { path: { id } })
          : api('POST /api/projects/{id}/run/resume', { path: { id } }),
    );
    if (s) props.onChange?.(s);
  };
  const state = status?.state ?? 'idle';
  return (
    <div className="run-controls">
      <span>
        Migration:{' '}
        <Status
          value={state === 'idle' ? 'idle' : state === 'running' ? 'running' : 'paused'}
          label={STATE_WORDS[state]}
        />
        {status?.finishedAt && state === 'idle' && status.outcome && (
          <span className="muted">
            {' '}
            last pass ended {when(status.finishedAt)}: {status.outcome.done} done, {status.outcome.failed}{' '}
            failed, {status.outcome.stopped} stopped
          </span>
        )}
      </span>
      <span className="actions">
        {state === 'idle' && props.startable === false && (
          <span className="muted">Nothing to pause. Start a pass on the Tracker.</span>
        )}
        {state === 'idle' && props.startable !== false && (
          <button type="button" className="primary" disabled={action.busy} onClick={() => void go('start')}>
            {status?.finishedAt
              ? 'Run another pass (every mailbox; what is there is skipped)'
              : 'Start migration (every mailbox)'}
          </button>
        )}
        {state === 'running' && (
          <button type="button" disabled={action.busy} onClick={() => void go('pause')}>
            Pause project
          </button>
        )}
        {(state === 'paused' || state === 'pausing') && (
          <button
            type="button"
            className="primary"
            disabled={action.busy || state === 'pausing'}
            onClick={() => void go('resume')}
          >
            Resume project
          </button>
        )}
      </span>
      {status?.error && <div className="problem">{status.error}</div>}
      <ProblemNote problem={action.error} onDismiss={action.clear} />
    </div>
  );
}
