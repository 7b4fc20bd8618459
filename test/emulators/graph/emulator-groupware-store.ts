/**
 * LOCAL EMULATOR of Microsoft Graph (test code, not the real service): the contacts, calendars, events and
 * To Do data of each mailbox, how a series expands into occurrences (occurrences are virtual; changing one
 * makes it an exception, deleting one cancels it; either changes the master's changeKey, as Exchange
 * stores exceptions on the master), and the invitations Exchange WOULD send. Nothing is ever mailed: every
 * meeting request, update and cancellation the real service would send is recorded in `invitations`, so a
 * test fails when Cutover makes one.
 *
 * Exchange mails attendees when the mailbox organises the meeting (isOrganizer): an event created with
 * attendees (a request), a change to such an event's attendees, times, subject, location, body or
 * recurrence (an update), and its deletion or cancellation (a cancellation).
 */
import { randomBytes } from 'node:crypto';
import { instantOf, wallToUtc, utcToWall, ianaOf } from '../../../src/connectors/graph/graph-event-times.js';
import { occurrenceDays, type GraphRecurrence } from '../../../src/connectors/graph/graph-recurrence.js';
import { newId, type EmUser } from './emulator-store.js';

export type Json = Record<string, unknown>;

export interface EmContact {
  id: string;
  /** 'default' for the Contacts folder. */
  folderId: string;
  changeKey: string;
  json: Json;
}
export interface EmCalendar {
  id: string;
  name: string;
  color: string;
  isDefaultCalendar: boolean;
  canEdit: boolean;
  owner: { name: string; address: string };
}
export interface EmEvent {
  id: string;
  calendarId: string;
  changeKey: string;
  json: Json;
  type: 'singleInstance' | 'seriesMaster' | 'exception';
  seriesMasterId?: string;
  /** ms, for an exception. */
  originalStart?: number;
  transactionId?: string;
  isOrganizer: boolean;
}
export interface EmTaskList {
  id: string;
  displayName: string;
  wellknownListName: string;
  isOwner: boolean;
  isShared: boolean;
}
export interface EmTask {
  id: string;
  listId: string;
  etag: string;
  json: Json;
  extensions: Json[];
}
/** A message Exchange would have sent to attendees. */
export interface EmInvitation {
  mailbox: string;
  kind: 'request' | 'update' | 'cancel' | 'forward';
  subject: string;
  to: string[];
}

export interface GwData {
  contactFolders: Map<string, { id: string; displayName: string }>;
  contacts: Map<string, EmContact>;
  calendars: Map<string, EmCalendar>;
  events: Map<string, EmEvent>;
  /** Per master: instants (ms) of cancelled occurrences. */
  cancelled: Map<string, Set<number>>;
  lists: Map<string, EmTaskList>;
  tasks: Map<string, EmTask>;
}

const key = () => randomBytes(8).toString('base64');
const DAY_MS = 86_400_000;

/** The groupware data of every mailbox, and the invitations that would have been sent. */
export class EmGroupwareStore {
  readonly invitations: EmInvitation[] = [];
  private readonly data = new WeakMap<EmUser, GwData>();

  of(user: EmUser): GwData {
    let d = this.data.get(user);
    if (!d) {
      d = {
        contactFolders: new Map(),
        contacts: new Map(),
        calendars: new Map(),
        events: new Map(),
        cancelled: new Map(),
        lists: new Map(),
        tasks: new Map(),
      };
      const cal: EmCalendar = {
        id: newId('AAMkCal'),
        name: 'Calendar',
        color: 'auto',
        isDefaultCalendar: true,
        canEdit: true,
        owner: { name: user.displayName, address: user.userPrincipalName },
      };
      d.calendars.set(cal.id, cal);
      const list: EmTaskList = {
        id: newId('AAMkList'),
        displayName: 'Tasks',
        wellknownListName: 'defaultList',
        isOwner: true,
        isShared: false,
      };
      d.lists.set(list.id, list);
      this.data.set(user, d);
    }
    return d;
  }

  /** A calendar of another person shared with this mailbox (`canEdit` false unless given). */
  addSharedCalendar(
    user: EmUser,
    name: string,
    owner: { name: string; address: string },
    canEdit = false,
  ): EmCalendar {
    const cal: EmCalendar = {
      id: newId('AAMkCal'),
      name,
      color: 'lightGreen',
      isDefaultCalendar: false,
      canEdit,
      owner,
    };
    this.of(user).calendars.set(cal.id, cal);
    return cal;
  }

