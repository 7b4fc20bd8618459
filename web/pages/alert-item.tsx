/** One alert with its actions; errors appear under the alert they belong to. */
import { useState, type FormEvent } from 'react';
import { api } from '../api/api.js';
import { useAction } from '../api/use-api.js';
import { when } from '../components/format.js';
import { ProblemNote } from '../components/problem-note.js';
import { Status } from '../components/status.js';
import { Link } from '../router.js';
import type { ResponseOf } from '../api/client.js';

/** An alert as the project's list gives it. */
export type Alert = ResponseOf<'GET /api/projects/{id}/alerts'>['items'][number];

const SENT_WORDS = {
  sent: 'Sent.',
  'already-sent': 'Already sent to this address before; not sent twice.',
  failed: 'Sending failed; see the server log.',
  refused: 'The mail server refused the address.',
  uncertain: 'The mail server did not confirm; it may or may not have been sent.',
} as const;

/** The alert `alert`; `onChanged` after an action changed it. */
export function AlertItem(props: { alert: Alert; showMailbox: boolean; onChanged: () => void }) {
  const a = props.alert;
  const action = useAction();
  const [emailing, setEmailing] = useState(false);
  const [to, setTo] = useState('');
  const [note, setNote] = useState('');
  const [sent, setSent] = useState<string>();

  const act = async (what: 'complete' | 'archive' | 'auto-archive') => {
    if (
      what === 'auto-archive' &&
      !confirm(`Archive every "${a.type}" alert of this project, now and whenever one is raised later?`)
    )
      return;
    const path = { id: a.id };
    const done = await action.run<unknown>(() =>
      what === 'complete'
        ? api('POST /api/alerts/{id}/complete', { path })
        : what === 'archive'
          ? api('POST /api/alerts/{id}/archive', { path })
          : api('POST /api/alerts/{id}/auto-archive', { path }),
    );
    if (done) props.onChanged();
  };
  const email = async (e: FormEvent) => {
    e.preventDefault();
    setSent(undefined);
    const r = await action.run(() =>
      api('POST /api/alerts/{id}/email', {
        path: { id: a.id },
        body: { to: to.trim(), ...(note.trim() ? { note: note.trim() } : {}) },
      }),
    );
    if (r) {
      setSent(SENT_WORDS[r.status]);
      if (r.status === 'sent' || r.status === 'already-sent') setEmailing(false);
    }
  };

  return (
    <li className={`alert level-${a.level}`}>
      <div className="alert-head">
        <Status
          value={a.level}
          label={a.level === 'critical' ? 'critical – holds the mailbox' : 'advisory'}
        />{' '}
        <strong>{a.type}</strong> <Status value={a.status} />{' '}
        <span className="muted">
          {when(a.createdAt)}
          {props.showMailbox && a.mailboxId !== null && (
            <>
              {' '}
              · <Link to={`/mailboxes/${a.mailboxId}`}>{a.mailbox ?? `mailbox ${a.mailboxId}`}</Link>
            </>
          )}
        </span>
      </div>
      <p>{a.text}</p>
      <div className="actions">
        {a.status === 'active' && (
          <>
            <button type="button" disabled={action.busy} onClick={() => void act('complete')}>
              Mark completed
            </button>
            <button type="button" disabled={action.busy} onClick={() => void act('archive')}>
              Archive
            </button>
            <button
              type="button"
              disabled={action.busy}
              onClick={() => void act('auto-archive')}
              title="Archive this type in this project, now and in future"
            >
              Auto-archive all “{a.type}”
            </button>
          </>
        )}
        <button
          type="button"
          disabled={action.busy}
          onClick={() => setEmailing(!emailing)}
          aria-expanded={emailing}
        >
          E-mail to someone…
        </button>
      </div>
      {emailing && (
        <form className="email-form" onSubmit={(e) => void email(e)}>
          <label>
            To (e-mail address)
            <input type="email" value={to} onChange={(e) => setTo(e.target.value)} required />
          </label>
          <label>
            Note (optional)
            <input value={note} onChange={(e) => setNote(e.target.value)} />
          </label>
          <button type="submit" className="primary" disabled={action.busy}>
            Send
          </button>
        </form>
      )}
      {sent && <div className="notice">{sent}</div>}
      <ProblemNote problem={action.error} onDismiss={action.clear} />
    </li>
  );
}
