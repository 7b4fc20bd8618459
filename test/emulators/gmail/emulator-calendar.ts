/**
 * EMULATOR (test code): the Calendar API v3 methods Cutover uses, refusing what Google refuses:
 * - calendarList.list (primary = the user's address, owner; `share()` adds calendars of others with reader,
 *   freeBusyReader or writer access), calendarList.patch (an RGB colour needs colorRgbFormat=true);
 * - calendars.insert (a summary is required);
 * - events.list: singleEvents=false only, maxResults ≤ 2500, showDeleted, iCalUID; syncToken → what changed
 *   since (cancelled events included), an expired one (`expireSyncTokens()`) → 410 fullSyncRequired; a
 *   syncToken with iCalUID → 400;
 * - events.import: iCalUID, start and end required; a dateTime without offset needs a timeZone ("Missing
 *   time zone definition for start time."), which must be an IANA zone; end before start → "The specified
 *   time range is empty."; at most 5 reminder overrides of 0–40320 minutes; recurrence lines only RRULE,
 *   EXRULE, RDATE, EXDATE; extended properties: keys ≤ 44 characters, values ≤ 1024, 32 kB in all; an
 *   import with the iCalUID of an event there updates it; with originalStartTime it is an override of the
 *   series with that iCalUID (400 when there is no such series). Import never notifies anyone;
 * - events.get, events.insert / update / patch (If-Match → 412 conditionNotMet) / delete: each RECORDS the
 *   notification Google would send when the event has attendees and sendUpdates is not "none".
 * Times come back as Google writes them: dateTime with the offset of its timeZone.
 */
import { randomBytes } from 'node:crypto';
import { ianaOffset, isIanaZone } from '../../../src/formats/zone-offsets.js';
import type { Answer } from './emulator-routes.js';
import type { Notification } from './emulator-groupware.js';

type Json = Record<string, unknown>;
interface Time {
  date?: string;
  dateTime?: string;
  timeZone?: string;
}
interface Cal {
  id: string;
  summary: string;
  description?: string;
  timeZone: string;
  accessRole: string;
  primary?: boolean;
  backgroundColor?: string;
  foregroundColor?: string;
  defaultReminders: Array<{ method: string; minutes: number }>;
  events: Map<string, { ev: Json; seq: number }>;
}

let etagSeq = 3181161784712000;

function calErr(code: number, message: string, reason: string): Answer {
  return [code, { error: { code, message, errors: [{ domain: 'calendar', reason, message }] } }];
}

/** The instant of a Google time, or undefined when it cannot be read. */
function instant(t: Time): number | undefined {
  if (t.date) return Date.parse(`${t.date}T00:00:00Z`);
  if (!t.dateTime) return undefined;
  if (/(Z|[+-]\d\d:\d\d)$/.test(t.dateTime)) return Date.parse(t.dateTime);
  const wall = Date.parse(`${t.dateTime}Z`);
  return t.timeZone ? wall - ianaOffset(t.timeZone, wall) * 60_000 : undefined;
}

/** A dateTime as Google answers it: local time in its zone with that zone's offset. */
function answerTime(t: Time | undefined): Time | undefined {
  if (!t?.dateTime || !t.timeZone) return t;
  const at = instant(t)!;
  let off = ianaOffset(t.timeZone, at);
  off = ianaOffset(t.timeZone, at + off * 60_000);
  const local = new Date(at + off * 60_000).toISOString().slice(0, 19);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return { dateTime: `${local}${sign}${hh}:${mm}`, timeZone: t.timeZone };
}

export class CalendarStore {
  readonly calendars = new Map<string, Cal>();
  seq = 0;
  validFrom = 0;

  constructor(readonly owner: string) {
    this.calendars.set(owner, {
      id: owner,
      summary: owner,
      timeZone: 'Europe/Berlin',
      accessRole: 'owner',
      primary: true,
      backgroundColor: '#9fe1e7',
      defaultReminders: [{ method: 'popup', minutes: 10 }],
      events: new Map(),
    });
  }

