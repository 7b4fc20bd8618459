/**
 * One iCalendar event series ↔ Calendar API events: the master (or a single event) and each overridden
 * instance (RECURRENCE-ID ↔ originalStartTime) become one event each, sharing the iCalUID. Fields:
 * SUMMARY/DESCRIPTION/LOCATION, DTSTART/DTEND (DURATION as an end), RRULE/EXRULE/RDATE/EXDATE as the
 * recurrence lines Google stores as text, ORGANIZER, ATTENDEE with PARTSTAT ↔ responseStatus, ROLE
 * OPT-PARTICIPANT ↔ optional, CUTYPE ROOM/RESOURCE ↔ resource, CLASS ↔ visibility, TRANSP ↔ transparency,
 * STATUS, SEQUENCE, and VALARMs that are "display/e-mail so many minutes before the start" ↔ reminder
 * overrides (at most 5). Everything else — and the exact form of what was mapped — is kept in the event's
 * private extended properties (google-shadow.ts). A cancelled Google exception reads as an EXDATE.
 */
import { fold, formatLine, paramValue, type ContentLine } from '../../formats/content-lines.js';
import {
  childComponents,
  childProperties,
  parseDocument,
  serialiseComponent,
  type Component,
} from '../../formats/component-tree.js';
import { calendarObjects, type CalendarObject } from '../../formats/icalendar.js';
import { escapeText, unescapeText } from '../../formats/text-values.js';
import {
  instantOf,
  lineTime,
  recurrenceLine,
  timeLine,
  timePrint,
  type GoogleEventTime,
  type ZoneContext,
} from './google-event-time.js';
import { mergeShadow, readShadow, shadowPairs, type ShadowEntry } from './google-shadow.js';

/** An attendee as the Calendar API has it. */
export interface GoogleAttendee {
  email?: string;
  displayName?: string;
  optional?: boolean;
  resource?: boolean;
  responseStatus?: string;
  organizer?: boolean;
  self?: boolean;
}

/** A reminder override. */
export interface GoogleReminder {
  method: string;
  minutes: number;
}

/** The parts of an Events resource Cutover reads and writes. */
export interface GoogleEvent {
  id?: string;
  etag?: string;
  status?: string;
  iCalUID?: string;
  summary?: string;
  description?: string;
  location?: string;
  start?: GoogleEventTime;
  end?: GoogleEventTime;
  originalStartTime?: GoogleEventTime;
  recurringEventId?: string;
  recurrence?: string[];
  organizer?: { email?: string; displayName?: string; self?: boolean };
  attendees?: GoogleAttendee[];
  reminders?: { useDefault?: boolean; overrides?: GoogleReminder[] };
  visibility?: string;
  transparency?: string;
  sequence?: number;
  extendedProperties?: { private?: Record<string, string>; shared?: Record<string, string> };
  eventType?: string;
}

/** Calendar-level lines and VTIMEZONEs ride in the master's shadow with this mark. */
const CAL = '@cal';
/** Google keeps at most five reminder overrides. */
const MAX_REMINDERS = 5;
const MAX_REMINDER_MINUTES = 40320;

const PARTSTAT: Record<string, string> = {
  'NEEDS-ACTION': 'needsAction',
  ACCEPTED: 'accepted',
  DECLINED: 'declined',
  TENTATIVE: 'tentative',
};
const VISIBILITY: Record<string, string> = {
  PUBLIC: 'public',
  PRIVATE: 'private',
  CONFIDENTIAL: 'confidential',
};
const STATUS: Record<string, string> = {
  CONFIRMED: 'confirmed',
  TENTATIVE: 'tentative',
  CANCELLED: 'cancelled',
};
const invert = (m: Record<string, string>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [v, k]));

const text = (line: ContentLine): string => formatLine(line);
const str = (v: unknown): string => JSON.stringify(v ?? null);
const email = (uri: string, line: ContentLine): string =>
  (/^mailto:(.*)$/i.exec(uri.trim())?.[1] ?? paramValue(line, 'EMAIL') ?? uri).trim();

/** Fingerprints of the fields, the same whichever side computes them. */
export const sig = {
  attendee: (a: GoogleAttendee) =>
    `attendee=${(a.email ?? '').toLowerCase()}|${str(a.displayName)}|${a.responseStatus ?? 'needsAction'}|${!!a.optional}|${!!a.resource}`,
  organizer: (o: NonNullable<GoogleEvent['organizer']>) =>
    `organizer=${(o.email ?? '').toLowerCase()}|${str(o.displayName)}`,
  reminder: (r: GoogleReminder) => `reminder=${r.method}:${r.minutes}`,
};

