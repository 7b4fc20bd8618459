/**
 * A Microsoft 365 mailbox's contacts, calendars and To Do tasks, open (GroupwareEndpoint). Every request
 * goes through the mailbox's GraphClient, so its gate, budgets and throttling answers apply as for mail.
 * Items travel as vCard 4.0 (graph-contacts.ts) and iCalendar (graph-event-series.ts, graph-todo.ts).
 *
 * What an item loses on the way in (a fourth e-mail address, a fax number, a floating time written in the
 * mailbox's zone, attendees kept out of Graph so no invitation is sent, …) is not an error: the item is
 * written and the reasons, in words, are kept in `notes` under the item's key, for the run to report (the
 * contract has no place for them yet). A refusal by Graph throws a PermanentError (MessageRejected) with
 * Graph's own words.
 */
import { ErrorCode, PermanentError } from '../../errors.js';
import type {
  CollectionChanges,
  EnsuredCollection,
  GroupwareCapabilities,
  GroupwareCollection,
  GroupwareEndpoint,
  GroupwareItem,
  GroupwareItemRef,
} from '../groupware-contract.js';
import type { GraphClient } from './graph-client.js';
import { userPath } from './graph-config.js';
import { contactToVcard, vcardToContact, type GraphContact } from './graph-contacts.js';
import { findByUid, readEvent, writeEvent } from './graph-event-series.js';
import { GROUPWARE_PREFER, ianaOf } from './graph-event-times.js';
import { ensureGraphCollection, kindOf, listGraphCollections } from './graph-groupware-collections.js';
import { graphChanges } from './graph-groupware-delta.js';
import { EXPAND_PROPS, TASK_EXTENSION } from './graph-stash.js';
import { taskExtension, taskToVtodo, vtodoToTask, type GraphTask } from './graph-todo.js';

/** Graph's largest request body (a bigger item cannot be written in one request). */
const REQUEST_MAX = 4 * 1024 * 1024;

const isNotFound = (err: unknown) => err instanceof PermanentError && /HTTP 404/.test(err.message);

/** A refusal of one item (Graph's 4xx other than throttling and permissions), said as a rejected item. */
function rejected(err: unknown, what: string): unknown {
  if (err instanceof PermanentError && err.code === ErrorCode.AuthFailed && /HTTP 403/.test(err.message))
    return new PermanentError(
      ErrorCode.AuthFailed,
      err.message,
      'Contacts, calendars and To Do need the Contacts.ReadWrite, Calendars.ReadWrite and Tasks.ReadWrite.All application permissions (the .Read ones to read only), with admin consent.',
      { cause: err },
    );
  if (!(err instanceof PermanentError) || err.code !== ErrorCode.ProtocolError) return err;
  // A replace whose If-Match changeKey is no longer current: changed in Outlook since Cutover wrote it.
  if (/HTTP 412/.test(err.message))
    return new PermanentError(
      ErrorCode.Conflict,
      `${what}: ${err.message}`,
      'The item was changed in Microsoft 365 since Cutover copied it; compare the two and keep the right one.',
      { cause: err },
    );
  return new PermanentError(
    ErrorCode.MessageRejected,
    `${what}: ${err.message}`,
    'Microsoft 365 refused this item as it is; the rest of the collection goes on. Change the item at the source if it should be copied.',
    { cause: err },
  );
}

export class GraphGroupware implements GroupwareEndpoint {
  readonly capabilities: GroupwareCapabilities = {
    types: ['contacts', 'calendars', 'tasks'],
    vcardVersion: '4.0',
    maxItemBytes: REQUEST_MAX,
  };
  /** What could not be kept of each item written or read, by its key here. */
  readonly notes = new Map<string, string[]>();
  private zone?: string;

  constructor(private readonly client: GraphClient) {}

  private get base(): string {
    return userPath(this.client.target);
  }

  /** The mailbox's time zone (IANA), for floating times and all-day items. */
  private async mailboxZone(signal?: AbortSignal): Promise<string> {
    if (this.zone) return this.zone;
    const s = await this.client.json<{ timeZone?: string }>(
      'GET',
      `${this.base}/mailboxSettings`,
      { what: 'read mailbox time zone' },
      signal,
    );
    this.zone = ianaOf(s.timeZone) ?? 'UTC';
    return this.zone;
  }

  listCollections(signal?: AbortSignal): Promise<GroupwareCollection[]> {
    return listGraphCollections(this.client, signal);
  }

  changes(collectionId: string, token: string | undefined, signal?: AbortSignal): Promise<CollectionChanges> {
    return graphChanges(this.client, collectionId, token, signal);
  }

  async *readItems(collectionId: string, keys: string[], signal?: AbortSignal): AsyncIterable<GroupwareItem> {
    const kind = kindOf(collectionId);
    for (const key of keys) {
      try {
        if (kind === 'contacts') {
          const c = await this.client.json<GraphContact>(
            'GET',
            `${this.base}/contacts/${encodeURIComponent(key)}?$expand=${EXPAND_PROPS}`,
            { what: 'read contact' },
            signal,
          );
          const v = contactToVcard(c);
          yield {
            key,
            etag: c.changeKey ?? '',
            ...(v.uid ? { uid: v.uid } : {}),
            contentType: 'text/vcard',
            data: v.data,
          };
        } else if (kind === 'events') {
          const e = await readEvent(this.client, key, signal);
          if (e) yield { key, etag: e.etag, uid: e.uid, contentType: 'text/calendar', data: e.data };
        } else {
          const t = await this.client.json<GraphTask>(
            'GET',
            `${this.base}/${collectionId}/tasks/${encodeURIComponent(key)}?$expand=extensions`,
            { prefer: GROUPWARE_PREFER, what: 'read task' },
            signal,
          );
          const v = taskToVtodo(t, await this.mailboxZone(signal));
          yield { key, etag: t['@odata.etag'] ?? '', uid: v.uid, contentType: 'text/calendar', data: v.data };
        }
      } catch (err) {
        if (!isNotFound(err)) throw err; // gone since it was listed: not yielded
      }
    }
  }

