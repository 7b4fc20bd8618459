/**
 * iCalendar DATE and DATE-TIME values (RFC 5545 §3.3.4, §3.3.5) and how a property's time is meant: a DATE
 * (all-day), a floating local time (no zone: the same wall-clock time wherever the reader is), UTC (`Z`), or
 * a wall-clock time in the zone its TZID names. Wall-clock times are carried as "wall milliseconds": the
 * fields read as if they were UTC (Date.UTC), so arithmetic on them needs no zone.
 */
import { paramValue, type ContentLine } from './content-lines.js';
import { splitUnescaped } from './text-values.js';

/** How a DTSTART/DTEND/DUE/RECURRENCE-ID/EXDATE/RDATE time is meant. */
export type TimeKind = 'date' | 'floating' | 'utc' | 'zoned';

/** One DATE or DATE-TIME value. */
export interface TimeValue {
  kind: TimeKind;
  /** The fields as written, as wall milliseconds (Date.UTC of them). For `utc` this is the instant itself. */
  wallMs: number;
  /** The zone for `zoned`. */
  tzid?: string;
}

const DATE_TIME = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?$/;

/** Parse one DATE (`20250401`) or DATE-TIME (`20250401T093000`, `…Z`); undefined when it is neither. */
export function parseTimeValue(value: string, tzid?: string): TimeValue | undefined {
  const m = DATE_TIME.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, z] = m;
  const wallMs = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h ?? 0),
    Number(mi ?? 0),
    Number(s ?? 0),
  );
  if (h === undefined) return { kind: 'date', wallMs };
  if (z === 'Z') return { kind: 'utc', wallMs };
  return tzid === undefined ? { kind: 'floating', wallMs } : { kind: 'zoned', wallMs, tzid };
}

/**
 * The times of a date/time property (several for EXDATE/RDATE lists); PERIOD values of RDATE give their
 * start. Values that are not DATE or DATE-TIME are left out.
 */
export function timesOf(line: ContentLine): TimeValue[] {
  const tzid = paramValue(line, 'TZID');
  return splitUnescaped(line.value, ',')
    .map((v) => parseTimeValue(v.split('/')[0] ?? '', tzid))
    .filter((t): t is TimeValue => t !== undefined);
}

/** `20250401T093000` for wall milliseconds (`20250401` with `dateOnly`; `Z` appended with `utc`). */
export function formatTimeValue(wallMs: number, opts: { dateOnly?: boolean; utc?: boolean } = {}): string {
  const iso = new Date(wallMs).toISOString();
  const date = iso.slice(0, 10).replace(/-/g, '');
  if (opts.dateOnly) return date;
  return `${date}T${iso.slice(11, 19).replace(/:/g, '')}${opts.utc ? 'Z' : ''}`;
}

/** A UTC offset as written in TZOFFSETFROM/TZOFFSETTO (`+0530`, `-0800`, `+013045`) → minutes. */
export function parseUtcOffset(value: string): number | undefined {
  const m = /^([+-])(\d{2})(\d{2})(\d{2})?$/.exec(value.trim());
  if (!m) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3]) + Number(m[4] ?? 0) / 60;
  return m[1] === '-' ? -minutes : minutes;
}
