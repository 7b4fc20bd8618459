/**
 * Graph's dateTimeTimeZone (a wall-clock time and a zone name) to an instant. Exchange names zones the
 * Windows way ("W. Europe Standard Time") unless the mailbox was set with an IANA name; the common Windows
 * names are mapped to IANA ones here (CLDR windowsZones, territory 001), the rest are unknown — the caller
 * reports them rather than guess an offset. Needs the IANA database (Node's full ICU, Debian's tzdata).
 */

/** Windows zone → IANA zone (CLDR windowsZones, the "001" row of each). */
const WINDOWS_ZONES: Record<string, string> = {
  UTC: 'UTC',
  'Coordinated Universal Time': 'UTC',
  'GMT Standard Time': 'Europe/London',
  'Greenwich Standard Time': 'Atlantic/Reykjavik',
  'W. Europe Standard Time': 'Europe/Berlin',
  'Central Europe Standard Time': 'Europe/Budapest',
  'Romance Standard Time': 'Europe/Paris',
  'Central European Standard Time': 'Europe/Warsaw',
  'E. Europe Standard Time': 'Europe/Chisinau',
  'FLE Standard Time': 'Europe/Kiev',
  'GTB Standard Time': 'Europe/Bucharest',
  'Russian Standard Time': 'Europe/Moscow',
  'Turkey Standard Time': 'Europe/Istanbul',
  'Israel Standard Time': 'Asia/Jerusalem',
  'South Africa Standard Time': 'Africa/Johannesburg',
  'Arabian Standard Time': 'Asia/Dubai',
  'India Standard Time': 'Asia/Calcutta',
  'China Standard Time': 'Asia/Shanghai',
  'Singapore Standard Time': 'Asia/Singapore',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'Korea Standard Time': 'Asia/Seoul',
  'AUS Eastern Standard Time': 'Australia/Sydney',
  'New Zealand Standard Time': 'Pacific/Auckland',
  'Eastern Standard Time': 'America/New_York',
  'Central Standard Time': 'America/Chicago',
  'Mountain Standard Time': 'America/Denver',
  'US Mountain Standard Time': 'America/Phoenix',
  'Pacific Standard Time': 'America/Los_Angeles',
  'Alaskan Standard Time': 'America/Anchorage',
  'Hawaiian Standard Time': 'Pacific/Honolulu',
  'Atlantic Standard Time': 'America/Halifax',
  'E. South America Standard Time': 'America/Sao_Paulo',
  'Argentina Standard Time': 'America/Buenos_Aires',
  'Central Standard Time (Mexico)': 'America/Mexico_City',
};

/** The IANA name of a Graph zone name, or undefined when it is not known. */
export function ianaZone(name: string): string | undefined {
  const zone = WINDOWS_ZONES[name] ?? name;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return undefined;
  }
}

/** The zone's offset from UTC at an instant, in milliseconds. */
function offsetAt(zone: string, at: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(at));
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  return (
    Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second')) -
    Math.floor(at / 1000) * 1000
  );
}

/** A Graph dateTimeTimeZone as an instant, or undefined when the zone or the time cannot be read. */
export function graphInstant(v: { dateTime: string; timeZone: string }): Date | undefined {
  const zone = ianaZone(v.timeZone);
  const wall = Date.parse(`${v.dateTime.replace(/(\.\d{3})\d*$/, '$1').replace(/Z$/, '')}Z`);
  if (!zone || Number.isNaN(wall)) return undefined;
  // The offset at the wall time read as UTC, then at the result: right except inside a DST change.
  const first = wall - offsetAt(zone, wall);
  return new Date(wall - offsetAt(zone, first));
}

/** An instant as Graph's dateTimeTimeZone in UTC. */
export function graphUtc(d: Date): { dateTime: string; timeZone: string } {
  return { dateTime: d.toISOString().replace(/Z$/, '0000'), timeZone: 'UTC' };
}
