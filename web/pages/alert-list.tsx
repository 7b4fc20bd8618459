/** A list of alerts with their actions (complete, archive); used by the alerts, tracker and mailbox pages. */
import { useState } from 'react';
import { api } from '../api/api.js';
import type { ResponseOf } from '../api/client.js';
import { useAction, useLoad } from '../api/use-api.js';
import { when } from '../components/format.js';
import { Pager } from '../components/pager.js';
import { ProblemNote } from '../components/problem-note.js';
import { Status } from '../components/status.js';
import { Link } from '../router.js';

type Alert = ResponseOf<'GET /api/alerts'>['items'][number];
type AlertStatus = Alert['status'];

/** Alerts, newest first; `mailboxId` narrows to one mailbox, `status` to one state ('all' for every one). */
export function AlertList(props: {
  mailboxId?: number;
  status?: AlertStatus | 'all';
  limit?: number;
  onChange?: () => void;
}) {
  const [offset, setOffset] = useState(0);
  const status = props.status ?? 'active';
  const limit = props.mailboxId ? 500 : (props.limit ?? 50);
  const list = useLoad(
    () => api('GET /api/alerts', { query: { offset, limit, status: status === 'all' ? undefined : status } }),
    [offset, limit, status],
  );
  const action = useAction();
  const [actedOn, setActedOn] = useState<number>();

  const act = async (a: Alert, what: 'complete' | 'archive') => {
    setActedOn(a.id);
    const done = await action.run(() =>
      what === 'complete'
        ? api('POST /api/alerts/{id}/complete', { path: { id: a.id } })
        : api('POST /api/alerts/{id}/archive', { path: { id: a.id } }),
    );
    if (done) {
      list.reload();
      props.onChange?.();
    }
  };

  const items = (list.data?.items ?? []).filter(
    (a) => props.mailboxId === undefined || a.mailboxId === props.mailboxId,
  );
  return (
    <div className="alerts">
      <ProblemNote problem={list.error} />
      {items.length === 0 && !list.loading && (
        <p className="muted">No {status === 'all' ? '' : `${status} `}alerts.</p>
      )}
      <ul className="alert-list">
        {items.map((a) => (
          <li key={a.id} className={`alert level-${a.level}`}>
            <div className="alert-head">
              <Status
                value={a.level}
                label={a.level === 'critical' ? 'critical – holds the mailbox' : 'advisory'}
              />{' '}
              <strong>{a.type}</strong> <Status value={a.status} />{' '}
              <span className="muted">
                {when(a.createdAt)}
                {a.mailboxId !== null && props.mailboxId === undefined && (
                  <>
                    {' '}
                    · <Link to={`/mailboxes/${a.mailboxId}`}>mailbox {a.mailboxId}</Link>
                  </>
                )}
              </span>
            </div>
            <p>{a.text}</p>
            {a.status === 'active' && (
              <div className="actions">
                <button type="button" disabled={action.busy} onClick={() => void act(a, 'complete')}>
                  Mark completed
                </button>
                <button type="button" disabled={action.busy} onClick={() => void act(a, 'archive')}>
                  Archive
                </button>
              </div>
            )}
            {actedOn === a.id && <ProblemNote problem={action.error} onDismiss={action.clear} />}
          </li>
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
