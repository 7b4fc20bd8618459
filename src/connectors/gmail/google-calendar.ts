/**
 * Google Calendar through the Calendar API v3: the calendars of calendarList (primary = the default; a
 * calendar the user does not own — reader, freeBusyReader, writer — is reported as shared), each event
 * series one item keyed by its master's event id. Delta: events.list with syncToken (410 fullSyncRequired
 * → a full listing). Writes use events.import, which keeps the iCalUID and never notifies anyone; a replace
 * is events.update with If-Match and sendUpdates=none, and overridden instances are imported again (import
 * updates the instance with that iCalUID and originalStartTime). Nothing here sends an invitation.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, PermanentError } from '../../errors.js';
import type {
  CollectionChanges,
  EnsuredCollection,
  GroupwareCollection,
  GroupwareItem,
  GroupwareItemRef,
} from '../groupware-contract.js';
import { SyncTokenExpired, type GoogleApi } from './google-api.js';
import { eventsOf, icsOf, type GoogleEvent, type GoogleReminder } from './google-calendar-map.js';
import { GmailNotFoundError } from './gmail-errors.js';

/** A calendarList entry, as far as Cutover reads it. */
interface CalendarEntry {
  id: string;
  summary?: string;
  summaryOverride?: string;
  description?: string;
  backgroundColor?: string;
  accessRole?: string;
  primary?: boolean;
  timeZone?: string;
  defaultReminders?: GoogleReminder[];
}

/** The collection id of a calendar. */
export const calendarId = (id: string): string => `calendar:${id}`;

/** An item's ETag: the master's, with a digest of its overrides' when there are any. */
function seriesEtag(events: GoogleEvent[]): string {
  const master = events.find((e) => !e.recurringEventId) ?? events[0];
  const others = events.filter((e) => e !== master).map((e) => `${e.id}=${e.etag}`);
  if (others.length === 0) return master?.etag ?? '';
  const d = createHash('sha256').update(others.sort().join('\n')).digest('base64url').slice(0, 16);
  return `${master?.etag ?? ''}+${d}`;
}

/** The master's own ETag inside an item's ETag (for If-Match). */
const masterEtag = (etag: string): string => etag.split('+')[0] ?? etag;

const enc = encodeURIComponent;

export class GoogleCalendars {
  private readonly entries = new Map<string, CalendarEntry>();

  constructor(private readonly api: GoogleApi) {}

  async collections(signal?: AbortSignal): Promise<GroupwareCollection[]> {
    const out: GroupwareCollection[] = [];
    for (const c of await this.list(signal)) {
      const g: GroupwareCollection = {
        id: calendarId(c.id),
        type: 'calendar',
        components: ['VEVENT'],
        displayName: c.summaryOverride ?? c.summary ?? c.id,
        isDefault: !!c.primary,
      };
      if (c.backgroundColor) g.color = c.backgroundColor;
      if (c.description) g.description = c.description;
      if (c.accessRole !== 'owner') g.sharedFrom = `${c.id} (${c.accessRole ?? 'unknown'} access)`;
      out.push(g);
    }
    return out;
  }

  private async list(signal?: AbortSignal): Promise<CalendarEntry[]> {
    const all = await this.api.allItems<CalendarEntry>(
      {
        api: 'calendar',
        op: 'calendarList.list',
        path: '/users/me/calendarList',
        query: { maxResults: 250, showHidden: true },
      },
      signal,
    );
    for (const c of all) this.entries.set(c.id, c);
    return all;
  }

  private async entry(id: string, signal?: AbortSignal): Promise<CalendarEntry> {
    const known = this.entries.get(id);
    if (known) return known;
    await this.list(signal);
    const found = this.entries.get(id);
    if (!found)
      throw new PermanentError(
        ErrorCode.NotFound,
        `${this.api.where}: no calendar ${id} in the user's calendar list.`,
        'It was deleted or unsubscribed meanwhile; list the collections again.',
      );
    return found;
  }

