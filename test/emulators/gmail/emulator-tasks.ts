/**
 * EMULATOR (test code): the Tasks API v1 methods Cutover uses, refusing what Google refuses:
 * - tasklists.list (maxResults ≤ 100; the first list is "My Tasks") and tasklists.insert (a title required);
 * - tasks.list: maxResults ≤ 100, showCompleted (default true), showHidden (default false: a task completed
 *   in Google's own apps is hidden — `completeInApp()` — and only listed with showHidden=true), showDeleted
 *   (default false), updatedMin (RFC 3339);
 * - tasks.insert / patch / update: title ≤ 1024 characters, notes ≤ 8192; `due` keeps the date only (the API
 *   discards the time of day); status completed sets `completed` (now, unless given), needsAction clears it;
 *   `parent` must be a task of the list; tasks.move (parent, previous); tasks.delete (its subtasks too).
 * The Tasks API has no sync token and documents no If-Match.
 */
import { randomBytes } from 'node:crypto';
import type { Answer } from './emulator-routes.js';
import { err } from './gmail-emulator.js';

type Json = Record<string, unknown>;
interface TaskList {
  id: string;
  title: string;
  updated: string;
  tasks: Map<string, Json>;
}

const TITLE_MAX = 1024;
const NOTES_MAX = 8192;
let etagSeq = 1;

const id = (): string => randomBytes(12).toString('base64url');

export class TasksStore {
  readonly lists: TaskList[] = [
    { id: id(), title: 'My Tasks', updated: new Date().toISOString(), tasks: new Map() },
  ];

  list(listId: string): TaskList | undefined {
    return this.lists.find((l) => l.id === listId);
  }

  touch(t: Json): void {
    t.etag = `"LTE${(etagSeq++).toString().padStart(8, '0')}"`;
    // Strictly increasing, as Google's own clock in practice: two writes in one millisecond stay ordered.
    const last = Math.max(Date.now(), lastUpdated + 1);
    lastUpdated = last;
    t.updated = new Date(last).toISOString();
  }

  /** Complete a task in Google's own app: completed and hidden (listed only with showHidden). */
  completeInApp(listId: string, taskId: string): void {
    const t = this.list(listId)?.tasks.get(taskId);
    if (!t) throw new Error(`emulator: no task ${taskId}`);
    Object.assign(t, { status: 'completed', completed: new Date().toISOString(), hidden: true });
    this.touch(t);
  }
}
let lastUpdated = 0;

/** A JSON value as the text Google would read from it. */
const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function invalid(message: string): Answer {
  return [400, err(400, message, 'invalid')];
}

/** What a task body may not hold, and the stored form of what it may. */
function checked(body: Json, list: TaskList, self?: string): Answer | Json {
  const t: Json = {};
  if (body.title !== undefined) {
    if (text(body.title).length > TITLE_MAX)
      return invalid(`Invalid value for title: at most ${TITLE_MAX} characters.`);
    t.title = body.title;
  }
  if (body.notes !== undefined) {
    if (text(body.notes).length > NOTES_MAX)
      return invalid(`Invalid value for notes: at most ${NOTES_MAX} characters.`);
    t.notes = body.notes;
  }
  if (body.due !== undefined) {
    const d = Date.parse(text(body.due));
    if (!Number.isFinite(d)) return invalid('Invalid value for due.');
    t.due = `${new Date(d).toISOString().slice(0, 10)}T00:00:00.000Z`;
  }
  if (body.status !== undefined) {
    if (body.status !== 'completed' && body.status !== 'needsAction')
      return invalid('Invalid value for status.');
    t.status = body.status;
  }
  if (body.completed !== undefined) t.completed = body.completed;
  if (body.parent !== undefined && body.parent !== self) t.parent = body.parent;
  if (typeof t.parent === 'string' && !list.tasks.has(t.parent)) return invalid('Invalid value for parent.');
  return t;
}

function settle(t: Json): void {
  if (t.status === 'completed') t.completed ??= new Date().toISOString();
  else {
    t.status = 'needsAction';
    delete t.completed;
  }
}