/** Minutes before the start of a VALARM Google can hold as a reminder, and its method. */
function reminderOf(alarm: Component): GoogleReminder | undefined {
  const action = childProperties(alarm, 'ACTION')[0]?.line.value.trim().toUpperCase();
  const trigger = childProperties(alarm, 'TRIGGER')[0]?.line;
  if (!trigger || (action !== 'DISPLAY' && action !== 'EMAIL')) return undefined;
  if ((paramValue(trigger, 'RELATED') ?? 'START').toUpperCase() !== 'START') return undefined;
  if (paramValue(trigger, 'VALUE')?.toUpperCase() === 'DATE-TIME') return undefined;
  const m = /^(-)?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(trigger.value.trim());
  if (!m) return undefined;
  const minutes =
    Number(m[2] ?? 0) * 10080 + Number(m[3] ?? 0) * 1440 + Number(m[4] ?? 0) * 60 + Number(m[5] ?? 0);
  if (Number(m[6] ?? 0) !== 0 || (!m[1] && minutes !== 0) || minutes > MAX_REMINDER_MINUTES) return undefined;
  return { method: action === 'EMAIL' ? 'email' : 'popup', minutes };
}

/** An ISO 8601 duration of DURATION in milliseconds (weeks, days, hours, minutes, seconds). */
function durationMs(value: string): number | undefined {
  const m = /^\+?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value.trim());
  if (!m) return undefined;
  const [w, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number];
  return ((((w * 7 + d) * 24 + h) * 60 + mi) * 60 + s) * 1000;
}