  async ensure(like: GroupwareCollection, signal?: AbortSignal): Promise<EnsuredCollection> {
    const all = await this.list(signal);
    const notKept: string[] = [];
    if (like.isDefault) {
      const primary = all.find((c) => c.primary);
      if (primary) return { id: calendarId(primary.id), existed: true, notKept };
    }
    const same = all.find(
      (c) => c.accessRole === 'owner' && !c.primary && (c.summary ?? '') === like.displayName,
    );
    if (same) return { id: calendarId(same.id), existed: true, notKept };
    const made = await this.api.json<CalendarEntry>(
      {
        api: 'calendar',
        op: 'calendars.insert',
        path: '/calendars',
        json: { summary: like.displayName, ...(like.description ? { description: like.description } : {}) },
      },
      signal,
    );
    if (like.color) {
      // Google keeps #rrggbb: an alpha channel (Apple's #RRGGBBAA) is dropped.
      const rgb = like.color.slice(0, 7).toLowerCase();
      if (like.color.length > 7) notKept.push(`colour ${like.color}: Google keeps no transparency (${rgb})`);
      await this.api.json(
        {
          api: 'calendar',
          op: 'calendarList.patch',
          method: 'PATCH',
          path: `/users/me/calendarList/${enc(made.id)}`,
          query: { colorRgbFormat: true },
          json: { backgroundColor: rgb, foregroundColor: '#000000' },
        },
        signal,
      );
    }
    await this.list(signal);
    return { id: calendarId(made.id), existed: false, notKept };
  }

  async changes(cal: string, token: string | undefined, signal?: AbortSignal): Promise<CollectionChanges> {
    try {
      return await this.listEvents(cal, token, signal);
    } catch (err) {
      if (token !== undefined && err instanceof SyncTokenExpired)
        return this.listEvents(cal, undefined, signal);
      throw err;
    }
  }

  private async listEvents(
    cal: string,
    token: string | undefined,
    signal?: AbortSignal,
  ): Promise<CollectionChanges> {
    const events: GoogleEvent[] = [];
    let pageToken: string | undefined;
    let next: string | undefined;
    do {
      const page = await this.api.json<{
        items?: GoogleEvent[];
        nextPageToken?: string;
        nextSyncToken?: string;
      }>(
        {
          api: 'calendar',
          op: 'events.list',
          path: `/calendars/${enc(cal)}/events`,
          query: {
            maxResults: 2500,
            singleEvents: false,
            // With a sync token Google always includes deletions; a full listing needs no cancelled events.
            showDeleted: token !== undefined ? undefined : false,
            syncToken: token,
            pageToken,
          },
        },
        signal,
      );
      events.push(...(page.items ?? []));
      pageToken = page.nextPageToken;
      next = page.nextSyncToken ?? next;
    } while (pageToken);
    const groups = new Map<string, GoogleEvent[]>();
    const deleted: string[] = [];
    for (const e of events) {
      if (!e.id) continue;
      if (e.status === 'cancelled' && !e.recurringEventId) {
        deleted.push(e.id);
        continue;
      }
      const key = e.recurringEventId ?? e.id;
      groups.set(key, [...(groups.get(key) ?? []), e]);
    }
    const changed = [...groups]
      .filter(([key]) => !deleted.includes(key))
      .map(([key, group]) => ({ key, etag: seriesEtag(group) }));
    return { changed, deleted, token: next, full: token === undefined };
  }

  async *read(cal: string, keys: string[], signal?: AbortSignal): AsyncIterable<GroupwareItem> {
    const entry = await this.entry(cal, signal);
    for (const key of keys) {
      const series = await this.series(cal, key, signal);
      if (!series) continue;
      const master = series[0]!;
      yield {
        key,
        etag: seriesEtag(series),
        uid: master.iCalUID ?? key,
        contentType: 'text/calendar',
        data: icsOf(series, entry.defaultReminders ?? []),
      };
    }
  }

