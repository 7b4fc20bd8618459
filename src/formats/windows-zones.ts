/**
 * Windows time-zone names (as Exchange and Outlook write them in TZID parameters and VTIMEZONE TZIDs:
 * `W. Europe Standard Time`, or a display name such as `(UTC+01:00) Amsterdam, Berlin, …`) → IANA names, by
 * the CLDR table (windows-zones-data.ts). `ianaTimeZones` renames them in an iCalendar text without moving
 * any instant: each VTIMEZONE keeps its rules and only its name changes, and a zone is renamed only when its
 * VTIMEZONE gives the same UTC offset as the IANA zone at every date-time the text holds in it and every day
 * of those years at those times of day (a reader that trusts its own tz database over the embedded rules
 * then lands on the same instants). Names that are neither IANA nor Windows (Exchange's `Customized Time
 * Zone`) and zones whose rules differ are left as they are and reported.
 */
import { paramValue, withParam } from './content-lines.js';
import {
  allProperties,
  childComponents,
  childProperties,
  parseDocument,
  serialiseDocument,
  setLine,
  type Component,
  type Document,
} from './component-tree.js';
import { timesOf } from './ical-time.js';
import { WINDOWS_ZONES } from './windows-zones-data.js';
import { ianaOffset, isIanaZone, vtimezoneOffset } from './zone-offsets.js';

const DAY_MS = 86_400_000;
const byName = new Map<string, string>();
for (const [windows, iana, display] of WINDOWS_ZONES) {
  byName.set(windows.toLowerCase(), iana);
  byName.set(display.toLowerCase(), iana);
}

/** The IANA zone for a Windows zone name or display name (`(GMT+01:00) …` read as `(UTC+01:00) …`). */
export function ianaForWindows(name: string): string | undefined {
  const key = name
    .trim()
    .toLowerCase()
    .replace(/^\(gmt([+-]\d\d:\d\d)?\)/, '(utc$1)');
  return byName.get(key) ?? (key === '(utc)' ? 'Etc/UTC' : undefined);
}

/** A zone renamed. */
export interface ZoneRename {
  from: string;
  to: string;
}

/** A zone name left as it was, and why. */
export interface ZoneLeft {
  tzid: string;
  reason: string;
}

/** What `ianaTimeZones` did. */
export interface ZoneMapping {
  /** The text; the same string when nothing was renamed. */
  text: string;
  renamed: ZoneRename[];
  left: ZoneLeft[];
}

function vtimezones(doc: Document): Map<string, Component> {
  const found = new Map<string, Component>();
  for (const cal of childComponents(doc.nodes)) {
    for (const vtz of childComponents(cal, 'VTIMEZONE')) {
      const tzid = childProperties(vtz, 'TZID')[0]?.line.value.trim();
      if (tzid !== undefined) found.set(tzid, vtz);
    }
  }
  return found;
}

/** Wall-clock times (ms) the text holds in zone `tzid`. */
function wallTimesIn(doc: Document, tzid: string): number[] {
  const times: number[] = [];
  for (const prop of allProperties(doc.nodes)) {
    if (paramValue(prop.line, 'TZID') !== tzid) continue;
    for (const t of timesOf(prop.line)) if (t.kind === 'zoned') times.push(t.wallMs);
  }
  return times;
}

/**
 * Why the VTIMEZONE's rules and the IANA zone disagree for these times, or undefined when they agree. Times
 * inside a transition (where the two sides may resolve a skipped or repeated hour differently) are not
 * compared.
 */
function disagreement(vtz: Component, iana: string, times: number[]): string | undefined {
  const checks = new Set<number>(times);
  for (const t of times) {
    const year = new Date(t).getUTCFullYear();
    const timeOfDay = t - Math.floor(t / DAY_MS) * DAY_MS;
    for (let day = Date.UTC(year, 0, 1); day < Date.UTC(year + 1, 0, 1); day += DAY_MS)
      checks.add(day + timeOfDay);
  }
  for (const wall of checks) {
    const ours = vtimezoneOffset(vtz, wall);
    if (ours === undefined) return 'its VTIMEZONE rules could not be evaluated';
    const theirs = ianaOffset(iana, wall);
    const steady = ianaOffset(iana, wall - 3 * 3_600_000) === ianaOffset(iana, wall + 3 * 3_600_000);
    if (ours !== theirs && steady) {
      return `its VTIMEZONE gives UTC${fmt(ours)} at ${new Date(wall).toISOString().slice(0, 16)} where ${iana} has UTC${fmt(theirs)}`;
    }
  }
  return undefined;
}

function fmt(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Every TZID an iCalendar text names (VTIMEZONE TZIDs and TZID parameters), in order of appearance. */
function namedZones(doc: Document): string[] {
  const names = new Set<string>();
  for (const prop of allProperties(doc.nodes)) {
    const tzid = paramValue(prop.line, 'TZID');
    if (tzid !== undefined) names.add(tzid);
  }
  for (const name of vtimezones(doc).keys()) names.add(name);
  return [...names];
}

/**
 * Rename Windows time-zone names in an iCalendar text to IANA names (TZID parameters, VTIMEZONE TZIDs and
 * X-WR-TIMEZONE), touching only those lines; see the file header for when a zone is left.
 */
export function ianaTimeZones(text: string): ZoneMapping {
  const doc = parseDocument(text);
  const zones = vtimezones(doc);
  const renames = new Map<string, string>();
  const left: ZoneLeft[] = [];
  for (const tzid of namedZones(doc)) {
    if (isIanaZone(tzid)) continue;
    const iana = ianaForWindows(tzid);
    if (!iana) {
      left.push({ tzid, reason: 'neither an IANA nor a Windows time-zone name; kept with its VTIMEZONE' });
      continue;
    }
    if (zones.has(iana)) {
      left.push({ tzid, reason: `the calendar already has a VTIMEZONE named ${iana}` });
      continue;
    }
    const vtz = zones.get(tzid);
    const why = vtz && disagreement(vtz, iana, wallTimesIn(doc, tzid));
    if (why) left.push({ tzid, reason: `not renamed to ${iana}: ${why}` });
    else renames.set(tzid, iana);
  }
  if (renames.size === 0) return { text, renamed: [], left };
  for (const prop of allProperties(doc.nodes)) {
    const tzid = paramValue(prop.line, 'TZID');
    const to = tzid === undefined ? undefined : renames.get(tzid);
    if (to) setLine(prop, withParam(prop.line, 'TZID', [to]));
    if (prop.line.name === 'X-WR-TIMEZONE') {
      const wr = renames.get(prop.line.value.trim());
      if (wr) setLine(prop, { ...prop.line, value: wr });
    }
  }
  for (const [tzid, vtz] of zones) {
    const to = renames.get(tzid);
    const prop = childProperties(vtz, 'TZID')[0];
    if (to && prop) setLine(prop, { ...prop.line, value: to });
  }
  return {
    text: serialiseDocument(doc),
    renamed: [...renames].map(([from, to]) => ({ from, to })),
    left,
  };
}
