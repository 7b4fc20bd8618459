/**
 * The message templates: pick one, edit its subject and bodies ({{placeholders}}; a misspelt one is refused),
 * go back to the default, preview it filled with example values, and send the preview to an address.
 */
import { useEffect, useState } from 'react';
import { api } from '../api/api.js';
import type { ResponseOf } from '../api/client.js';
import { useAction, useLoad } from '../api/use-api.js';
import { ProblemNote } from '../components/problem-note.js';

type Template = ResponseOf<'GET /api/projects/{id}/comms/templates'>[number];
type Kind = Template['kind'];

/** What each message is, in a person's words. */
export const KIND_WORDS: Record<string, string> = {
  announcement: 'Announcement (with the personal link)',
  reminder: 'Reminder (until the password is in)',
  'pre-cutover': 'The day before the cutover',
  'dns-change': 'DNS change (mail arrives at the new system)',
  alert: 'Alert about the user’s mailbox',
  completion: 'Completion',
};

/** The project's templates card; `onSent` after a test send (the log shows it). */
export function CommsTemplates({
  projectId,
  smtpConfigured,
  onSent,
}: {
  projectId: number;
  smtpConfigured: boolean;
  onSent: () => void;
}) {
  const list = useLoad(
    () => api('GET /api/projects/{id}/comms/templates', { path: { id: projectId } }),
    [projectId],
  );
  const [kind, setKind] = useState<Kind>('announcement');
  const t = list.data?.find((x) => x.kind === kind);
  return (
    <div className="card">
      <h2>Templates</h2>
      <ProblemNote problem={list.error} />
      <label>
        Template{' '}
        <select value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
          {(list.data ?? []).map((x) => (
            <option key={x.kind} value={x.kind}>
              {KIND_WORDS[x.kind] ?? x.kind}
              {x.edited ? ' – edited' : ''}
            </option>
          ))}
        </select>
      </label>
      {t && (
        <Editor
          key={t.kind}
          projectId={projectId}
          t={t}
          smtp={smtpConfigured}
          onChange={list.reload}
          onSent={onSent}
        />
      )}
    </div>
  );
}

function Editor(props: {
  projectId: number;
  t: Template;
  smtp: boolean;
  onChange: () => void;
  onSent: () => void;
}) {
  const { t } = props;
  const [draft, setDraft] = useState({ subject: t.subject, text: t.text, html: t.html });
  const [preview, setPreview] =
    useState<ResponseOf<'GET /api/projects/{id}/comms/templates/{kind}/preview'>>();
  const [to, setTo] = useState('');
  const [note, setNote] = useState<string>();
  const act = useAction();
  const path = { id: props.projectId, kind: t.kind };
  const changed = draft.subject !== t.subject || draft.text !== t.text || draft.html !== t.html;
  // A save or reset reloads the template: the form shows what is stored now, and an older preview goes.
  useEffect(() => {
    setDraft({ subject: t.subject, text: t.text, html: t.html });
    setPreview(undefined);
  }, [t.subject, t.text, t.html]);

  const save = () =>
    void act.run(async () => {
      await api('PUT /api/projects/{id}/comms/templates/{kind}', { path, body: draft });
      setNote('Saved.');
      props.onChange();
    });
  const reset = () =>
    void act.run(async () => {
      await api('DELETE /api/projects/{id}/comms/templates/{kind}', { path });
      setNote('Back to the default.');
      props.onChange();
    });
  const show = () =>
    void act.run(async () =>
      setPreview(await api('GET /api/projects/{id}/comms/templates/{kind}/preview', { path })),
    );
  const test = () =>
    void act.run(async () => {
      const r = await api('POST /api/projects/{id}/comms/test', {
        path: { id: props.projectId },
        body: { kind: t.kind, to },
      });
      setNote(r.status === 'sent' ? `Test sent to ${to}.` : `The test to ${to} was not sent: ${r.status}.`);
      props.onSent();
    });
  const field = (k: keyof typeof draft) => ({
    value: draft[k],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value }),
  });

  return (
    <>
      <p className="muted">
        Placeholders: <code>{'{{name}}'}</code>, <code>{'{{address}}'}</code>, <code>{'{{newAddress}}'}</code>
        , <code>{'{{link}}'}</code>, <code>{'{{linkExpires}}'}</code>, <code>{'{{cutoverDate}}'}</code>,{' '}
        <code>{'{{project}}'}</code>, <code>{'{{alert}}'}</code>.
      </p>
      <label>
        Subject
        <input {...field('subject')} />
      </label>
      <label>
        Plain-text body
        <textarea rows={8} spellCheck={false} {...field('text')} />
      </label>
      <label>
        HTML body
        <textarea rows={6} spellCheck={false} {...field('html')} />
      </label>
      <div className="actions">
        <button type="button" className="primary" disabled={!changed || act.busy} onClick={save}>
          Save the template
        </button>
        <button type="button" disabled={act.busy} onClick={show}>
          Preview
        </button>
        {t.edited && (
          <button type="button" disabled={act.busy} onClick={reset}>
            Back to the default
          </button>
        )}
      </div>
      {changed && (
        <p className="muted">Save before previewing or sending a test: they use the saved template.</p>
      )}
      <div className="toolbar">
        <label>
          Send a test to{' '}
          <input
            type="email"
            value={to}
            placeholder="you@example.com"
            onChange={(e) => setTo(e.target.value)}
          />
        </label>
        <button type="button" disabled={!props.smtp || !to.includes('@') || act.busy} onClick={test}>
          Send the test
        </button>
      </div>
      <ProblemNote problem={act.error} onDismiss={act.clear} />
      {note && <p className="notice">{note}</p>}
      {preview && (
        <div className="preview">
          <h3>Preview (example values)</h3>
          <p>
            Subject: <strong>{preview.subject}</strong>
          </p>
          <p className="muted">As plain text:</p>
          <pre className="mail-text">{preview.text}</pre>
          <p className="muted">As HTML:</p>
          <iframe title="HTML preview" sandbox="" srcDoc={preview.html} className="mail-html" />
        </div>
      )}
    </>
  );
}