  /** A calendar of someone else, in this user's list with `accessRole`. */
  share(id: string, summary: string, accessRole: 'reader' | 'freeBusyReader' | 'writer'): void {
    this.calendars.set(id, {
      id,
      summary,
      timeZone: 'UTC',
      accessRole,
      defaultReminders: [],
      events: new Map(),
    });
  }

  expireSyncTokens(): void {
    this.validFrom = this.seq + 1;
  }

  /** Change an event behind Cutover's back (a user editing it in Google Calendar). */
  edit(calId: string, eventId: string, change: (e: Json) => void): void {
    const e = this.calendars.get(calId)?.events.get(eventId);
    if (!e) throw new Error(`emulator: no event ${eventId}`);
    change(e.ev);
    this.touch(e);
  }

  touch(e: { ev: Json; seq: number }): void {
    e.seq = ++this.seq;
    e.ev.etag = `"${etagSeq++}"`;
    e.ev.updated = new Date().toISOString();
  }

  /** The events of a calendar (for tests). */
  events(calId: string): Json[] {
    return [...(this.calendars.get(calId)?.events.values() ?? [])].map((e) => e.ev);
  }
}

function view(ev: Json): Json {
  return {
    kind: 'calendar#event',
    ...ev,
    start: answerTime(ev.start as Time),
    end: answerTime(ev.end as Time),
    ...(ev.originalStartTime ? { originalStartTime: answerTime(ev.originalStartTime) } : {}),
  };
}

/** What import/insert/update refuse in an event body. */
function refusal(ev: Json): Answer | undefined {
  for (const which of ['start', 'end'] as const) {
    const t = ev[which] as Time | undefined;
    if (!t || (!t.date && !t.dateTime)) return calErr(400, `Missing ${which} time.`, 'required');
    if (t.timeZone && !isIanaZone(t.timeZone))
      return calErr(400, `Invalid time zone definition for ${which} time.`, 'timeRangeEmpty');
    if (t.dateTime && !/(Z|[+-]\d\d:\d\d)$/.test(t.dateTime) && !t.timeZone)
      return calErr(400, `Missing time zone definition for ${which} time.`, 'required');
  }
  const s = instant(ev.start as Time)!;
  const e = instant(ev.end as Time)!;
  if (e < s) return calErr(400, 'The specified time range is empty.', 'timeRangeEmpty');
  const rem =
    ((ev.reminders as Json | undefined)?.overrides as Array<{ minutes?: number }> | undefined) ?? [];
  if (rem.length > 5) return calErr(400, 'Too many reminders: at most 5 overrides.', 'invalid');
  if (rem.some((r) => typeof r.minutes !== 'number' || r.minutes < 0 || r.minutes > 40320))
    return calErr(400, 'Invalid reminder minutes: 0 to 40320.', 'invalid');
  for (const line of (ev.recurrence as string[] | undefined) ?? [])
    if (!/^(RRULE|EXRULE|RDATE|EXDATE)[;:]/.test(line))
      return calErr(400, 'Invalid recurrence rule.', 'invalid');
  const priv =
    ((ev.extendedProperties as Json | undefined)?.private as Record<string, string> | undefined) ?? {};
  let total = 0;
  for (const [k, v] of Object.entries(priv)) {
    if (k.length > 44 || String(v).length > 1024)
      return calErr(400, 'Extended property key or value is too long.', 'invalid');
    total += k.length + String(v).length;
  }
  if (total > 32 * 1024) return calErr(400, 'Extended properties exceed the 32 kB limit.', 'invalid');
  for (const a of (ev.attendees as Array<{ email?: string }> | undefined) ?? [])
    if (!a.email || !/^[^@\s]+@[^@\s]+$/.test(a.email))
      return calErr(400, 'Invalid attendee email.', 'invalid');
  return undefined;
}

function newEventId(): string {
  return randomBytes(13).toString('hex').replace(/[w-z]/g, 'a').slice(0, 26);
}

