/**
 * Graph's patternedRecurrence (pattern + range) ↔ an iCalendar RRULE (RFC 5545 §3.3.10), and the occurrence
 * dates a pattern gives. Graph knows six patterns — daily, weekly, absoluteMonthly, relativeMonthly,
 * absoluteYearly, relativeYearly — with an interval, and a range that ends on a date, after a count, or
 * never. An RRULE outside that (HOURLY, BYHOUR, BYWEEKNO, several BYMONTHDAYs, a BYSETPOS list, …) cannot be
 * expressed and comes back as a reason in words instead of a pattern.
 *
 * Dates here are wall-clock days as UTC-midnight milliseconds (Date.UTC of the fields), in the series' zone.
 */

/** Graph's recurrencePattern. */
export interface GraphPattern {
  type: 'daily' | 'weekly' | 'absoluteMonthly' | 'relativeMonthly' | 'absoluteYearly' | 'relativeYearly';
  interval: number;
  daysOfWeek?: string[];
  dayOfMonth?: number;
  month?: number;
  firstDayOfWeek?: string;
  index?: 'first' | 'second' | 'third' | 'fourth' | 'last';
}

/** Graph's recurrenceRange. */
export interface GraphRange {
  type: 'endDate' | 'noEnd' | 'numbered';
  /** yyyy-mm-dd */
  startDate: string;
  endDate?: string;
  numberOfOccurrences?: number;
  recurrenceTimeZone?: string;
}

export interface GraphRecurrence {
  pattern: GraphPattern;
  range: GraphRange;
}

const DAY_MS = 86_400_000;
const ICAL_DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const GRAPH_DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const INDEXES = ['first', 'second', 'third', 'fourth'] as const;

/** `2025-03-03` ↔ UTC-midnight ms. */
export const dayMs = (date: string): number => Date.parse(`${date.slice(0, 10)}T00:00:00Z`);
export const dayString = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

const graphDay = (ical: string): string | undefined => GRAPH_DAYS[ICAL_DAYS.indexOf(ical.toUpperCase())];
const icalDay = (graph: string): string => ICAL_DAYS[GRAPH_DAYS.indexOf(graph.toLowerCase())] ?? 'MO';

/**
 * An RRULE value → Graph's recurrence for a series starting on `startDay` (the DTSTART's wall date); `untilDay`
 * turns UNTIL (a UTC or wall time) into the wall date of the last day. A reason when Graph cannot say it.
 */
