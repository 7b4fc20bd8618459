/**
 * Google Tasks through the Tasks API v1: each task list is a calendar holding VTODOs (the first list, "My
 * Tasks", is the default). The API has no sync token: a delta lists with updatedMin (the latest `updated`
 * time the previous listing saw, Google's own clock) and showDeleted, so deletions come back flagged
 * `deleted`; without a token everything is listed and the engine compares ETags. Completed tasks are
 * listed too (showCompleted and showHidden: tasks completed in Google's apps are hidden otherwise).
 * Subtasks: `parent` is set on insert; a subtask written before its parent is moved under it (tasks.move)
 * once the parent arrives in the same session. The API documents no If-Match for tasks: a replace reads the
 * task first and refuses when its ETag moved.
 */
import { ErrorCode, PermanentError } from '../../errors.js';
import type {
  CollectionChanges,
  EnsuredCollection,
  GroupwareCollection,
  GroupwareItem,
  GroupwareItemRef,
} from '../groupware-contract.js';
import { StaleEtag, type GoogleApi } from './google-api.js';
import { taskOf, todoText, type GoogleTask } from './google-tasks-map.js';
import { GmailNotFoundError } from './gmail-errors.js';

interface TaskList {
  id: string;
  title?: string;
}

/** The collection id of a task list. */
export const taskListId = (id: string): string => `tasks:${id}`;
const enc = encodeURIComponent;

export class GoogleTasks {
  /** Per list: UID written this session → Google id, and subtasks waiting for their parent's UID. */
  private readonly written = new Map<string, Map<string, string>>();
  private readonly waiting = new Map<string, Array<{ id: string; parentUid: string }>>();

  constructor(private readonly api: GoogleApi) {}

  private lists(signal?: AbortSignal): Promise<TaskList[]> {
    return this.api.allItems<TaskList>(
      { api: 'tasks', op: 'tasklists.list', path: '/users/@me/lists', query: { maxResults: 100 } },
      signal,
    );
  }

  async collections(signal?: AbortSignal): Promise<GroupwareCollection[]> {
    return (await this.lists(signal)).map((l, i) => ({
      id: taskListId(l.id),
      type: 'calendar',
      components: ['VTODO'],
      displayName: l.title ?? l.id,
      isDefault: i === 0,
    }));
  }

  async ensure(like: GroupwareCollection, signal?: AbortSignal): Promise<EnsuredCollection> {
    const all = await this.lists(signal);
    const notKept = [
      ...(like.color ? [`colour ${like.color}: Google task lists have none`] : []),
      ...(like.description ? ['description: Google task lists have none'] : []),
    ];
    const found = like.isDefault ? all[0] : all.find((l) => l.title === like.displayName);
    if (found) return { id: taskListId(found.id), existed: true, notKept };
    const made = await this.api.json<TaskList>(
      { api: 'tasks', op: 'tasklists.insert', path: '/users/@me/lists', json: { title: like.displayName } },
      signal,
    );
    return { id: taskListId(made.id), existed: false, notKept };
  }

