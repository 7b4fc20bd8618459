/**
 * Times of events and tasks between Graph and iCalendar. Graph writes a time as dateTimeTimeZone (a wall
 * clock time and a zone name, Windows — "W. Europe Standard Time" — or IANA); Cutover asks for every time in
 * UTC (`Prefer: outlook.timezone="UTC"`) and takes the zone the organiser chose from originalStartTimeZone /
 * originalEndTimeZone, mapped to IANA by the CLDR table (formats/windows-zones.ts). Wall-clock times are
 * "wall milliseconds" (Date.UTC of the fields), as in formats/ical-time.ts.
 */
import { ianaForWindows } from '../../formats/windows-zones.js';
import { ianaOffset, isIanaZone } from '../../formats/zone-offsets.js';

/** The Prefer value every groupware read sends: times in UTC, bodies as plain text. */
export const GROUPWARE_PREFER = 'outlook.timezone="UTC", outlook.body-content-type="text"';

/** Graph's dateTimeTimeZone. */
export interface GraphDateTime {
  dateTime: string;
  timeZone: string;
}

const UTC_NAMES = new Set(['utc', 'etc/utc', 'gmt', 'etc/gmt', 'coordinated universal time', 'z']);

/** An IANA zone for a Graph zone name ('UTC' for UTC), or undefined when neither IANA nor Windows knows it. */
export function ianaOf(name: string | undefined): string | undefined {
  if (!name) return undefined;
  if (UTC_NAMES.has(name.trim().toLowerCase())) return 'UTC';
  return ianaForWindows(name) ?? (isIanaZone(name) ? name : undefined);
}

/** A wall-clock time in `zone` → the instant (ms). */
export function wallToUtc(wallMs: number, zone: string): number {
  return zone === 'UTC' ? wallMs : wallMs - ianaOffset(zone, wallMs) * 60_000;
}

/** An instant → the wall-clock time in `zone`. */
export function utcToWall(utcMs: number, zone: string): number {
  if (zone === 'UTC') return utcMs;
  const guess = utcMs + ianaOffset(zone, utcMs) * 60_000;
  return utcMs + ianaOffset(zone, guess) * 60_000;
}

/** Wall ms → Graph's `2025-03-03T09:30:00.0000000`. */
export function graphWall(wallMs: number): string {
  return `${new Date(wallMs).toISOString().slice(0, 19)}.0000000`;
}

/** `2025-03-03T09:30:00.0000000` → wall ms (NaN when it is not one). */
export function parseWall(dateTime: string): number {
  return Date.parse(`${dateTime.replace(/(\.\d{3})\d*$/, '$1').replace(/Z$/, '')}Z`);
}

/** A dateTimeTimeZone → its instant; undefined when the zone is unknown. */
export function instantOf(v: GraphDateTime): number | undefined {
  const zone = ianaOf(v.timeZone);
  const wall = parseWall(v.dateTime);
  return zone === undefined || Number.isNaN(wall) ? undefined : wallToUtc(wall, zone);
}
