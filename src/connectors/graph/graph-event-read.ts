/**
 * One Graph event → a VEVENT. Times come in UTC (graph-event-times.ts) and are written in the zone the
 * event was made in (originalStartTimeZone, Windows names mapped to IANA), a date for an all-day event; the
 * series pattern becomes an RRULE, cancelled occurrences EXDATEs, Graph's attendees ATTENDEE lines with
 * their role and answer, the reminder a VALARM. The result is reconciled with Cutover's stash when the event
 * carries one (graph-stash.ts): what was written and not changed since reads back as it was written.
 */
import { paramValue, type ContentLine } from '../../formats/content-lines.js';
import { childComponents, parseDocument, type Component } from '../../formats/component-tree.js';
import { formatTimeValue, parseTimeValue } from '../../formats/ical-time.js';
import { escapeText, splitUnescaped, unescapeText } from '../../formats/text-values.js';
import { isIanaZone, vtimezoneOffset } from '../../formats/zone-offsets.js';
import { EVENT_DEFAULTS, EVENT_MAPPED, type GraphEvent } from './graph-event-types.js';
import { ianaOf, instantOf, utcToWall, wallToUtc } from './graph-event-times.js';
import { importanceOf } from './graph-event-write.js';
import { graphToRrule, rruleToGraph } from './graph-recurrence.js';
import { linesText, reconcile, type Stash } from './graph-stash.js';

const DAY_MS = 86_400_000;

/** How a series' times are written: its zone and whether it is all-day. */
export interface SeriesTime {
  zone: string;
  allDay: boolean;
}

export const seriesTimeOf = (ev: GraphEvent): SeriesTime => ({
  zone: ianaOf(ev.originalStartTimeZone ?? undefined) ?? ianaOf(ev.start?.timeZone) ?? 'UTC',
  allDay: ev.isAllDay === true,
});

const line = (name: string, value: string, params: Array<[string, string]> = []): ContentLine => ({
  name,
  params: params.map(([k, v]) => ({ name: k, values: [v] })),
  value,
});

/** An instant as a DTSTART/DTEND/RECURRENCE-ID line in a zone (a date when all-day). */
export function timeLine(name: string, instant: number, t: SeriesTime): ContentLine {
  const wall = utcToWall(instant, t.zone);
  if (t.allDay) return line(name, formatTimeValue(wall, { dateOnly: true }), [['VALUE', 'DATE']]);
  if (t.zone === 'UTC') return line(name, formatTimeValue(instant, { utc: true }));
  return line(name, formatTimeValue(wall), [['TZID', t.zone]]);
}

const ROLE: Record<string, string> = {
  required: 'REQ-PARTICIPANT',
  optional: 'OPT-PARTICIPANT',
  resource: 'NON-PARTICIPANT',
};
const PARTSTAT: Record<string, string> = {
  accepted: 'ACCEPTED',
  declined: 'DECLINED',
  tentativelyAccepted: 'TENTATIVE',
  organizer: 'ACCEPTED',
  none: 'NEEDS-ACTION',
  notResponded: 'NEEDS-ACTION',
};
const CLASS: Record<string, string> = {
  normal: 'PUBLIC',
  personal: 'PRIVATE',
  private: 'PRIVATE',
  confidential: 'CONFIDENTIAL',
};
const BUSY: Record<string, string> = {
  free: 'FREE',
  tentative: 'TENTATIVE',
  busy: 'BUSY',
  oof: 'OOF',
  workingElsewhere: 'WORKINGELSEWHERE',
};

/** `until` for an RRULE of this series: a date when all-day, else the last day's start time in UTC. */
export function untilOf(t: SeriesTime, startInstant: number): (endDay: number) => string {
  const timeOfDay = ((utcToWall(startInstant, t.zone) % DAY_MS) + DAY_MS) % DAY_MS;
  return (endDay) =>
    t.allDay
      ? formatTimeValue(endDay, { dateOnly: true })
      : formatTimeValue(wallToUtc(endDay + timeOfDay, t.zone), { utc: true });
}

/** Zones a stash carries, by TZID. */
function stashZones(stash: Stash | undefined): Map<string, Component> {
  const map = new Map<string, Component>();
  for (const text of stash?.zones ?? [])
    for (const z of childComponents(
      parseDocument(`BEGIN:VCALENDAR\r\n${text}END:VCALENDAR\r\n`).nodes,
      'VCALENDAR',
    ).flatMap((c) => childComponents(c, 'VTIMEZONE'))) {
      const id = z.children.find((n) => n.kind === 'property' && n.line.name === 'TZID');
      if (id && id.kind === 'property') map.set(id.line.value.trim(), z);
    }
  return map;
}