  /** An event and the events that share its iCalUID (its overrides, cancelled ones included), master first. */
  private async series(cal: string, key: string, signal?: AbortSignal): Promise<GoogleEvent[] | undefined> {
    let master: GoogleEvent;
    try {
      master = await this.api.json<GoogleEvent>(
        { api: 'calendar', op: 'events.get', path: `/calendars/${enc(cal)}/events/${enc(key)}` },
        signal,
      );
    } catch (err) {
      if (err instanceof GmailNotFoundError) return undefined;
      throw err;
    }
    if (master.status === 'cancelled') return undefined;
    if (!master.recurrence?.length || !master.iCalUID) return [master];
    const others: GoogleEvent[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.api.json<{ items?: GoogleEvent[]; nextPageToken?: string }>(
        {
          api: 'calendar',
          op: 'events.list',
          path: `/calendars/${enc(cal)}/events`,
          query: { iCalUID: master.iCalUID, showDeleted: true, maxResults: 2500, pageToken },
        },
        signal,
      );
      others.push(...(page.items ?? []).filter((e) => e.id !== master.id));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return [master, ...others];
  }

  async put(
    cal: string,
    item: GroupwareItem,
    replace?: GroupwareItemRef,
    signal?: AbortSignal,
  ): Promise<GroupwareItemRef> {
    const entry = await this.entry(cal, signal);
    const series = eventsOf(item.data, entry.timeZone ?? 'UTC');
    const name = entry.summaryOverride ?? entry.summary ?? cal;
    if (!series)
      throw new PermanentError(
        ErrorCode.MessageRejected,
        `${this.api.where}: "${item.uid ?? item.key}" holds no event with a UID; Google Calendar keeps events only (tasks go to a task list).`,
        'Move tasks into a task list; an event needs a UID.',
      );
    if (!series.master)
      throw new PermanentError(
        ErrorCode.MessageRejected,
        `${this.api.where}: "${series.uid}" holds only changed instances of a series whose master was not shared; Google Calendar needs the series.`,
        'Copy the series from the organizer’s calendar.',
      );
    const base = `/calendars/${enc(cal)}/events`;
    let master: GoogleEvent;
    if (replace) {
      master = await this.api.json<GoogleEvent>(
        {
          api: 'calendar',
          op: 'events.update',
          method: 'PUT',
          path: `${base}/${enc(replace.key)}`,
          query: { sendUpdates: 'none' },
          headers: { 'if-match': masterEtag(replace.etag) },
          json: series.master,
        },
        signal,
      );
    } else {
      const existing = await this.api.json<{ items?: GoogleEvent[] }>(
        {
          api: 'calendar',
          op: 'events.list',
          path: base,
          query: { iCalUID: series.uid, showDeleted: false },
        },
        signal,
      );
      const there = existing.items?.find((e) => !e.recurringEventId && e.status !== 'cancelled');
      if (there)
        throw new PermanentError(
          ErrorCode.MessageRejected,
          `${this.api.where}: calendar "${name}" already holds an event with UID ${series.uid} (event ${there.id}).`,
          'It was copied before; a later pass replaces it instead.',
        );
      master = await this.api.json<GoogleEvent>(
        { api: 'calendar', op: 'events.import', path: `${base}/import`, json: series.master },
        signal,
      );
    }
    const written: GoogleEvent[] = [master];
    try {
      for (const o of series.overrides)
        written.push(
          await this.api.json<GoogleEvent>(
            {
              api: 'calendar',
              op: 'events.import',
              path: `${base}/import`,
              json: { ...o, recurringEventId: master.id },
            },
            signal,
          ),
        );
    } catch (err) {
      // A series goes in whole or not at all: a master this call made is taken out again (it notified nobody).
      if (!replace && err instanceof PermanentError)
        await this.delete(cal, { key: master.id ?? '', etag: master.etag ?? '' }, signal);
      throw err;
    }
    return { key: master.id ?? '', etag: seriesEtag(written) };
  }

  async delete(cal: string, ref: GroupwareItemRef, signal?: AbortSignal): Promise<void> {
    await this.api.json(
      {
        api: 'calendar',
        op: 'events.delete',
        method: 'DELETE',
        path: `/calendars/${enc(cal)}/events/${enc(ref.key)}`,
        query: { sendUpdates: 'none' },
        headers: { 'if-match': masterEtag(ref.etag) },
      },
      signal,
    );
  }
}