  ensureCollection(like: GroupwareCollection, signal?: AbortSignal): Promise<EnsuredCollection> {
    return ensureGraphCollection(this.client, like, signal);
  }

  async putItem(
    collectionId: string,
    item: GroupwareItem,
    replace?: GroupwareItemRef,
    signal?: AbortSignal,
  ): Promise<GroupwareItemRef> {
    const notes: string[] = [];
    const what = `${collectionId}: item ${item.uid ?? item.key}`;
    try {
      const kind = kindOf(collectionId);
      const ref =
        kind === 'contacts'
          ? await this.putContact(collectionId, item, replace, notes, signal)
          : kind === 'events'
            ? await writeEvent(
                this.client,
                collectionId,
                item.data,
                replace,
                await this.mailboxZone(signal),
                notes,
                signal,
              )
            : await this.putTask(collectionId, item, replace, notes, signal);
      this.notes.set(ref.key, notes);
      return ref;
    } catch (err) {
      throw rejected(err, what);
    }
  }

  private async putContact(
    collectionId: string,
    item: GroupwareItem,
    replace: GroupwareItemRef | undefined,
    notes: string[],
    signal?: AbortSignal,
  ): Promise<GroupwareItemRef> {
    const { body, uid, notes: lost } = vcardToContact(item.data);
    notes.push(...lost);
    const list =
      collectionId === 'contacts' ? `${this.base}/contacts` : `${this.base}/${collectionId}/contacts`;
    const target = replace ?? (uid ? await findByUid(this.client, list, uid, signal) : undefined);
    const made = target
      ? await this.client.json<GraphContact>(
          'PATCH',
          `${this.base}/contacts/${encodeURIComponent(target.key)}`,
          { body, what: 'update contact', ...(replace?.etag ? { ifMatch: `W/"${replace.etag}"` } : {}) },
          signal,
        )
      : await this.client.json<GraphContact>('POST', list, { body, what: 'create contact' }, signal);
    return { key: made.id, etag: made.changeKey ?? '' };
  }

  private async putTask(
    collectionId: string,
    item: GroupwareItem,
    replace: GroupwareItemRef | undefined,
    notes: string[],
    signal?: AbortSignal,
  ): Promise<GroupwareItemRef> {
    const { body, uid } = vtodoToTask(item.data, await this.mailboxZone(signal), notes);
    const list = `${this.base}/${collectionId}/tasks`;
    let target: { key: string } | undefined = replace;
    if (!target && uid)
      for await (const page of this.client.pages<GraphTask>(`${list}?$select=id&$expand=extensions`, signal))
        target ??= page.filter((t) => taskExtension(t)?.uid === uid).map((t) => ({ key: t.id }))[0];
    if (!target) {
      const made = await this.client.json<GraphTask>('POST', list, { body, what: 'create task' }, signal);
      return { key: made.id, etag: made['@odata.etag'] ?? '' };
    }
    const { extensions, ...fields } = body as { extensions: Array<Record<string, unknown>> };
    const path = `${list}/${encodeURIComponent(target.key)}`;
    // To Do takes no If-Match: the version is compared here, so an edit made at the destination since
    // Cutover wrote the task is not overwritten (a Conflict, as the other systems answer).
    if (replace?.etag) {
      const there = await this.client.json<GraphTask>(
        'GET',
        `${path}?$select=id`,
        { what: 'read task' },
        signal,
      );
      if ((there['@odata.etag'] ?? '') !== replace.etag)
        throw new PermanentError(
          ErrorCode.Conflict,
          `The task ${target.key} changed in Microsoft To Do since Cutover wrote it (version ${there['@odata.etag'] ?? 'unknown'}, expected ${replace.etag}).`,
          'Compare the two and keep the right one by hand; Cutover does not overwrite it.',
        );
    }
    await this.client.json('PATCH', path, { body: fields, what: 'update task' }, signal);
    const ext = extensions[0] ?? {};
    try {
      await this.client.json(
        'PATCH',
        `${path}/extensions/${TASK_EXTENSION}`,
        { body: ext, what: 'update task extension' },
        signal,
      );
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.client.json('POST', `${path}/extensions`, { body: ext, what: 'add task extension' }, signal);
    }
    const now = await this.client.json<GraphTask>('GET', `${path}?$select=id`, { what: 'read task' }, signal);
    return { key: now.id, etag: now['@odata.etag'] ?? '' };
  }

  async deleteItem(collectionId: string, ref: GroupwareItemRef, signal?: AbortSignal): Promise<void> {
    const kind = kindOf(collectionId);
    const path =
      kind === 'contacts'
        ? `${this.base}/contacts/${encodeURIComponent(ref.key)}`
        : kind === 'events'
          ? `${this.base}/events/${encodeURIComponent(ref.key)}`
          : `${this.base}/${collectionId}/tasks/${encodeURIComponent(ref.key)}`;
    try {
      await this.client.json('DELETE', path, { what: 'delete item' }, signal);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** Nothing to release: every request is its own exchange. */
  async close(): Promise<void> {}
}
