/** One row of the mailboxes table: tick box, star toggle, logins, status, size, what it moves, last error. */
import { useState } from 'react';
import { api } from '../api/api.js';
import { bytes, count } from '../components/format.js';
import { Status } from '../components/status.js';
import { Link } from '../router.js';
import type { ResponseOf } from '../api/client.js';

/** A mailbox as the project's list gives it. */
export type Row = ResponseOf<'GET /api/projects/{id}/mailboxes'>['items'][number];

/** The row of mailbox `m`; `onChanged` after the star was toggled. */
export function MailboxRow(props: {
  m: Row;
  checked: boolean;
  onToggle: () => void;
  onEdit: () => void;
  onChanged: () => void;
}) {
  const { m } = props;
  const [problem, setProblem] = useState<string>();
  const star = async () => {
    setProblem(undefined);
    await api('PATCH /api/mailboxes/{id}', { path: { id: m.id }, body: { starred: !m.starred } }).then(
      props.onChanged,
      (e: Error) => setProblem(e.message),
    );
  };
  const moves = [
    m.itemTypes ? m.itemTypes.join(', ') : 'project default',
    m.since ? `since ${m.since}` : '',
    m.before ? `before ${m.before}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const unmeasured = m.status === 'idle' && m.sourceMessages === 0 && m.sourceBytes === 0;
  return (
    <tr>
      <td>
        <input
          type="checkbox"
          aria-label={`Select ${m.sourceUser}`}
          checked={props.checked}
          onChange={props.onToggle}
        />
      </td>
      <td className="star">
        <button
          type="button"
          className="star"
          aria-label={m.starred ? `Unstar ${m.sourceUser}` : `Star ${m.sourceUser}`}
          aria-pressed={m.starred}
          onClick={() => void star()}
        >
          {m.starred ? '★' : '☆'}
        </button>
      </td>
      <td>
        <Link to={`/mailboxes/${m.id}`}>{m.sourceUser}</Link>
      </td>
      <td>{m.destUser}</td>
      <td>
        <Status value={m.status} />
      </td>
      {/* Sizes are known once the mailbox was scanned or migrated. */}
      <td className="num">{unmeasured ? '–' : bytes(m.sourceBytes)}</td>
      <td className="num">{unmeasured ? '–' : count(m.sourceMessages)}</td>
      <td className="muted">{moves}</td>
      <td className="error-text">{problem ?? m.lastError ?? ''}</td>
      <td>
        <button type="button" className="link" onClick={props.onEdit}>
          Edit
        </button>
      </td>
    </tr>
  );
}