/** Two lines that say the same, for the stash's reconciliation. */
export function sameness(stash: Stash | undefined, t: SeriesTime, startInstant: number | undefined) {
  const zones = stashZones(stash);
  const resolve = (v: string, tzid: string | undefined): string => {
    const p = parseTimeValue(v, tzid);
    if (!p) return `?${v}`;
    if (p.kind === 'date') return `D${p.wallMs}`;
    if (p.kind === 'utc') return `I${p.wallMs}`;
    if (p.kind === 'floating') return `I${wallToUtc(p.wallMs, stash?.floatingZone ?? 'UTC')}`;
    if (p.tzid && isIanaZone(p.tzid)) return `I${wallToUtc(p.wallMs, p.tzid)}`;
    const z = p.tzid ? zones.get(p.tzid) : undefined;
    const off = z ? vtimezoneOffset(z, p.wallMs) : undefined;
    if (off !== undefined) return `I${p.wallMs - off * 60_000}`;
    const iana = ianaOf(p.tzid);
    return iana ? `I${wallToUtc(p.wallMs, iana)}` : `?${v}`;
  };
  const times = (l: ContentLine) =>
    splitUnescaped(l.value, ',')
      .map((v) => resolve(v, paramValue(l, 'TZID')))
      .sort()
      .join(',');
  const pattern = (rrule: string) => {
    if (startInstant === undefined) return rrule;
    const startDay = Math.floor(utcToWall(startInstant, t.zone) / DAY_MS) * DAY_MS;
    const r = rruleToGraph(rrule, startDay, t.zone, (u) => {
      const p = parseTimeValue(u);
      if (!p) return undefined;
      const wall = p.kind === 'utc' ? utcToWall(p.wallMs, t.zone) : p.wallMs;
      return Math.floor(wall / DAY_MS) * DAY_MS;
    });
    return JSON.stringify(r);
  };
  const text = (v: string) => unescapeText(v).replace(/\r\n?/g, '\n').trim();
  return (f: ContentLine, o: ContentLine): boolean => {
    switch (f.name) {
      case 'DTSTART':
      case 'DTEND':
      case 'RECURRENCE-ID':
      case 'EXDATE':
      case 'DUE':
      case 'COMPLETED':
        return times(f) === times(o);
      case 'RRULE':
        return pattern(f.value) === pattern(o.value);
      case 'PRIORITY':
        return importanceOf(Number(f.value)) === importanceOf(Number(o.value));
      case 'CLASS':
      case 'TRANSP':
      case 'X-MICROSOFT-CDO-BUSYSTATUS':
        return f.value.trim().toUpperCase() === o.value.trim().toUpperCase();
      case 'ATTENDEE':
      case 'ORGANIZER':
        return f.value.trim().toLowerCase() === o.value.trim().toLowerCase();
      default:
        return text(f.value) === text(o.value);
    }
  };
}

