/**
 * One VEVENT → the JSON of a Graph event (create or update). Windows zone names that agree with their IANA
 * zone were already renamed (formats/windows-zones.ts); a zone Graph knows goes as its Windows name where the
 * CLDR table has one (what Exchange itself writes), else as its IANA name; a zone known only by its
 * VTIMEZONE (Exchange's "Customized Time Zone") is resolved with its own rules and written in UTC, and a
 * floating time in the mailbox's zone — each said in the item's notes.
 *
 * NO INVITATIONS: ORGANIZER and ATTENDEE lines are never sent as Graph `attendees`. Graph has no
 * "sendInvitations=false": an event created or updated with attendees is a meeting the mailbox organises,
 * and Exchange mails every attendee a request (or an update). Cutover keeps the participants in its stash
 * instead (graph-stash.ts), so they come back on every read and a copy onwards keeps them; Outlook shows the
 * event as an appointment. This is said in the item's notes.
 */
import { paramValue } from '../../formats/content-lines.js';
import {
  childComponents,
  childProperties,
  serialiseComponent,
  type Component,
} from '../../formats/component-tree.js';
import { timeOf } from '../../formats/icalendar.js';
import { parseTimeValue, type TimeValue } from '../../formats/ical-time.js';
import { splitUnescaped, unescapeText } from '../../formats/text-values.js';
import { WINDOWS_ZONES } from '../../formats/windows-zones-data.js';
import { isIanaZone, vtimezoneOffset } from '../../formats/zone-offsets.js';
import { graphWall, utcToWall, wallToUtc, type GraphDateTime } from './graph-event-times.js';
import { rruleToGraph } from './graph-recurrence.js';

/** What the write needs to know beyond the component. */
export interface WriteContext {
  /** VTIMEZONEs of the text, by TZID (after renaming). */
  zones: Map<string, Component>;
  /** The mailbox's zone (IANA), for floating times and all-day events. */
  mailboxZone: string;
  notes: string[];
}

/** A time as Graph will take it, and what it means. */
export interface WrittenTime {
  dt: GraphDateTime;
  instant: number;
  /** The IANA zone (or 'UTC') the wall time is in. */
  zone: string;
  wall: number;
  allDay: boolean;
}

const WINDOWS_OF = new Map<string, string>();
for (const [windows, iana] of WINDOWS_ZONES) if (!WINDOWS_OF.has(iana)) WINDOWS_OF.set(iana, windows);

/** The zone name Graph is sent for an IANA zone: Exchange's Windows name where there is one. */
export const graphZoneName = (iana: string): string =>
  iana === 'UTC' ? 'UTC' : (WINDOWS_OF.get(iana) ?? iana);

const DAY_MS = 86_400_000;

/** A DTSTART/DTEND/RECURRENCE-ID/DUE/EXDATE value → Graph's dateTimeTimeZone (see the file header). */
export function writtenTime(t: TimeValue, ctx: WriteContext, what: string): WrittenTime {
  const at = (wall: number, zone: string, allDay = false): WrittenTime => ({
    dt: { dateTime: graphWall(wall), timeZone: graphZoneName(zone) },
    instant: wallToUtc(wall, zone),
    zone,
    wall,
    allDay,
  });
  if (t.kind === 'date') return at(t.wallMs, ctx.mailboxZone, true);
  if (t.kind === 'utc') return at(t.wallMs, 'UTC');
  if (t.kind === 'zoned' && t.tzid && isIanaZone(t.tzid)) return at(t.wallMs, t.tzid);
  const vtz = t.tzid ? ctx.zones.get(t.tzid) : undefined;
  const offset = vtz ? vtimezoneOffset(vtz, t.wallMs) : undefined;
  if (offset !== undefined) {
    note(
      ctx,
      `${what}: the zone "${t.tzid}" is not one Microsoft 365 knows; the time was written in UTC by its VTIMEZONE (same instant)`,
    );
    return at(t.wallMs - offset * 60_000, 'UTC');
  }
  note(
    ctx,
    t.kind === 'floating'
      ? `${what}: a floating time (no zone); Microsoft 365 has none, so it was written in the mailbox's zone ${ctx.mailboxZone}`
      : `${what}: the zone "${t.tzid}" is unknown and has no VTIMEZONE; the time was written in the mailbox's zone ${ctx.mailboxZone}`,
  );
  return at(t.wallMs, ctx.mailboxZone);
}