  async changes(list: string, token: string | undefined, signal?: AbortSignal): Promise<CollectionChanges> {
    const changed: GroupwareItemRef[] = [];
    const deleted: string[] = [];
    let latest = token;
    let pageToken: string | undefined;
    do {
      const page = await this.api.json<{ items?: GoogleTask[]; nextPageToken?: string }>(
        {
          api: 'tasks',
          op: 'tasks.list',
          path: `/lists/${enc(list)}/tasks`,
          query: {
            maxResults: 100,
            showCompleted: true,
            showHidden: true,
            showDeleted: token !== undefined,
            updatedMin: token,
            pageToken,
          },
        },
        signal,
      );
      for (const t of page.items ?? []) {
        if (!t.id) continue;
        if (t.updated && (latest === undefined || t.updated > latest)) latest = t.updated;
        if (t.deleted) deleted.push(t.id);
        else changed.push({ key: t.id, etag: t.etag ?? '' });
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    return { changed, deleted, token: latest, full: token === undefined };
  }

  async *read(list: string, keys: string[], signal?: AbortSignal): AsyncIterable<GroupwareItem> {
    for (const key of keys) {
      const t = await this.get(list, key, signal);
      if (!t || t.deleted) continue;
      yield { key, etag: t.etag ?? '', uid: key, contentType: 'text/calendar', data: todoText(t) };
    }
  }

  private async get(list: string, id: string, signal?: AbortSignal): Promise<GoogleTask | undefined> {
    try {
      return await this.api.json<GoogleTask>(
        { api: 'tasks', op: 'tasks.get', path: `/lists/${enc(list)}/tasks/${enc(id)}` },
        signal,
      );
    } catch (err) {
      if (err instanceof GmailNotFoundError) return undefined;
      throw err;
    }
  }

  async put(
    list: string,
    item: GroupwareItem,
    replace?: GroupwareItemRef,
    signal?: AbortSignal,
  ): Promise<GroupwareItemRef> {
    const w = taskOf(item.data);
    if (!w)
      throw new PermanentError(
        ErrorCode.MessageRejected,
        `${this.api.where}: "${item.uid ?? item.key}" holds no task (VTODO); a Google task list keeps tasks only.`,
        'Events go to a calendar.',
      );
    const mine = this.written.get(list) ?? new Map<string, string>();
    this.written.set(list, mine);
    // A parent written this session, or a parent that is itself a Google task of this list (read from Google).
    const parent =
      w.parentUid === undefined
        ? undefined
        : (mine.get(w.parentUid) ?? (await this.known(list, w.parentUid, signal)));
    const base = `/lists/${enc(list)}/tasks`;
    let task: GoogleTask;
    if (replace) {
      const now = await this.get(list, replace.key, signal);
      if (now && now.etag !== replace.etag)
        throw new StaleEtag(
          ErrorCode.Conflict,
          `${this.api.where}: task ${replace.key} changed in Google since Cutover wrote it (ETag ${now.etag}, not ${replace.etag}).`,
          'The next pass reads it again.',
        );
      task = await this.api.json<GoogleTask>(
        {
          api: 'tasks',
          op: 'tasks.patch',
          method: 'PATCH',
          path: `${base}/${enc(replace.key)}`,
          json: { ...w.task, id: replace.key },
        },
        signal,
      );
      if (parent !== undefined && now?.parent !== parent)
        task = await this.move(list, replace.key, parent, signal);
    } else {
      task = await this.api.json<GoogleTask>(
        { api: 'tasks', op: 'tasks.insert', path: base, query: { parent }, json: w.task },
        signal,
      );
    }
    const id = task.id ?? '';
    if (w.parentUid !== undefined && parent === undefined)
      this.waiting.set(list, [...(this.waiting.get(list) ?? []), { id, parentUid: w.parentUid }]);
    if (w.uid !== undefined) {
      mine.set(w.uid, id);
      const children = (this.waiting.get(list) ?? []).filter((c) => c.parentUid === w.uid);
      this.waiting.set(
        list,
        (this.waiting.get(list) ?? []).filter((c) => c.parentUid !== w.uid),
      );
      for (const c of children) await this.move(list, c.id, id, signal);
    }
    return { key: id, etag: task.etag ?? '' };
  }

  /** The id when `uid` is a task id of this list (an item read from Google keeps its id as UID). */
  private async known(list: string, uid: string, signal?: AbortSignal): Promise<string | undefined> {
    if (!/^[A-Za-z0-9_-]+$/.test(uid)) return undefined;
    return (await this.get(list, uid, signal))?.id;
  }

  private move(list: string, id: string, parent: string, signal?: AbortSignal): Promise<GoogleTask> {
    return this.api.json<GoogleTask>(
      {
        api: 'tasks',
        op: 'tasks.move',
        path: `/lists/${enc(list)}/tasks/${enc(id)}/move`,
        query: { parent },
        method: 'POST',
      },
      signal,
    );
  }

  async delete(list: string, ref: GroupwareItemRef, signal?: AbortSignal): Promise<void> {
    await this.api.json(
      {
        api: 'tasks',
        op: 'tasks.delete',
        method: 'DELETE',
        path: `/lists/${enc(list)}/tasks/${enc(ref.key)}`,
      },
      signal,
    );
  }
}
