/**
 * A project's settings (or a new one): name, source, destination, what to move, how much at once. Every
 * setting stays editable; "Test connection" saves pending changes first, then logs in to that side.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api } from '../api/api.js';
import type { BodyOf, ResponseOf } from '../api/client.js';
import { useAction } from '../api/use-api.js';
import { ConnectionResult } from '../components/connection-result.js';
import { MoveFields, moveForm, moveIn, type MoveForm } from '../components/move-fields.js';
import { ProblemNote } from '../components/problem-note.js';
import { emptyServer, serverForm, serverIn, ServerFields } from '../components/server-fields.js';
import type { ServerForm } from '../components/server-form.js';
import { useProjects, type Project } from '../project-context.js';
import { Link, navigate } from '../router.js';

type Side = 'source' | 'destination';
const MB = 1024 * 1024;

interface Form {
  name: string;
  timezone: string;
  source: ServerForm;
  destination: ServerForm;
  move: MoveForm;
  mailboxes: string;
  foldersPerMailbox: string;
  messagesPerSecond: string;
  megabytesPerSecond: string;
}

/** The project's pace fields: the form key (also the input's name), its label and its keyboard. */
const PACE = [
  ['mailboxes', 'Mailboxes at once', 'numeric'],
  ['foldersPerMailbox', 'Folders at once per mailbox', 'numeric'],
  ['messagesPerSecond', 'Messages per second at most (empty: no limit)', 'decimal'],
  ['megabytesPerSecond', 'MB per second at most (empty: no limit)', 'decimal'],
] as const;

function formOf(p: Project | undefined): Form {
  return {
    name: p?.name ?? '',
    timezone: p?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
    source: p ? serverForm(p.source) : emptyServer(),
    destination: p ? serverForm(p.destination) : emptyServer(),
    move: moveForm(p?.defaults),
    mailboxes: String(p?.concurrency.mailboxes ?? 4),
    foldersPerMailbox: String(p?.concurrency.foldersPerMailbox ?? 2),
    messagesPerSecond: p?.limits.messagesPerSecond ? String(p.limits.messagesPerSecond) : '',
    megabytesPerSecond: p?.limits.bytesPerSecond ? String(p.limits.bytesPerSecond / MB) : '',
  };
}

function bodyOf(f: Form): BodyOf<'POST /api/projects'> {
  return {
    name: f.name.trim(),
    timezone: f.timezone.trim(),
    source: serverIn(f.source, 'source'),
    destination: serverIn(f.destination, 'destination'),
    defaults: moveIn(f.move),
    concurrency: { mailboxes: Number(f.mailboxes) || 1, foldersPerMailbox: Number(f.foldersPerMailbox) || 1 },
    // Empty: no limit.
    limits: {
      ...(Number(f.messagesPerSecond) > 0 ? { messagesPerSecond: Number(f.messagesPerSecond) } : {}),
      ...(Number(f.megabytesPerSecond) > 0
        ? { bytesPerSecond: Math.round(Number(f.megabytesPerSecond) * MB) }
        : {}),
    },
  };
}

/** Edit project `id`, or create one when `id` is undefined. */
export function ProjectEditPage({ id }: { id?: number }) {
  const { projects, reload, select } = useProjects();
  const stored = projects.find((p) => p.id === id);
  const [form, setForm] = useState<Form>(() => formOf(stored));
  const [dirty, setDirty] = useState(false);
  const [saved, setSaved] = useState(false);
  const save = useAction();
  const test = useAction();
  const [tested, setTested] = useState<
    Partial<Record<Side, ResponseOf<'POST /api/projects/{id}/test/{side}'>>>
  >({});
  const [testing, setTesting] = useState<Side>();

  // The list arrives after a reload: take the stored values unless the operator is typing.
  useEffect(() => {
    if (stored && !dirty) setForm(formOf(stored));
  }, [stored, dirty]);

  const edit = (patch: Partial<Form>) => {
    setForm((f) => ({ ...f, ...patch }));
    setDirty(true);
    setSaved(false);
  };

  const persist = async (): Promise<boolean> => {
    const done = await save.run(() =>
      id === undefined
        ? api('POST /api/projects', { body: bodyOf(form) })
        : api('PATCH /api/projects/{id}', { path: { id }, body: bodyOf(form) }),
    );
    if (!done) return false;
    setDirty(false);
    setSaved(true);
    reload();
    if (id === undefined) {
      select(done.id);
      navigate(`/projects/${done.id}`, true);
    }
    return true;
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void persist();
  };

  const runTest = async (side: Side) => {
    if (id === undefined) return;
    setTesting(side);
    if (dirty && !(await persist())) return;
    const r = await test.run(() => api('POST /api/projects/{id}/test/{side}', { path: { id, side } }));
    if (r) setTested((t) => ({ ...t, [side]: r }));
  };

  const remove = async () => {
    if (
      id === undefined ||
      !confirm(`Delete the project "${stored?.name}" with its mailboxes and their history?`)
    )
      return;
    if (await save.run(() => api('DELETE /api/projects/{id}', { path: { id } }))) {
      reload();
      navigate('/projects');
    }
  };

  const sideBlock = (side: Side, title: string) => (
    <fieldset>
      <legend>{title}</legend>
      <ServerFields name={side} value={form[side]} onChange={(v) => edit({ [side]: v })} />
      {id !== undefined && (
        <div className="actions">
          <button type="button" disabled={test.busy || save.busy} onClick={() => void runTest(side)}>
            {dirty ? 'Save and test connection' : 'Test connection'}
          </button>
          {test.busy && testing === side && <span className="muted">Logging in…</span>}
        </div>
      )}
      {testing === side && <ProblemNote problem={test.error} />}
      <ConnectionResult result={tested[side]} />
    </fieldset>
  );

  return (
    <section>
      <p className="crumbs">
        <Link to="/projects">Projects</Link> ›
      </p>
      <h1>{id === undefined ? 'New project' : (stored?.name ?? `Project ${id}`)}</h1>
      <form onSubmit={onSubmit}>
        <fieldset>
          <legend>Project</legend>
          <div className="form-grid">
            <label>
              Name
              <input
                name="name"
                value={form.name}
                onChange={(e) => edit({ name: e.target.value })}
                required
              />
            </label>
            <label>
              Time zone (for schedules and throttling windows)
              <input
                name="timezone"
                value={form.timezone}
                onChange={(e) => edit({ timezone: e.target.value })}
              />
            </label>
            {PACE.map(([key, label, inputMode]) => (
              <label key={key}>
                {label}
                <input
                  name={key}
                  inputMode={inputMode}
                  value={form[key]}
                  onChange={(e) => edit({ [key]: e.target.value })}
                />
              </label>
            ))}
          </div>
        </fieldset>
        {sideBlock('source', 'Source: where the mail is now')}
        {sideBlock('destination', 'Destination: where the mail goes')}
        <fieldset>
          <legend>What to move (each mailbox may override)</legend>
          <MoveFields value={form.move} onChange={(move) => edit({ move })} />
        </fieldset>
        <ProblemNote problem={save.error} onDismiss={save.clear} />
        {saved && !dirty && <div className="notice">Saved.</div>}
        <div className="actions">
          <button type="submit" className="primary" disabled={save.busy}>
            {id === undefined ? 'Create project' : 'Save changes'}
          </button>
          {id !== undefined && (
            <button type="button" className="danger" disabled={save.busy} onClick={() => void remove()}>
              Delete project
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