function note(ctx: WriteContext, text: string): void {
  if (!ctx.notes.includes(text)) ctx.notes.push(text);
}

const value = (comp: Component, name: string) => {
  const v = childProperties(comp, name)[0]?.line.value;
  return v === undefined ? undefined : unescapeText(v);
};

/** ISO 8601 duration (`PT1H30M`, `-P1D`) → ms; undefined when it is not one. */
export function durationMs(text: string): number | undefined {
  const m = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(text.trim());
  if (!m) return undefined;
  const [, sign, w, d, h, mi, s] = m;
  const ms =
    ((Number(w ?? 0) * 7 + Number(d ?? 0)) * 24 * 3600 +
      Number(h ?? 0) * 3600 +
      Number(mi ?? 0) * 60 +
      Number(s ?? 0)) *
    1000;
  return sign === '-' ? -ms : ms;
}

/** The alarm Graph's reminder can hold: a display/audio alarm relative to the start, before or at it. */
export function reminderAlarm(comp: Component): { alarm: Component; minutes: number } | undefined {
  for (const alarm of childComponents(comp, 'VALARM')) {
    const action = value(alarm, 'ACTION')?.toUpperCase();
    const trigger = childProperties(alarm, 'TRIGGER')[0]?.line;
    if (!trigger || (action !== 'DISPLAY' && action !== 'AUDIO')) continue;
    if ((paramValue(trigger, 'RELATED') ?? 'START').toUpperCase() !== 'START') continue;
    if ((paramValue(trigger, 'VALUE') ?? 'DURATION').toUpperCase() !== 'DURATION') continue;
    const ms = durationMs(trigger.value);
    if (ms !== undefined && ms <= 0) return { alarm, minutes: Math.round(-ms / 60_000) };
  }
  return undefined;
}

const SENSITIVITY: Record<string, string> = {
  PUBLIC: 'normal',
  PRIVATE: 'private',
  CONFIDENTIAL: 'confidential',
};
const BUSY: Record<string, string> = {
  FREE: 'free',
  TENTATIVE: 'tentative',
  BUSY: 'busy',
  OOF: 'oof',
  WORKINGELSEWHERE: 'workingElsewhere',
};

/** PRIORITY (RFC 5545: 1 highest … 9 lowest, 0 none) → Graph's importance. */
export const importanceOf = (p: number): string =>
  p >= 1 && p <= 4 ? 'high' : p >= 6 && p <= 9 ? 'low' : 'normal';