/** Serve one Tasks API request (`rest` starts with /). */
export function serveTasks(
  st: TasksStore,
  method: string,
  rest: string,
  q: URLSearchParams,
  json: Json,
): Answer {
  if (rest === '/users/@me/lists') {
    if (method === 'GET') {
      const max = Number(q.get('maxResults') ?? 20);
      if (!(max >= 1 && max <= 100)) return invalid('Invalid value for maxResults: at most 100.');
      const start = Number(q.get('pageToken') ?? 0);
      const page = st.lists.slice(start, start + max);
      return [
        200,
        {
          kind: 'tasks#taskLists',
          items: page.map(({ tasks: _t, ...l }) => ({ kind: 'tasks#taskList', ...l })),
          ...(start + max < st.lists.length ? { nextPageToken: String(start + max) } : {}),
        },
      ];
    }
    if (method === 'POST') {
      if (typeof json.title !== 'string' || !json.title.trim()) return invalid('Missing title.');
      const l: TaskList = {
        id: id(),
        title: json.title,
        updated: new Date().toISOString(),
        tasks: new Map(),
      };
      st.lists.push(l);
      return [200, { kind: 'tasks#taskList', id: l.id, title: l.title, updated: l.updated }];
    }
  }
  const m = /^\/lists\/([^/]+)\/tasks(?:\/([^/]+))?(\/move)?$/.exec(rest);
  if (!m) return [404, err(404, `No route ${method} ${rest}`, 'notFound')];
  const list = st.list(decodeURIComponent(m[1]!));
  if (!list) return [404, err(404, 'Task list not found.', 'notFound')];
  const taskId = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
  if (taskId === undefined && method === 'GET') {
    const max = Number(q.get('maxResults') ?? 20);
    if (!(max >= 1 && max <= 100)) return invalid('Invalid value for maxResults: at most 100.');
    const min = q.get('updatedMin') ? Date.parse(q.get('updatedMin')!) : undefined;
    if (min !== undefined && !Number.isFinite(min)) return invalid('Invalid value for updatedMin.');
    const items = [...list.tasks.values()].filter(
      (t) =>
        (q.get('showDeleted') === 'true' || !t.deleted) &&
        (q.get('showHidden') === 'true' || !t.hidden) &&
        (q.get('showCompleted') !== 'false' || t.status !== 'completed') &&
        (min === undefined || Date.parse(String(t.updated)) >= min),
    );
    const start = Number(q.get('pageToken') ?? 0);
    return [
      200,
      {
        kind: 'tasks#tasks',
        items: items.slice(start, start + max),
        ...(start + max < items.length ? { nextPageToken: String(start + max) } : {}),
      },
    ];
  }
  if (taskId === undefined && method === 'POST') {
    const c = checked({ ...json, ...(q.get('parent') ? { parent: q.get('parent') } : {}) }, list);
    if (Array.isArray(c)) return c;
    const t: Json = { kind: 'tasks#task', id: id(), ...c };
    settle(t);
    st.touch(t);
    list.tasks.set(String(t.id), t);
    return [200, t];
  }
  const t = taskId === undefined ? undefined : list.tasks.get(taskId);
  if (!t || t.deleted) return [404, err(404, 'Task not found.', 'notFound')];
  if (m[3] && method === 'POST') {
    const parent = q.get('parent') ?? undefined;
    if (parent !== undefined && (!list.tasks.has(parent) || parent === taskId))
      return invalid('Invalid value for parent.');
    if (parent === undefined) delete t.parent;
    else t.parent = parent;
    st.touch(t);
    return [200, t];
  }
  if (method === 'GET') return [200, t];
  if (method === 'DELETE') {
    for (const x of list.tasks.values())
      if (x === t || x.parent === taskId) {
        x.deleted = true;
        st.touch(x);
      }
    return [204, undefined];
  }
  if (method === 'PATCH' || method === 'PUT') {
    const { parent: _p, ...body } = json;
    const c = checked(body, list, taskId);
    if (Array.isArray(c)) return c;
    if (method === 'PUT') for (const k of ['title', 'notes', 'due', 'completed']) delete t[k];
    Object.assign(t, c);
    settle(t);
    st.touch(t);
    return [200, t];
  }
  return [404, err(404, `No route ${method} ${rest}`, 'notFound')];
}