function addMs(time: GoogleEventTime, ms: number): GoogleEventTime {
  if (time.date)
    return { date: new Date(Date.parse(`${time.date}T00:00:00Z`) + ms).toISOString().slice(0, 10) };
  const at = instantOf(time) ?? 0;
  return { dateTime: new Date(at + ms).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

/** One VEVENT as an event and what is kept beside it. */
function toEvent(comp: Component, ctx: ZoneContext): { event: GoogleEvent; kept: ShadowEntry[] } {
  const event: GoogleEvent = { reminders: { useDefault: false, overrides: [] } };
  const kept: ShadowEntry[] = [];
  let duration: ContentLine | undefined;
  for (const p of childProperties(comp)) {
    const line = p.line;
    const value = unescapeText(line.value);
    const t = text(line);
    switch (line.name) {
      case 'UID':
        event.iCalUID = line.value.trim();
        kept.push({ sig: `uid=${event.iCalUID}`, text: t });
        continue;
      case 'SUMMARY':
      case 'DESCRIPTION':
      case 'LOCATION': {
        const field = line.name.toLowerCase() as 'summary' | 'description' | 'location';
        if (event[field] !== undefined) break;
        event[field] = value;
        kept.push({ sig: `${field}=${str(value)}`, text: t });
        continue;
      }
      case 'DTSTART':
      case 'DTEND':
      case 'RECURRENCE-ID': {
        const time = lineTime(line, ctx);
        if (!time) break;
        const field = line.name === 'DTSTART' ? 'start' : line.name === 'DTEND' ? 'end' : 'originalStartTime';
        event[field] = time;
        kept.push({ sig: `${field}=${timePrint(time)}`, text: t });
        continue;
      }
      case 'DURATION':
        duration = line;
        continue;
      case 'RRULE':
      case 'EXRULE':
      case 'RDATE':
      case 'EXDATE': {
        const r = recurrenceLine(t, line);
        (event.recurrence ??= []).push(r);
        kept.push({ sig: `recurrence=${r}`, text: t });
        continue;
      }
      case 'ORGANIZER': {
        const o = { email: email(line.value, line), displayName: paramValue(line, 'CN') };
        if (o.displayName === undefined) delete o.displayName;
        event.organizer = o;
        kept.push({ sig: sig.organizer(o), text: t });
        continue;
      }
      case 'ATTENDEE': {
        const a: GoogleAttendee = { email: email(line.value, line) };
        const cn = paramValue(line, 'CN');
        if (cn !== undefined) a.displayName = cn;
        a.responseStatus =
          PARTSTAT[(paramValue(line, 'PARTSTAT') ?? 'NEEDS-ACTION').toUpperCase()] ?? 'needsAction';
        if ((paramValue(line, 'ROLE') ?? '').toUpperCase() === 'OPT-PARTICIPANT') a.optional = true;
        if (/^(ROOM|RESOURCE)$/i.test(paramValue(line, 'CUTYPE') ?? '')) a.resource = true;
        (event.attendees ??= []).push(a);
        kept.push({ sig: sig.attendee(a), text: t });
        continue;
      }
      case 'CLASS':
      case 'TRANSP':
      case 'STATUS': {
        const upper = line.value.trim().toUpperCase();
        const mapped =
          line.name === 'CLASS'
            ? VISIBILITY[upper]
            : line.name === 'STATUS'
              ? STATUS[upper]
              : upper === 'TRANSPARENT'
                ? 'transparent'
                : upper === 'OPAQUE'
                  ? 'opaque'
                  : undefined;
        if (!mapped) break;
        const field =
          line.name === 'CLASS' ? 'visibility' : line.name === 'TRANSP' ? 'transparency' : 'status';
        event[field] = mapped;
        kept.push({ sig: `${field}=${mapped}`, text: t });
        continue;
      }
      case 'SEQUENCE': {
        const n = Number(line.value.trim());
        if (Number.isInteger(n) && n >= 0) event.sequence = n;
        continue;
      }
    }
    kept.push({ text: t });
  }
  if (duration && event.start && !event.end) {
    const ms = durationMs(duration.value);
    if (ms !== undefined) {
      event.end = addMs(event.start, ms);
      kept.push({ sig: `end=${timePrint(event.end)}`, text: text(duration) });
    } else kept.push({ text: text(duration) });
  } else if (duration) kept.push({ text: text(duration) });
  // Google fills these in (the calendar as organizer, status confirmed): reading, a default stays out.
  if (!event.organizer) kept.push({ sig: 'absent=organizer', text: '' });
  if (!event.status) kept.push({ sig: 'absent=status', text: '' });
  if (event.start && !event.end) {
    // RFC 5545: no DTEND and no DURATION → a one-day event (DATE) or no duration at all.
    event.end = event.start.date ? addMs(event.start, 86_400_000) : { ...event.start };
    kept.push({ sig: `end=${timePrint(event.end)}`, text: '' });
  }
  for (const alarm of childComponents(comp)) {
    const whole = serialiseComponent(alarm, '\r\n').replace(/\r?\n/g, '\r\n');
    const r = alarm.name === 'VALARM' ? reminderOf(alarm) : undefined;
    const overrides = event.reminders!.overrides!;
    if (
      r &&
      overrides.length < MAX_REMINDERS &&
      !overrides.some((o) => sig.reminder(o) === sig.reminder(r))
    ) {
      overrides.push(r);
      kept.push({ sig: sig.reminder(r), text: whole });
    } else kept.push({ text: whole });
  }
  return { event, kept };
}

/** An event series written for Google: the master first, then each override; VTIMEZONEs kept with the master. */
export interface EventSeries {
  uid: string;
  master?: GoogleEvent;
  overrides: GoogleEvent[];
}

/** The events of one calendar object (the text holds one UID). */
export function eventsOf(ics: string, calendarZone: string): EventSeries | undefined {
  const doc = parseDocument(ics);
  const cal = childComponents(doc.nodes, 'VCALENDAR')[0];
  const obj: CalendarObject | undefined = calendarObjects(doc).find((o) => o.type === 'VEVENT');
  if (!cal || !obj || obj.uid === undefined) return undefined;
  const vtimezones = new Map<string, Component>();
  for (const z of childComponents(cal, 'VTIMEZONE'))
    vtimezones.set(childProperties(z, 'TZID')[0]?.line.value.trim() ?? '', z);
  const ctx: ZoneContext = { calendarZone, vtimezones };
  const calKept: ShadowEntry[] = [
    ...childProperties(cal)
      .filter((p) => !['VERSION', 'PRODID', 'METHOD'].includes(p.line.name))
      .map((p) => ({ sig: CAL, text: text(p.line) })),
    ...childComponents(cal, 'VTIMEZONE').map((z) => ({
      sig: CAL,
      text: serialiseComponent(z, '\r\n').replace(/\r?\n/g, '\r\n'),
    })),
  ];
  const withShadow = (comp: Component, extra: ShadowEntry[]): GoogleEvent => {
    const { event, kept } = toEvent(comp, ctx);
    const pairs = shadowPairs([...extra, ...kept]);
    if (Object.keys(pairs).length > 0) event.extendedProperties = { private: pairs };
    return event;
  };
  const series: EventSeries = { uid: obj.uid, overrides: [] };
  if (obj.master) series.master = withShadow(obj.master, calKept);
  for (const o of obj.overrides) series.overrides.push(withShadow(o, obj.master ? [] : calKept));
  return series;
}

/** The lines Google's fields say, each with its fingerprint. */
function generated(
  e: GoogleEvent,
  defaults: GoogleReminder[],
  cancelled: GoogleEvent[],
  absent: Set<string>,
): ShadowEntry[] {
  const out: ShadowEntry[] = [];
  const add = (s: string, t: string) => out.push({ sig: s, text: t });
  if (e.iCalUID) add(`uid=${e.iCalUID}`, `UID:${e.iCalUID}`);
  if (e.originalStartTime)
    add(
      `originalStartTime=${timePrint(e.originalStartTime)}`,
      timeLine('RECURRENCE-ID', e.originalStartTime),
    );
  if (e.start) add(`start=${timePrint(e.start)}`, timeLine('DTSTART', e.start));
  if (e.end) add(`end=${timePrint(e.end)}`, timeLine('DTEND', e.end));
  for (const f of ['summary', 'description', 'location'] as const)
    if (e[f] !== undefined && e[f] !== '')
      add(`${f}=${str(e[f])}`, `${f.toUpperCase()}:${escapeText(e[f] ?? '')}`);
  for (const r of e.recurrence ?? []) add(`recurrence=${r}`, r);
  for (const c of cancelled)
    if (c.originalStartTime) out.push({ text: timeLine('EXDATE', c.originalStartTime) });
  if (e.organizer?.email && !(absent.has('absent=organizer') && e.organizer.self)) {
    const cn = e.organizer.displayName ? `;CN=${quoted(e.organizer.displayName)}` : '';
    add(sig.organizer(e.organizer), `ORGANIZER${cn}:mailto:${e.organizer.email}`);
  }
  const partstat = invert(PARTSTAT);
  for (const a of e.attendees ?? []) {
    if (!a.email) continue;
    const params = [
      a.displayName ? `CN=${quoted(a.displayName)}` : '',
      a.optional ? 'ROLE=OPT-PARTICIPANT' : '',
      a.resource ? 'CUTYPE=RESOURCE' : '',
      `PARTSTAT=${partstat[a.responseStatus ?? 'needsAction'] ?? 'NEEDS-ACTION'}`,
    ].filter(Boolean);
    add(sig.attendee(a), `ATTENDEE;${params.join(';')}:mailto:${a.email}`);
  }
  if (e.visibility && e.visibility !== 'default')
    add(`visibility=${e.visibility}`, `CLASS:${invert(VISIBILITY)[e.visibility] ?? 'PUBLIC'}`);
  if (e.transparency) add(`transparency=${e.transparency}`, `TRANSP:${e.transparency.toUpperCase()}`);
  if (e.status && e.status !== 'cancelled' && !(absent.has('absent=status') && e.status === 'confirmed'))
    add(`status=${e.status}`, `STATUS:${invert(STATUS)[e.status] ?? 'CONFIRMED'}`);
  if (e.sequence !== undefined) out.push({ text: `SEQUENCE:${e.sequence}` });
  const reminders = e.reminders?.useDefault ? defaults : (e.reminders?.overrides ?? []);
  for (const r of reminders)
    add(
      sig.reminder(r),
      [
        'BEGIN:VALARM',
        `ACTION:${r.method === 'email' ? 'EMAIL' : 'DISPLAY'}`,
        `DESCRIPTION:${escapeText(e.summary ?? 'Reminder')}`,
        ...(r.method === 'email' ? [`SUMMARY:${escapeText(e.summary ?? 'Reminder')}`] : []),
        `TRIGGER:-PT${r.minutes}M`,
        'END:VALARM',
        '',
      ].join('\r\n'),
    );
  return out;
}

function quoted(v: string): string {
  return /[;:,]/.test(v) ? `"${v.replace(/"/g, "^'")}"` : v;
}

/** Lines and components into folded text: a component's text is already folded and ended. */
function render(items: string[]): string {
  return items
    .filter((t) => t !== '')
    .map((t) => (t.startsWith('BEGIN:') ? t : `${fold(t)}\r\n`))
    .join('');
}

/** Google's events of one iCalUID (master first if there is one) as one iCalendar object. */
export function icsOf(events: GoogleEvent[], defaults: GoogleReminder[] = []): string {
  const live = events.filter((e) => e.status !== 'cancelled');
  const cancelled = events.filter((e) => e.status === 'cancelled' && e.recurringEventId);
  const master = live.find((e) => !e.recurringEventId) ?? live[0];
  const calLevel = readShadow(master?.extendedProperties?.private).filter((e) => e.sig === CAL);
  const comps = live.map((e) => {
    const kept = readShadow(e.extendedProperties?.private).filter((k) => k.sig !== CAL);
    // A DTEND Cutover added only because Google needs one is kept as an empty line: it stays out.
    const absent = new Set(kept.map((k) => k.sig ?? '').filter((x) => x.startsWith('absent=')));
    const body = mergeShadow(generated(e, defaults, e === master ? cancelled : [], absent), kept);
    return `BEGIN:VEVENT\r\n${render(body)}END:VEVENT\r\n`;
  });
  return (
    'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Cutover//Google Calendar//EN\r\n' +
    render(calLevel.map((e) => e.text)) +
    comps.join('') +
    'END:VCALENDAR\r\n'
  );
}
