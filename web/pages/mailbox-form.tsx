/** Add a mailbox to the project, or edit one: logins, star, item types and date range (or the project's). */
import { useState, type FormEvent } from 'react';
import { api } from '../api/api.js';
import { useAction } from '../api/use-api.js';
import { ItemTypeChoices, type ItemType } from '../components/item-types.js';
import { ProblemNote } from '../components/problem-note.js';
import type { Row } from './mailbox-row.js';

/** The form; `onDone(true)` after a change was stored, `onDone(false)` on cancel. */
export function MailboxForm(props: { projectId: number; mailbox?: Row; onDone: (changed: boolean) => void }) {
  const m = props.mailbox;
  const [sourceUser, setSourceUser] = useState(m?.sourceUser ?? '');
  const [destUser, setDestUser] = useState(m?.destUser ?? '');
  const [starred, setStarred] = useState(m?.starred ?? false);
  const [ownTypes, setOwnTypes] = useState(m?.itemTypes != null);
  const [itemTypes, setItemTypes] = useState<ItemType[]>(m?.itemTypes ?? ['mail']);
  const [since, setSince] = useState(m?.since ?? '');
  const [before, setBefore] = useState(m?.before ?? '');
  const action = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const editable = {
      starred,
      itemTypes: ownTypes ? itemTypes : null,
      since: since || null,
      before: before || null,
    };
    const done = await action.run(() =>
      m
        ? api('PATCH /api/mailboxes/{id}', {
            path: { id: m.id },
            body: { destUser: destUser.trim(), ...editable },
          })
        : api('POST /api/projects/{id}/mailboxes', {
            path: { id: props.projectId },
            body: {
              sourceUser: sourceUser.trim(),
              ...(destUser.trim() ? { destUser: destUser.trim() } : {}),
              ...editable,
            },
          }),
    );
    if (done) props.onDone(true);
  };
  const remove = async () => {
    if (
      !m ||
      !confirm(`Remove ${m.sourceUser} and its history from the project? The mail servers are not touched.`)
    )
      return;
    if (await action.run(() => api('DELETE /api/mailboxes/{id}', { path: { id: m.id } }))) props.onDone(true);
  };

  return (
    <form
      className="card mailbox-form"
      onSubmit={(e) => void submit(e)}
      aria-label={m ? `Edit ${m.sourceUser}` : 'Add a mailbox'}
    >
      <h2>{m ? `Edit ${m.sourceUser}` : 'Add a mailbox'}</h2>
      <div className="form-grid">
        <label>
          Source login
          <input
            name="sourceUser"
            value={sourceUser}
            disabled={!!m}
            onChange={(e) => setSourceUser(e.target.value)}
            required
          />
        </label>
        <label>
          Destination login {m ? '' : '(empty: the same)'}
          <input
            name="destUser"
            value={destUser}
            onChange={(e) => setDestUser(e.target.value)}
            required={!!m}
          />
        </label>
        <label>
          Only items since
          <input type="date" name="since" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <label>
          Only items before
          <input type="date" name="before" value={before} onChange={(e) => setBefore(e.target.value)} />
        </label>
      </div>
      <div>
        <label className="inline">
          <input type="checkbox" checked={starred} onChange={(e) => setStarred(e.target.checked)} />
          Priority (starred mailboxes go first)
        </label>
        <label className="inline">
          <input type="checkbox" checked={ownTypes} onChange={(e) => setOwnTypes(e.target.checked)} />
          Its own item types (else the project's)
        </label>
        {ownTypes && <ItemTypeChoices name="mailboxItemTypes" value={itemTypes} onChange={setItemTypes} />}
      </div>
      <ProblemNote problem={action.error} onDismiss={action.clear} />
      <div className="actions">
        <button type="submit" className="primary" disabled={action.busy}>
          {m ? 'Save' : 'Add'}
        </button>
        <button type="button" onClick={() => props.onDone(false)}>
          Cancel
        </button>
        {m && (
          <button type="button" className="danger" disabled={action.busy} onClick={() => void remove()}>
            Remove from project
          </button>
        )}
      </div>
    </form>
  );
}