/** The text of a Graph body as plain text (Cutover asks for text; HTML is stripped if it comes anyway). */
function bodyText(ev: GraphEvent): string | undefined {
  const b = ev.body;
  if (!b?.content) return undefined;
  if ((b.contentType ?? 'text').toLowerCase() === 'text') return b.content.replace(/\r\n/g, '\n');
  return b.content
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

/** Options of a read: the UID, the stash, the master's time frame and cancelled occurrences, and for an
 * override the master's own lines (an exception in Graph repeats the master's fields; an override written
 * by Cutover without them reads back without them). */
export interface EventTextOptions {
  uid: string;
  stash?: Stash;
  series?: SeriesTime;
  exdates?: number[];
  inherit?: string[];
}

/** One event's lines from Graph's fields alone, before the stash. */
export function eventFresh(ev: GraphEvent, opts: EventTextOptions): ContentLine[] {
  const t = seriesTimeOf(ev);
  const frame = opts.series ?? t;
  const start = ev.start ? instantOf(ev.start) : undefined;
  const end = ev.end ? instantOf(ev.end) : undefined;
  const fresh: ContentLine[] = [line('UID', opts.uid)];
  if (ev.lastModifiedDateTime)
    fresh.push(line('DTSTAMP', formatTimeValue(Date.parse(ev.lastModifiedDateTime), { utc: true })));
  if (ev.originalStart && ev.type === 'exception')
    fresh.push(timeLine('RECURRENCE-ID', Date.parse(ev.originalStart), frame));
  if (ev.subject) fresh.push(line('SUMMARY', escapeText(ev.subject)));
  const description = bodyText(ev);
  if (description) fresh.push(line('DESCRIPTION', escapeText(description)));
  if (ev.location?.displayName) fresh.push(line('LOCATION', escapeText(ev.location.displayName)));
  if (start !== undefined) fresh.push(timeLine('DTSTART', start, t));
  if (end !== undefined)
    fresh.push(timeLine('DTEND', end, { ...t, zone: ianaOf(ev.originalEndTimeZone ?? undefined) ?? t.zone }));
  if (ev.recurrence && start !== undefined)
    fresh.push(line('RRULE', graphToRrule(ev.recurrence, untilOf(t, start))));
  if (opts.exdates?.length) {
    const ls = opts.exdates.map((x) => timeLine('EXDATE', x, t));
    fresh.push({ ...ls[0]!, value: ls.map((l) => l.value).join(',') });
  }
  if (ev.categories?.length) fresh.push(line('CATEGORIES', ev.categories.map(escapeText).join(',')));
  fresh.push(line('CLASS', CLASS[ev.sensitivity ?? 'normal'] ?? 'PUBLIC'));
  fresh.push(line('TRANSP', ev.showAs === 'free' ? 'TRANSPARENT' : 'OPAQUE'));
  fresh.push(line('X-MICROSOFT-CDO-BUSYSTATUS', BUSY[ev.showAs ?? 'busy'] ?? 'BUSY'));
  fresh.push(line('PRIORITY', ev.importance === 'high' ? '1' : ev.importance === 'low' ? '9' : '5'));
  if (ev.isCancelled) fresh.push(line('STATUS', 'CANCELLED'));
  const attendees = ev.attendees ?? [];
  const org = ev.organizer?.emailAddress;
  if (attendees.length && org?.address)
    fresh.push(line('ORGANIZER', `mailto:${org.address}`, org.name ? [['CN', org.name]] : []));
  for (const a of attendees) {
    if (!a.emailAddress.address) continue;
    const params: Array<[string, string]> = [];
    if (a.emailAddress.name) params.push(['CN', a.emailAddress.name]);
    params.push(['ROLE', ROLE[a.type ?? 'required'] ?? 'REQ-PARTICIPANT']);
    if (a.type === 'resource') params.push(['CUTYPE', 'RESOURCE']);
    params.push(['PARTSTAT', PARTSTAT[a.status?.response ?? 'none'] ?? 'NEEDS-ACTION']);
    fresh.push(line('ATTENDEE', `mailto:${a.emailAddress.address}`, params));
  }
  return fresh;
}

/** One event as VEVENT text (see the file header). */
export function eventText(ev: GraphEvent, opts: EventTextOptions): string {
  const t = seriesTimeOf(ev);
  const start = ev.start ? instantOf(ev.start) : undefined;
  const stash = opts.stash;
  const inherited = new Set(stash ? (opts.inherit ?? []) : []);
  const lines = reconcile(
    eventFresh(ev, opts),
    stash?.lines ?? [],
    EVENT_MAPPED,
    sameness(stash, t, start),
  ).filter(
    (l) =>
      (!EVENT_DEFAULTS.has(l.toUpperCase()) || (stash?.lines ?? []).includes(l)) &&
      (!inherited.has(l) || (stash?.lines ?? []).includes(l)),
  );
  let alarm = '';
  if (ev.isReminderOn) {
    const minutes = ev.reminderMinutesBeforeStart ?? 15;
    const kept =
      stash?.alarm &&
      new RegExp(
        `TRIGGER[^:\\r\\n]*:-?P(T0?${minutes}M|T${minutes / 60}H|${minutes / 1440}D)\\r?$`,
        'm',
      ).test(stash.alarm);
    alarm =
      kept && stash?.alarm
        ? stash.alarm
        : `BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER:-PT${minutes}M\r\nEND:VALARM\r\n`;
  }
  return `BEGIN:VEVENT\r\n${linesText(lines)}${alarm}${(stash?.subs ?? []).join('')}END:VEVENT\r\n`;
}