function instanceSuffix(t: Time): string {
  if (t.date) return t.date.replace(/-/g, '');
  return new Date(instant(t)!)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** Serve one Calendar API request (`rest` starts with /). */
export function serveCalendar(
  st: CalendarStore,
  method: string,
  rest: string,
  q: URLSearchParams,
  json: Json,
  ifMatch: string | undefined,
  notify: (n: Notification) => void,
): Answer {
  if (rest === '/users/me/calendarList' && method === 'GET')
    return [
      200,
      {
        kind: 'calendar#calendarList',
        items: [...st.calendars.values()].map(({ events: _events, ...c }) => ({
          kind: 'calendar#calendarListEntry',
          ...c,
        })),
      },
    ];
  const entry = /^\/users\/me\/calendarList\/([^/]+)$/.exec(rest);
  if (entry && method === 'PATCH') {
    const c = st.calendars.get(decodeURIComponent(entry[1]!));
    if (!c) return calErr(404, 'Not Found', 'notFound');
    if ((json.backgroundColor || json.foregroundColor) && q.get('colorRgbFormat') !== 'true')
      return calErr(400, 'colorRgbFormat must be true to set RGB colors.', 'invalidParameter');
    for (const k of ['backgroundColor', 'foregroundColor', 'summaryOverride'] as const)
      if (typeof json[k] === 'string') (c as unknown as Json)[k] = json[k];
    return [200, { id: c.id, backgroundColor: c.backgroundColor }];
  }
  if (rest === '/calendars' && method === 'POST') {
    if (typeof json.summary !== 'string' || !json.summary.trim())
      return calErr(400, 'Missing title.', 'required');
    const id = `${randomBytes(16).toString('hex')}@group.calendar.google.com`;
    const c: Cal = {
      id,
      summary: json.summary,
      timeZone: typeof json.timeZone === 'string' ? json.timeZone : 'Europe/Berlin',
      accessRole: 'owner',
      defaultReminders: [],
      events: new Map(),
    };
    if (typeof json.description === 'string') c.description = json.description;
    st.calendars.set(id, c);
    return [
      200,
      { kind: 'calendar#calendar', id, summary: c.summary, timeZone: c.timeZone, description: c.description },
    ];
  }
  const m = /^\/calendars\/([^/]+)\/events(?:\/([^/]+))?$/.exec(rest);
  if (!m) return calErr(404, `No route ${method} ${rest}`, 'notFound');
  const cal = st.calendars.get(decodeURIComponent(m[1]!));
  if (!cal) return calErr(404, 'Not Found', 'notFound');
  const writable = cal.accessRole === 'owner' || cal.accessRole === 'writer';
  const sub = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
  const all = () => [...cal.events.values()];
  if (sub === undefined && method === 'GET') {
    if (q.get('singleEvents') === 'true')
      return calErr(400, 'The emulator lists series, not instances.', 'invalid');
    const max = Number(q.get('maxResults') ?? 250);
    if (!(max >= 1 && max <= 2500)) return calErr(400, 'Invalid value for maxResults.', 'invalid');
    const token = q.get('syncToken');
    const uid = q.get('iCalUID');
    let list = all();
    if (token) {
      if (uid) return calErr(400, 'iCalUID cannot be combined with syncToken.', 'invalid');
      const n = Number(/^s(\d+)$/.exec(token)?.[1] ?? NaN);
      if (!Number.isFinite(n) || n < st.validFrom)
        return calErr(410, 'Sync token is no longer valid, a full sync is required.', 'fullSyncRequired');
      list = list.filter((e) => e.seq > n);
    } else {
      if (uid) list = list.filter((e) => e.ev.iCalUID === uid);
      if (q.get('showDeleted') !== 'true') list = list.filter((e) => e.ev.status !== 'cancelled');
    }
    list.sort((a, b) => a.seq - b.seq);
    const start = Number(q.get('pageToken') ?? 0);
    const more = start + max < list.length;
    return [
      200,
      {
        kind: 'calendar#events',
        timeZone: cal.timeZone,
        defaultReminders: cal.defaultReminders,
        items: list.slice(start, start + max).map((e) => view(e.ev)),
        ...(more ? { nextPageToken: String(start + max) } : { nextSyncToken: `s${st.seq}` }),
      },
    ];
  }
  if (!writable && method !== 'GET')
    return calErr(403, 'You need to have writer access to this calendar.', 'requiredAccessLevel');
  if (sub === 'import' && method === 'POST') {
    if (typeof json.iCalUID !== 'string' || !json.iCalUID) return calErr(400, 'Missing iCalUID.', 'required');
    const refused = refusal(json);
    if (refused) return refused;
    const { id: _id, etag: _etag, ...body } = json;
    const sameUid = all().filter((e) => e.ev.iCalUID === json.iCalUID);
    let target: { ev: Json; seq: number } | undefined;
    if (json.originalStartTime) {
      const master = sameUid.find((e) => !e.ev.recurringEventId && e.ev.recurrence);
      if (!master)
        return calErr(
          400,
          'Invalid value for originalStartTime: no recurring event with this iCalUID.',
          'invalid',
        );
      const at = instant(json.originalStartTime);
      target = sameUid.find((e) => e.ev.originalStartTime && instant(e.ev.originalStartTime as Time) === at);
      body.recurringEventId = master.ev.id;
      if (!target) {
        const id = `${master.ev.id as string}_${instanceSuffix(json.originalStartTime)}`;
        target = { ev: { id, created: new Date().toISOString() }, seq: 0 };
        cal.events.set(id, target);
      }
    } else {
      target = sameUid.find((e) => !e.ev.recurringEventId);
      if (!target) {
        const id = newEventId();
        target = { ev: { id, created: new Date().toISOString() }, seq: 0 };
        cal.events.set(id, target);
      }
    }
    const keep = { id: target.ev.id, created: target.ev.created };
    target.ev = {
      status: 'confirmed',
      organizer: { email: st.owner, self: true },
      ...body,
      ...keep,
      eventType: 'default',
    };
    st.touch(target);
    return [200, view(target.ev)];
  }
  if (sub === 'import') return calErr(404, 'No route', 'notFound');
  if (sub === undefined && method === 'POST') {
    const refused = refusal(json);
    if (refused) return refused;
    const id = newEventId();
    const e = { ev: { status: 'confirmed', iCalUID: `${id}@google.com`, ...json, id }, seq: 0 };
    cal.events.set(id, e);
    st.touch(e);
    sends('events.insert', cal.id, e.ev, q, notify);
    return [200, view(e.ev)];
  }
  const e = sub === undefined ? undefined : cal.events.get(sub);
  if (!e) return calErr(404, 'Not Found', 'notFound');
  if (method === 'GET') return [200, view(e.ev)];
  if (ifMatch !== undefined && ifMatch !== e.ev.etag)
    return calErr(412, 'Precondition Failed', 'conditionNotMet');
  if (method === 'DELETE') {
    if (e.ev.status === 'cancelled') return calErr(410, 'Resource has been deleted', 'deleted');
    sends('events.delete', cal.id, e.ev, q, notify);
    for (const x of all())
      if (x === e || x.ev.recurringEventId === e.ev.id) {
        x.ev.status = 'cancelled';
        st.touch(x);
      }
    return [204, undefined];
  }
  if (method === 'PUT' || method === 'PATCH') {
    const next = method === 'PUT' ? { ...json } : { ...e.ev, ...json };
    const refused = refusal(next);
    if (refused) return refused;
    e.ev = {
      ...next,
      id: e.ev.id,
      iCalUID: e.ev.iCalUID,
      created: e.ev.created,
      status: next.status ?? 'confirmed',
    };
    st.touch(e);
    sends(method === 'PUT' ? 'events.update' : 'events.patch', cal.id, e.ev, q, notify);
    return [200, view(e.ev)];
  }
  return calErr(404, `No route ${method} ${rest}`, 'notFound');
}

/** Record the notification a write would send: attendees other than the user, and sendUpdates not "none". */
function sends(
  op: string,
  calendarId: string,
  ev: Json,
  q: URLSearchParams,
  notify: (n: Notification) => void,
): void {
  const mode = q.get('sendUpdates') ?? (q.get('sendNotifications') === 'false' ? 'none' : '(default)');
  const guests = ((ev.attendees as Array<{ email?: string; self?: boolean }> | undefined) ?? [])
    .filter((a) => !a.self && a.email)
    .map((a) => a.email!);
  if (mode !== 'none' && guests.length > 0)
    notify({ op, calendarId, eventId: String(ev.id), sendUpdates: mode, attendees: guests });
}
