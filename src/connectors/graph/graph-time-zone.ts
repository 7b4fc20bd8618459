/**
 * Graph's dateTimeTimeZone (a wall-clock time and a zone name) to an instant. Exchange names zones the
 * Windows way ("W. Europe Standard Time") unless the mailbox was set with an IANA name; Windows names are
 * mapped with the CLDR table of src/formats/windows-zones.ts, and a name neither knows is unknown — the
 * caller reports it rather than guess an offset. Needs the IANA database (Node's full ICU, Debian's tzdata).
 */
import { ianaForWindows } from '../../formats/windows-zones.js';
import { ianaOffset, isIanaZone } from '../../formats/zone-offsets.js';

/** The IANA name of a Graph zone name, or undefined when it is not known. */
export function ianaZone(name: string): string | undefined {
  if (name === 'UTC' || name === 'Coordinated Universal Time') return 'UTC';
  const zone = ianaForWindows(name) ?? name;
  return isIanaZone(zone) ? zone : undefined;
}

/** A Graph dateTimeTimeZone as an instant, or undefined when the zone or the time cannot be read. */
export function graphInstant(v: { dateTime: string; timeZone: string }): Date | undefined {
  const zone = ianaZone(v.timeZone);
  const wall = Date.parse(`${v.dateTime.replace(/(\.\d{3})\d*$/, '$1').replace(/Z$/, '')}Z`);
  if (!zone || Number.isNaN(wall)) return undefined;
  return new Date(wall - ianaOffset(zone, wall) * 60_000);
}

/** An instant as Graph's dateTimeTimeZone in UTC. */
export function graphUtc(d: Date): { dateTime: string; timeZone: string } {
  return { dateTime: d.toISOString().replace(/Z$/, '0000'), timeZone: 'UTC' };
}