  touchEvent(e: EmEvent): void {
    e.changeKey = key();
    e.json.lastModifiedDateTime = new Date().toISOString();
  }

  touchContact(c: EmContact): void {
    c.changeKey = key();
  }

  touchTask(t: EmTask): void {
    t.etag = `W/"${key()}"`;
    t.json.lastModifiedDateTime = new Date().toISOString();
  }

  /** Record what Exchange would send for this event (nothing when the mailbox does not organise it). */
  invite(user: EmUser, e: EmEvent, kind: EmInvitation['kind']): void {
    const attendees = (e.json.attendees as Array<{ emailAddress?: { address?: string } }> | undefined) ?? [];
    const to = attendees
      .map((a) => a.emailAddress?.address ?? '')
      .filter((a) => a && a.toLowerCase() !== user.userPrincipalName.toLowerCase());
    if (!e.isOrganizer || to.length === 0) return;
    this.invitations.push({
      mailbox: user.userPrincipalName,
      kind,
      subject: typeof e.json.subject === 'string' ? e.json.subject : '',
      to,
    });
  }
}

/** The zone a dateTimeTimeZone names, as IANA (UTC when unknown). */
const zoneOf = (tz: unknown) => ianaOf(typeof tz === 'string' ? tz : undefined) ?? 'UTC';

/** An event's start and end instants (ms). */
export function spanOf(json: Json): { start: number; end: number } {
  const s = json.start as { dateTime: string; timeZone: string } | undefined;
  const e = json.end as { dateTime: string; timeZone: string } | undefined;
  const start = s ? (instantOf(s) ?? 0) : 0;
  return { start, end: e ? (instantOf(e) ?? start) : start };
}

/** A dateTimeTimeZone for an instant in the zone of `like`. */
function inZone(instant: number, like: { timeZone: string }): { dateTime: string; timeZone: string } {
  const wall = utcToWall(instant, zoneOf(like.timeZone));
  return { dateTime: `${new Date(wall).toISOString().slice(0, 19)}.0000000`, timeZone: like.timeZone };
}

/** An occurrence's id (virtual: master id + its original start). */
export const occurrenceId = (masterId: string, at: number) => `${masterId}_OCC_${at}`;
export const parseOccurrenceId = (id: string) => {
  const m = /^(.*)_OCC_(\d+)$/.exec(id);
  return m ? { masterId: m[1]!, at: Number(m[2]) } : undefined;
};

/** Occurrences and exceptions of a series with an original start in [from, to), in order. */
export function expand(
  d: GwData,
  master: EmEvent,
  from: number,
  to: number,
): Array<{ id: string; at: number; json: Json; type: 'occurrence' | 'exception'; changeKey: string }> {
  const rec = master.json.recurrence as GraphRecurrence | undefined;
  if (!rec) return [];
  const s = master.json.start as { dateTime: string; timeZone: string };
  const zone = zoneOf(rec.range.recurrenceTimeZone ?? s.timeZone);
  const { start, end } = spanOf(master.json);
  const startWall = utcToWall(start, zone);
  const timeOfDay = ((startWall % DAY_MS) + DAY_MS) % DAY_MS;
  const cancelled = d.cancelled.get(master.id) ?? new Set<number>();
  const exceptions = [...d.events.values()].filter((e) => e.seriesMasterId === master.id);
  const out: Array<{
    id: string;
    at: number;
    json: Json;
    type: 'occurrence' | 'exception';
    changeKey: string;
  }> = [];
  for (const day of occurrenceDays(rec, utcToWall(to, zone) + DAY_MS)) {
    const at = wallToUtc(day + timeOfDay, zone);
    if (at < from || at >= to || cancelled.has(at)) continue;
    const ex = exceptions.find((e) => e.originalStart === at);
    if (ex) {
      out.push({
        id: ex.id,
        at,
        json: { ...ex.json, id: ex.id },
        type: 'exception',
        changeKey: ex.changeKey,
      });
      continue;
    }
    const json: Json = {
      ...master.json,
      start: inZone(at, s),
      end: inZone(at + (end - start), master.json.end as { timeZone: string }),
    };
    delete json.recurrence;
    out.push({
      id: occurrenceId(master.id, at),
      at,
      json,
      type: 'occurrence',
      changeKey: `${master.changeKey}.${at}`,
    });
  }
  return out;
}