export function rruleToGraph(
  rrule: string,
  startDay: number,
  zone: string,
  untilDay: (value: string) => number | undefined,
): GraphRecurrence | { reason: string } {
  const parts = new Map<string, string>();
  for (const p of rrule.split(';')) {
    const [k, v] = p.split('=');
    if (k && v !== undefined) parts.set(k.toUpperCase(), v.toUpperCase());
  }
  const freq = parts.get('FREQ');
  const known = new Set([
    'FREQ',
    'INTERVAL',
    'BYDAY',
    'BYMONTHDAY',
    'BYMONTH',
    'BYSETPOS',
    'COUNT',
    'UNTIL',
    'WKST',
  ]);
  const unknown = [...parts.keys()].filter((k) => !known.has(k));
  const cannot = (why: string) => ({
    reason: `RRULE:${rrule} cannot be expressed in Microsoft 365 (${why})`,
  });
  if (unknown.length) return cannot(`${unknown.join(', ')} has no Graph equivalent`);
  const interval = Number(parts.get('INTERVAL') ?? '1');
  if (!Number.isInteger(interval) || interval < 1) return cannot('bad INTERVAL');
  const start = new Date(startDay);
  const byday = (parts.get('BYDAY') ?? '').split(',').filter(Boolean);
  const ordinals = byday.map((d) => /^([+-]?\d+)?([A-Z]{2})$/.exec(d));
  if (ordinals.some((m) => !m || !graphDay(m[2]!))) return cannot('BYDAY not understood');
  const days = ordinals.map((m) => graphDay(m![2]!)!);
  const ords = [...new Set(ordinals.map((m) => m![1]).filter((o) => o !== undefined))];
  const setpos = parts.get('BYSETPOS');
  if (ords.length > 1 || (setpos && setpos.includes(','))) return cannot('several positions in a month');
  const posText = ords[0] ?? setpos;
  const pos = posText === undefined ? undefined : Number(posText);
  const index = pos === undefined ? undefined : pos === -1 ? 'last' : INDEXES[pos - 1];
  if (pos !== undefined && index === undefined)
    return cannot(`position ${pos} (Graph has first to fourth and last)`);
  const monthDays = (parts.get('BYMONTHDAY') ?? '').split(',').filter(Boolean).map(Number);
  if (monthDays.length > 1 || monthDays.some((d) => d < 1)) return cannot('several or negative BYMONTHDAY');
  const months = (parts.get('BYMONTH') ?? '').split(',').filter(Boolean).map(Number);
  if (months.length > 1) return cannot('several BYMONTH');
  let pattern: GraphPattern;
  const wkst = graphDay(parts.get('WKST') ?? 'MO') ?? 'monday';
  switch (freq) {
    case 'DAILY':
      if (monthDays.length || months.length || index) return cannot('DAILY with BYMONTHDAY/BYMONTH/BYSETPOS');
      pattern = days.length
        ? { type: 'weekly', interval: 1, daysOfWeek: days, firstDayOfWeek: wkst }
        : { type: 'daily', interval };
      if (days.length && interval !== 1) return cannot('DAILY with BYDAY and an INTERVAL');
      break;
    case 'WEEKLY':
      if (monthDays.length || months.length || index)
        return cannot('WEEKLY with BYMONTHDAY/BYMONTH/BYSETPOS');
      pattern = {
        type: 'weekly',
        interval,
        daysOfWeek: days.length ? days : [GRAPH_DAYS[start.getUTCDay()]!],
        firstDayOfWeek: wkst,
      };
      break;
    case 'MONTHLY':
      if (months.length) return cannot('MONTHLY with BYMONTH');
      if (days.length) {
        if (monthDays.length) return cannot('BYDAY with BYMONTHDAY');
        pattern = { type: 'relativeMonthly', interval, daysOfWeek: days, index: index ?? 'first' };
        if (!index) return cannot('BYDAY in a month without a position');
      } else pattern = { type: 'absoluteMonthly', interval, dayOfMonth: monthDays[0] ?? start.getUTCDate() };
      break;
    case 'YEARLY': {
      const month = months[0] ?? start.getUTCMonth() + 1;
      if (days.length) {
        if (!index || monthDays.length) return cannot('BYDAY in a year without a position in a month');
        pattern = { type: 'relativeYearly', interval, daysOfWeek: days, index, month };
      } else
        pattern = { type: 'absoluteYearly', interval, dayOfMonth: monthDays[0] ?? start.getUTCDate(), month };
      break;
    }
    default:
      return cannot(`FREQ=${freq ?? '(none)'}`);
  }
  const range: GraphRange = { type: 'noEnd', startDate: dayString(startDay), recurrenceTimeZone: zone };
  const count = parts.get('COUNT');
  const until = parts.get('UNTIL');
  if (count) Object.assign(range, { type: 'numbered', numberOfOccurrences: Number(count) });
  else if (until) {
    const end = untilDay(until);
    if (end === undefined) return cannot('UNTIL not understood');
    Object.assign(range, { type: 'endDate', endDate: dayString(end) });
  }
  return { pattern, range };
}

