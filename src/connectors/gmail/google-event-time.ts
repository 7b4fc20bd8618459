/**
 * iCalendar times ↔ the Calendar API's `{date}` / `{dateTime, timeZone}`: a DATE is an all-day date; a UTC
 * time is an RFC 3339 instant; a zoned time is the wall-clock time with its IANA zone (a Windows zone name,
 * as Exchange writes it, through the CLDR table; a zone only its VTIMEZONE defines, as the instant it names);
 * a floating time has no equivalent in Google and takes the calendar's zone. Each time also has a
 * fingerprint (the instant and the zone) that does not depend on how Google spells the time back.
 */
import { paramValue, type ContentLine } from '../../formats/content-lines.js';
import type { Component } from '../../formats/component-tree.js';
import { formatTimeValue, timesOf, type TimeValue } from '../../formats/ical-time.js';
import { ianaForWindows } from '../../formats/windows-zones.js';
import { ianaOffset, isIanaZone, vtimezoneOffset } from '../../formats/zone-offsets.js';

/** A time as the Calendar API writes it. */
export interface GoogleEventTime {
  date?: string;
  dateTime?: string;
  timeZone?: string;
}

/** What a conversion needs besides the line. */
export interface ZoneContext {
  /** The calendar's own zone: floating times are placed in it. */
  calendarZone: string;
  /** The VTIMEZONEs of the text, by TZID. */
  vtimezones: Map<string, Component>;
}

const MINUTE = 60_000;

/** `YYYY-MM-DDTHH:MM:SS` of wall milliseconds. */
function localText(wallMs: number): string {
  return new Date(wallMs).toISOString().slice(0, 19);
}

/** The instant of a wall-clock time in an IANA zone. */
export function instantIn(zone: string, wallMs: number): number {
  return wallMs - ianaOffset(zone, wallMs) * MINUTE;
}

/** The wall-clock time (as wall milliseconds) of an instant in an IANA zone. */
export function wallIn(zone: string, instant: number): number {
  let wall = instant + ianaOffset(zone, instant) * MINUTE;
  for (let i = 0; i < 2 && instantIn(zone, wall) !== instant; i++)
    wall = instant + ianaOffset(zone, wall) * MINUTE;
  return wall;
}

/** The IANA zone Google can take for a TZID, if there is one. */
export function ianaZone(tzid: string): string | undefined {
  if (isIanaZone(tzid) && tzid.includes('/')) return tzid;
  const windows = ianaForWindows(tzid);
  if (windows) return windows;
  return isIanaZone(tzid) ? tzid : undefined;
}

/** One TimeValue as a Google time. */
export function googleTime(t: TimeValue, ctx: ZoneContext): GoogleEventTime {
  if (t.kind === 'date') return { date: new Date(t.wallMs).toISOString().slice(0, 10) };
  if (t.kind === 'utc') return { dateTime: `${localText(t.wallMs)}Z` };
  if (t.kind === 'floating') return { dateTime: localText(t.wallMs), timeZone: ctx.calendarZone };
  const tzid = t.tzid ?? '';
  const zone = ianaZone(tzid);
  if (zone) return { dateTime: localText(t.wallMs), timeZone: zone };
  const vtz = ctx.vtimezones.get(tzid);
  const offset = vtz ? vtimezoneOffset(vtz, t.wallMs) : undefined;
  // A zone only its VTIMEZONE knows (Exchange's "Customized Time Zone"): the instant it names, in UTC.
  return { dateTime: `${localText(t.wallMs - (offset ?? 0) * MINUTE)}Z` };
}

/** A date/time property line as a Google time (its first value). */
export function lineTime(line: ContentLine, ctx: ZoneContext): GoogleEventTime | undefined {
  const t = timesOf(line)[0];
  return t ? googleTime(t, ctx) : undefined;
}

/** The instant of a Google dateTime (with an offset, or local in `timeZone`). */
export function instantOf(time: GoogleEventTime): number | undefined {
  const dt = time.dateTime;
  if (!dt) return undefined;
  if (/(Z|[+-]\d\d:\d\d)$/.test(dt)) return Date.parse(dt);
  const wall = Date.parse(`${dt}Z`);
  return time.timeZone && isIanaZone(time.timeZone) ? instantIn(time.timeZone, wall) : wall;
}

/** What a time means, however Google spells it: the date, or the instant and the zone. */
export function timePrint(time: GoogleEventTime | undefined): string {
  if (!time) return '-';
  if (time.date) return `d:${time.date}`;
  return `t:${instantOf(time) ?? '?'}${time.timeZone ? `@${time.timeZone}` : ''}`;
}

/** A Google time as an iCalendar property line (`DTSTART;TZID=Europe/Berlin:20250303T093000`). */
export function timeLine(name: string, time: GoogleEventTime): string {
  if (time.date) return `${name};VALUE=DATE:${time.date.replace(/-/g, '')}`;
  const instant = instantOf(time) ?? 0;
  if (time.timeZone && isIanaZone(time.timeZone) && time.timeZone !== 'UTC')
    return `${name};TZID=${time.timeZone}:${formatTimeValue(wallIn(time.timeZone, instant))}`;
  return `${name}:${formatTimeValue(instant, { utc: true })}`;
}

/** A recurrence line (RRULE/EXDATE/RDATE) with a TZID Google does not know replaced by its IANA name. */
export function recurrenceLine(text: string, line: ContentLine): string {
  const tzid = paramValue(line, 'TZID');
  const zone = tzid === undefined ? undefined : ianaZone(tzid);
  return zone && zone !== tzid ? text.replace(`TZID=${tzid}`, `TZID=${zone}`) : text;
}
