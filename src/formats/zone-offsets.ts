/**
 * UTC offsets at a wall-clock time, two ways: from the rules a VTIMEZONE carries (RFC 5545 §3.6.5:
 * STANDARD/DAYLIGHT observances with a DTSTART, a yearly RRULE or RDATEs) and from the IANA tz database
 * (through Intl, which needs tzdata). windows-zones.ts compares the two before it renames a zone, so a
 * rename never moves an instant. Only what time-zone definitions use is evaluated: yearly rules by month and
 * (n-th) weekday, optionally restricted by month day; anything else answers undefined (not known).
 */
import { childComponents, childProperties, type Component } from './component-tree.js';
import { parseTimeValue, parseUtcOffset, timesOf } from './ical-time.js';

const DAY_MS = 86_400_000;
const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];

interface Observance {
  startWall: number;
  from: number;
  to: number;
  /** Onset in a given year (wall ms), undefined if none that year; absent = no yearly rule. */
  onsetIn?: (year: number) => number | undefined;
  rdates: number[];
}

/** The day (1-based) of `year`/`month` that is the n-th (negative: from the end) `weekday`. */
function nthWeekday(year: number, month: number, weekday: number, n: number): number | undefined {
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const matching: number[] = [];
  for (let d = 1; d <= days; d++)
    if (new Date(Date.UTC(year, month - 1, d)).getUTCDay() === weekday) matching.push(d);
  return n > 0 ? matching[n - 1] : matching[matching.length + n];
}

/** A yearly RRULE of a time-zone observance → its onset per year; undefined when the rule is another kind. */
function yearlyRule(rrule: string, startWall: number): ((year: number) => number | undefined) | undefined {
  const parts = new Map(rrule.split(';').map((p) => p.split('=') as [string, string]));
  const allowed = new Set(['FREQ', 'INTERVAL', 'BYMONTH', 'BYDAY', 'BYMONTHDAY', 'UNTIL', 'COUNT']);
  if (parts.get('FREQ') !== 'YEARLY' || [...parts.keys()].some((k) => !allowed.has(k))) return undefined;
  if ((parts.get('INTERVAL') ?? '1') !== '1') return undefined;
  const month = Number(parts.get('BYMONTH'));
  const byday = /^([+-]?\d)?(SU|MO|TU|WE|TH|FR|SA)$/.exec(parts.get('BYDAY') ?? '');
  const monthDays = parts.get('BYMONTHDAY')?.split(',').map(Number);
  if (!Number.isInteger(month) || month < 1 || month > 12 || !byday) return undefined;
  const weekday = WEEKDAYS.indexOf(byday[2] ?? '');
  const n = byday[1] === undefined ? undefined : Number(byday[1]);
  if ((n === undefined) === (monthDays === undefined)) return undefined; // 3SU, or SU with month days: nothing else
  const until = parts.has('UNTIL') ? parseTimeValue(parts.get('UNTIL') ?? '') : undefined;
  const count = parts.has('COUNT') ? Number(parts.get('COUNT')) : undefined;
  const startYear = new Date(startWall).getUTCFullYear();
  const timeOfDay = startWall - Math.floor(startWall / DAY_MS) * DAY_MS;
  return (year) => {
    if (year < startYear || (count !== undefined && year - startYear >= count)) return undefined;
    const day =
      n !== undefined
        ? nthWeekday(year, month, weekday, n)
        : monthDays?.find((d) => new Date(Date.UTC(year, month - 1, d)).getUTCDay() === weekday);
    if (day === undefined) return undefined;
    const onset = Date.UTC(year, month - 1, day) + timeOfDay;
    // UNTIL is UTC in a VTIMEZONE; compared with the wall onset it may be off by the offset, never by a year.
    if (until && onset > until.wallMs + DAY_MS) return undefined;
    return onset < startWall ? undefined : onset;
  };
}

function observances(vtimezone: Component): Observance[] | undefined {
  const out: Observance[] = [];
  for (const obs of [...childComponents(vtimezone, 'STANDARD'), ...childComponents(vtimezone, 'DAYLIGHT')]) {
    const start = childProperties(obs, 'DTSTART')[0];
    const from = parseUtcOffset(childProperties(obs, 'TZOFFSETFROM')[0]?.line.value ?? '');
    const to = parseUtcOffset(childProperties(obs, 'TZOFFSETTO')[0]?.line.value ?? '');
    const startWall = start && parseTimeValue(start.line.value)?.wallMs;
    if (startWall === undefined || from === undefined || to === undefined) return undefined;
    const rrules = childProperties(obs, 'RRULE');
    if (rrules.length > 1) return undefined;
    const onsetIn = rrules[0] ? yearlyRule(rrules[0].line.value, startWall) : undefined;
    if (rrules[0] && !onsetIn) return undefined;
    const rdates = childProperties(obs, 'RDATE').flatMap((p) => timesOf(p.line).map((t) => t.wallMs));
    out.push({ startWall, from, to, rdates, ...(onsetIn ? { onsetIn } : {}) });
  }
  return out.length > 0 ? out : undefined;
}

/** The offset (minutes east of UTC) a VTIMEZONE gives at a wall-clock time; undefined when its rules are not understood. */
export function vtimezoneOffset(vtimezone: Component, wallMs: number): number | undefined {
  const all = observances(vtimezone);
  if (!all) return undefined;
  const year = new Date(wallMs).getUTCFullYear();
  let best: { onset: number; to: number } | undefined;
  let first: { onset: number; from: number } | undefined;
  for (const o of all) {
    const onsets = o.onsetIn
      ? [o.onsetIn(year), o.onsetIn(year - 1), o.startWall].filter((x): x is number => x !== undefined)
      : [o.startWall];
    for (const onset of [...onsets, ...o.rdates]) {
      if (onset <= wallMs && (!best || onset > best.onset)) best = { onset, to: o.to };
      if (!first || onset < first.onset) first = { onset, from: o.from };
    }
  }
  return best ? best.to : first?.from;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** True when the IANA tz database (through Intl) knows `zone`. */
export function isIanaZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

function ianaOffsetAtInstant(zone: string, utcMs: number): number {
  const parts = Object.fromEntries(
    formatter(zone)
      .formatToParts(new Date(utcMs))
      .map((p) => [p.type, p.value]),
  );
  const wall = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return Math.round((wall - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/** The offset (minutes east of UTC) the IANA zone has at a wall-clock time (the later one in a repeated hour). */
export function ianaOffset(zone: string, wallMs: number): number {
  const guess = ianaOffsetAtInstant(zone, wallMs);
  return ianaOffsetAtInstant(zone, wallMs - guess * 60_000);
}
