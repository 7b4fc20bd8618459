/**
 * A project's alerts with their actions — complete, archive, auto-archive the type, e-mail to someone — and
 * "Undo last action". Used by the alerts, tracker and mailbox pages.
 */
import { useState } from 'react';
import { api } from '../api/api.js';
import { useAction, useLoad } from '../api/use-api.js';
import { Pager } from '../components/pager.js';
import { ProblemNote } from '../components/problem-note.js';
import { AlertItem, type Alert } from './alert-item.js';

/** An alert as the project's list gives it. */
export type { Alert };
type AlertStatus = Alert['status'];

const ACTION_WORDS = {
  complete: 'marking completed',
  archive: 'archiving',
  'auto-archive': 'auto-archiving',
} as const;

/** Alerts of project `projectId`, newest first; `mailboxId` narrows to one mailbox, `status` to one state. */
export function AlertList(props: {
  projectId: number;
  mailboxId?: number;
  status?: AlertStatus | 'all';
  limit?: number;
  /** Offer "Undo last action" from the start (the alerts page); elsewhere once an action was taken here. */
  alwaysUndo?: boolean;
}) {
  const [offset, setOffset] = useState(0);
  const status = props.status ?? 'active';
  // One mailbox's alerts are picked from the project's newest 500 (the API filters by project, level and type).
  const limit = props.mailboxId ? 500 : (props.limit ?? 50);
  const list = useLoad(
    () =>
      api('GET /api/projects/{id}/alerts', {
        path: { id: props.projectId },
        query: { offset, limit, status: status === 'all' ? undefined : status },
      }),
    [props.projectId, offset, limit, status],
  );
  const undo = useAction();
  const [undone, setUndone] = useState<string>();
  const [acted, setActed] = useState(false);

  const undoLast = async () => {
    setUndone(undefined);
    const r = await undo.run(() => api('POST /api/alerts/undo', { body: { projectId: props.projectId } }));
    if (r) {
      const n = r.restoredAlertIds.length;
      setUndone(
        `Undone: ${ACTION_WORDS[r.undone.action]}${r.undone.ruleType ? ` of type ${r.undone.ruleType}` : ''} – ${n} alert${n === 1 ? '' : 's'} back as before.`,
      );
      list.reload();
    }
  };

  const items = (list.data?.items ?? []).filter(
    (a) => props.mailboxId === undefined || a.mailboxId === props.mailboxId,
  );
  return (
    <div className="alerts">
      {(props.alwaysUndo || acted) && (
        <div className="toolbar">
          <button type="button" disabled={undo.busy} onClick={() => void undoLast()}>
            Undo last action
          </button>
          {undone && <span className="notice">{undone}</span>}
        </div>
      )}
      <ProblemNote problem={undo.error} onDismiss={undo.clear} />
      <ProblemNote problem={list.error} />
      {items.length === 0 && !list.loading && (
        <p className="muted">No {status === 'all' ? '' : `${status} `}alerts.</p>
      )}
      <ul className="alert-list">
        {items.map((a) => (
          <AlertItem
            key={a.id}
            alert={a}
            showMailbox={props.mailboxId === undefined}
            onChanged={() => {
              setActed(true);
              list.reload();
            }}
          />
        ))}
      </ul>
      {list.data && props.mailboxId === undefined && list.data.total > list.data.limit && (
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