/** A VEVENT (master, single or override) → Graph's event JSON; `series` adds the recurrence (a master). */
export function eventBody(
  comp: Component,
  ctx: WriteContext,
  series: boolean,
): { body: Record<string, unknown>; start?: WrittenTime; exdates: number[] } {
  const body: Record<string, unknown> = {};
  const startT = timeOf(comp, 'DTSTART');
  const start = startT ? writtenTime(startT, ctx, 'DTSTART') : undefined;
  const subject = value(comp, 'SUMMARY');
  if (subject !== undefined) body.subject = subject;
  const description = value(comp, 'DESCRIPTION');
  if (description !== undefined) body.body = { contentType: 'text', content: description };
  const location = value(comp, 'LOCATION');
  if (location !== undefined) body.location = { displayName: location };
  if (start) {
    body.start = start.dt;
    body.isAllDay = start.allDay;
    const endT = timeOf(comp, 'DTEND');
    const dur = value(comp, 'DURATION');
    let end: WrittenTime | undefined = endT ? writtenTime(endT, ctx, 'DTEND') : undefined;
    if (!end) {
      const ms = dur !== undefined ? durationMs(dur) : start.allDay ? DAY_MS : 0;
      const wall = start.wall + (ms ?? 0);
      end = {
        ...start,
        wall,
        instant: start.instant + (ms ?? 0),
        dt: { dateTime: graphWall(wall), timeZone: start.dt.timeZone },
      };
    }
    if (start.allDay && end.allDay) end = { ...end, dt: { ...end.dt, timeZone: start.dt.timeZone } };
    else if (end.zone !== start.zone && start.allDay !== end.allDay)
      note(ctx, 'DTSTART is a date and DTEND a date-time (or the reverse); Microsoft 365 needs both alike');
    body.end = end.dt;
  }
  const categories = childProperties(comp, 'CATEGORIES').flatMap((p) =>
    splitUnescaped(p.line.value, ',').map(unescapeText),
  );
  body.categories = categories.filter((c) => c.trim() !== '');
  const cls = value(comp, 'CLASS')?.toUpperCase();
  if (cls !== undefined) {
    if (SENSITIVITY[cls]) body.sensitivity = SENSITIVITY[cls];
    else note(ctx, `CLASS:${cls} has no Microsoft 365 sensitivity; written as normal`);
  }
  const busy = value(comp, 'X-MICROSOFT-CDO-BUSYSTATUS')?.toUpperCase();
  const transp = value(comp, 'TRANSP')?.toUpperCase();
  if (busy && BUSY[busy]) body.showAs = BUSY[busy];
  else if (transp) body.showAs = transp === 'TRANSPARENT' ? 'free' : 'busy';
  const priority = value(comp, 'PRIORITY');
  if (priority !== undefined) body.importance = importanceOf(Number(priority));
  const reminder = reminderAlarm(comp);
  body.isReminderOn = reminder !== undefined;
  if (reminder) body.reminderMinutesBeforeStart = reminder.minutes;
  const others = childComponents(comp, 'VALARM').filter((a) => a !== reminder?.alarm);
  if (others.length)
    note(
      ctx,
      `${others.length} VALARM(s) beyond the reminder: Microsoft 365 keeps one reminder before the start; the others are kept in Cutover's property`,
    );
  if (childProperties(comp, 'ATTENDEE').length || childProperties(comp, 'ORGANIZER').length)
    note(
      ctx,
      "ORGANIZER/ATTENDEE: kept in Cutover's property, not as Microsoft 365 attendees — Graph would e-mail every attendee an invitation, and Cutover never sends any; Outlook shows the event as an appointment",
    );
  for (const name of ['RDATE', 'ATTACH'])
    if (childProperties(comp, name).length)
      note(
        ctx,
        `${name}: no Microsoft 365 equivalent (${name === 'RDATE' ? 'a series has no extra dates' : 'attachments by URL'}); kept in Cutover's property, Outlook does not show it`,
      );
  const exdates: number[] = [];
  if (series && start) {
    const rrule = childProperties(comp, 'RRULE')[0]?.line.value;
    if (rrule) {
      const rec = rruleToGraph(
        rrule,
        Math.floor(start.wall / DAY_MS) * DAY_MS,
        graphZoneName(start.zone),
        (until) => {
          const u = parseTimeValue(until);
          if (!u) return undefined;
          const wall = u.kind === 'utc' ? utcToWall(u.wallMs, start.zone) : u.wallMs;
          return Math.floor(wall / DAY_MS) * DAY_MS;
        },
      );
      if ('reason' in rec) note(ctx, `${rec.reason}; only its first occurrence was written`);
      else body.recurrence = rec;
      for (const p of childProperties(comp, 'EXDATE'))
        for (const v of splitUnescaped(p.line.value, ',')) {
          const t = parseTimeValue(v, paramValue(p.line, 'TZID'));
          if (t) exdates.push(writtenTime(t, ctx, 'EXDATE').instant);
        }
    }
  }
  return { body, ...(start ? { start } : {}), exdates };
}

/** The logical text lines of a component's properties (for the stash) and its other alarms (as text). */
export function componentLines(
  comp: Component,
  unfoldRaw: (raw: string) => string,
): { lines: string[]; subs: string[] } {
  const reminder = reminderAlarm(comp)?.alarm;
  return {
    lines: childProperties(comp)
      .map((p) => (p.raw !== undefined ? unfoldRaw(p.raw) : ''))
      .filter(Boolean),
    subs: childComponents(comp)
      .filter((c) => c !== reminder)
      .map((c) => serialiseComponent(c, '\r\n')),
  };
}

/** The reminder alarm's text (kept so an unchanged reminder reads back as written). */
export function reminderText(comp: Component): string | undefined {
  const r = reminderAlarm(comp)?.alarm;
  return r ? serialiseComponent(r, '\r\n') : undefined;
}