/** Graph's recurrence → an RRULE value; `until` writes the end date as UNTIL (UTC or a date for all-day). */
export function graphToRrule(r: GraphRecurrence, until: (endDay: number) => string): string {
  const p = r.pattern;
  const parts: string[] = [];
  const idx = p.index === 'last' ? -1 : INDEXES.indexOf(p.index ?? 'first') + 1;
  const days = (p.daysOfWeek ?? []).map(icalDay);
  switch (p.type) {
    case 'daily':
      parts.push('FREQ=DAILY');
      break;
    case 'weekly':
      parts.push('FREQ=WEEKLY');
      break;
    case 'absoluteMonthly':
    case 'relativeMonthly':
      parts.push('FREQ=MONTHLY');
      break;
    default:
      parts.push('FREQ=YEARLY');
  }
  if (p.interval > 1) parts.push(`INTERVAL=${p.interval}`);
  if (p.type === 'weekly') parts.push(`BYDAY=${days.join(',')}`);
  if (p.type === 'relativeMonthly' || p.type === 'relativeYearly')
    parts.push(days.length === 1 ? `BYDAY=${idx}${days[0]}` : `BYDAY=${days.join(',')};BYSETPOS=${idx}`);
  if (p.type === 'absoluteMonthly' || p.type === 'absoluteYearly') parts.push(`BYMONTHDAY=${p.dayOfMonth}`);
  if (p.type === 'absoluteYearly' || p.type === 'relativeYearly') parts.push(`BYMONTH=${p.month}`);
  if (p.type === 'weekly' && p.interval > 1 && p.firstDayOfWeek)
    parts.push(`WKST=${icalDay(p.firstDayOfWeek)}`);
  if (r.range.type === 'numbered') parts.push(`COUNT=${r.range.numberOfOccurrences}`);
  if (r.range.type === 'endDate' && r.range.endDate) parts.push(`UNTIL=${until(dayMs(r.range.endDate))}`);
  return parts.join(';');
}

function monthIndex(ms: number): number {
  const d = new Date(ms);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** Does `day` match the pattern, counted from `first` (the range's start day)? */
function matches(p: GraphPattern, first: number, day: number): boolean {
  const d = new Date(day);
  const wd = GRAPH_DAYS[d.getUTCDay()]!;
  const every = Math.max(1, p.interval);
  switch (p.type) {
    case 'daily':
      return Math.round((day - first) / DAY_MS) % every === 0;
    case 'weekly': {
      if (!(p.daysOfWeek ?? []).includes(wd)) return false;
      const wkst = Math.max(0, GRAPH_DAYS.indexOf(p.firstDayOfWeek ?? 'sunday'));
      const weekStart = (ms: number) => ms - ((new Date(ms).getUTCDay() - wkst + 7) % 7) * DAY_MS;
      return Math.round((weekStart(day) - weekStart(first)) / (7 * DAY_MS)) % every === 0;
    }
    case 'absoluteMonthly':
    case 'relativeMonthly':
      if ((monthIndex(day) - monthIndex(first)) % every !== 0) return false;
      return p.type === 'absoluteMonthly' ? d.getUTCDate() === p.dayOfMonth : relativeDay(p, day);
    default:
      if (d.getUTCMonth() + 1 !== p.month) return false;
      if ((d.getUTCFullYear() - new Date(first).getUTCFullYear()) % every !== 0) return false;
      return p.type === 'absoluteYearly' ? d.getUTCDate() === p.dayOfMonth : relativeDay(p, day);
  }
}

/** The index-th day of the month among the pattern's weekdays (Exchange's "second weekday", "last Sunday"). */
function relativeDay(p: GraphPattern, day: number): boolean {
  const d = new Date(day);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  const set: number[] = [];
  for (let x = Date.UTC(y, m, 1); new Date(x).getUTCMonth() === m; x += DAY_MS)
    if ((p.daysOfWeek ?? []).includes(GRAPH_DAYS[new Date(x).getUTCDay()]!)) set.push(x);
  const pick = p.index === 'last' ? set[set.length - 1] : set[INDEXES.indexOf(p.index ?? 'first')];
  return pick === day;
}

/**
 * The days a recurrence occurs on, in order, up to `horizon` (exclusive) for a range without an end; at most
 * `max` days (a guard, not a Graph limit).
 */
export function occurrenceDays(r: GraphRecurrence, horizon: number, max = 5000): number[] {
  const first = dayMs(r.range.startDate);
  const last = r.range.type === 'endDate' && r.range.endDate ? dayMs(r.range.endDate) : horizon - DAY_MS;
  const out: number[] = [];
  for (let day = first; day <= last && out.length < max; day += DAY_MS) {
    if (!matches(r.pattern, first, day)) continue;
    out.push(day);
    if (r.range.type === 'numbered' && out.length >= (r.range.numberOfOccurrences ?? 0)) break;
  }
  return out;
}
