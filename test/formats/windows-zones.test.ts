import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childComponents, parseDocument } from '../../src/formats/component-tree.js';
import { calendarObjects, timeOf } from '../../src/formats/icalendar.js';
import { WINDOWS_ZONES } from '../../src/formats/windows-zones-data.js';
import { ianaForWindows, ianaTimeZones } from '../../src/formats/windows-zones.js';
import { ianaOffset, isIanaZone, vtimezoneOffset } from '../../src/formats/zone-offsets.js';
import { fixture } from './fixtures.js';

/** The UTC instant of a component's DTSTART/DTEND, from the calendar's own VTIMEZONE (as a reader following RFC 5545 does). */
function instantByVtimezone(text: string, prop: 'DTSTART' | 'DTEND', index = 0): string {
  const doc = parseDocument(text);
  const comp = calendarObjects(doc)[index]?.master;
  const t = comp && timeOf(comp, prop);
  assert.ok(t?.tzid);
  const vtz = childComponents(childComponents(doc.nodes, 'VCALENDAR')[0] ?? [], 'VTIMEZONE').find((z) =>
    z.children.some((n) => n.kind === 'property' && n.line.name === 'TZID' && n.line.value === t.tzid),
  );
  assert.ok(vtz);
  const offset = vtimezoneOffset(vtz, t.wallMs);
  assert.ok(offset !== undefined);
  return new Date(t.wallMs - offset * 60_000).toISOString();
}

/** The same instant as a reader that trusts its own tz database for an IANA TZID (Google, Graph) sees it. */
function instantByIana(text: string, prop: 'DTSTART' | 'DTEND'): string {
  const t = timeOf(calendarObjects(text)[0]?.master ?? assert.fail('no event'), prop);
  assert.ok(t?.tzid && isIanaZone(t.tzid));
  return new Date(t.wallMs - ianaOffset(t.tzid, t.wallMs) * 60_000).toISOString();
}

describe('Windows time-zone names', () => {
  it('embeds the whole CLDR table, every zone known to the tz database', () => {
    assert.equal(WINDOWS_ZONES.length, 139);
    assert.deepEqual(
      WINDOWS_ZONES.filter(([, iana]) => !isIanaZone(iana)),
      [],
    );
    assert.equal(ianaForWindows('W. Europe Standard Time'), 'Europe/Berlin');
    assert.equal(ianaForWindows('tokyo standard time'), 'Asia/Tokyo');
    assert.equal(ianaForWindows('(UTC-05:00) Eastern Time (US & Canada)'), 'America/New_York');
    assert.equal(ianaForWindows('(GMT-05:00) Eastern Time (US & Canada)'), 'America/New_York');
    assert.equal(ianaForWindows('Customized Time Zone'), undefined);
  });

  it('renames Exchange zones to IANA names without moving any instant', () => {
    const text = fixture('exchange-windows-zones.ics');
    // Known instants: 17:00 in Berlin on 20 March 2025 (CET, +01:00), 10:30 in Seattle (PDT, -07:00).
    assert.equal(instantByVtimezone(text, 'DTSTART'), '2025-03-20T16:00:00.000Z');
    assert.equal(instantByVtimezone(text, 'DTEND'), '2025-03-20T17:30:00.000Z');
    const result = ianaTimeZones(text);
    assert.deepEqual(result.renamed, [
      { from: 'W. Europe Standard Time', to: 'Europe/Berlin' },
      { from: 'Pacific Standard Time', to: 'America/Los_Angeles' },
    ]);
    assert.equal(instantByVtimezone(result.text, 'DTSTART'), '2025-03-20T16:00:00.000Z');
    assert.equal(instantByIana(result.text, 'DTSTART'), '2025-03-20T16:00:00.000Z');
    assert.equal(instantByVtimezone(result.text, 'DTEND'), '2025-03-20T17:30:00.000Z');
    assert.equal(instantByIana(result.text, 'DTEND'), '2025-03-20T17:30:00.000Z');
  });

  it('changes only the zone names: every other line keeps its bytes, the VTIMEZONE keeps its rules', () => {
    const text = fixture('exchange-windows-zones.ics');
    const out = ianaTimeZones(text).text;
    const before = text.split('\r\n');
    const after = out.split('\r\n');
    assert.equal(after.length, before.length);
    const changed = before.map((l, i) => [l, after[i]]).filter(([a, b]) => a !== b);
    assert.deepEqual(changed, [
      ['TZID:W. Europe Standard Time', 'TZID:Europe/Berlin'],
      ['TZID:Pacific Standard Time', 'TZID:America/Los_Angeles'],
      ['DTSTART;TZID=W. Europe Standard Time:20250320T170000', 'DTSTART;TZID=Europe/Berlin:20250320T170000'],
      ['DTEND;TZID=Pacific Standard Time:20250320T103000', 'DTEND;TZID=America/Los_Angeles:20250320T103000'],
    ]);
  });

  it('leaves and reports a name it does not know (Exchange’s Customized Time Zone)', () => {
    const result = ianaTimeZones(fixture('exchange-windows-zones.ics'));
    assert.deepEqual(
      result.left.map((l) => l.tzid),
      ['Customized Time Zone'],
    );
    assert.match(result.text, /RECURRENCE-ID;TZID=Customized Time Zone:20250321T120000/);
    assert.match(result.text, /TZID:Customized Time Zone\r\n/);
  });

  it('leaves a zone whose embedded rules differ from the IANA zone at the event’s dates', () => {
    // US rules before 2007 (first Sunday of April to last Sunday of October): in March 2025 they say PST
    // where America/Los_Angeles has PDT — renaming would move the event by an hour for Google or Graph.
    const text = [
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'BEGIN:VTIMEZONE',
      'TZID:Pacific Standard Time',
      'BEGIN:STANDARD',
      'DTSTART:16010101T020000',
      'TZOFFSETFROM:-0700',
      'TZOFFSETTO:-0800',
      'RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10',
      'END:STANDARD',
      'BEGIN:DAYLIGHT',
      'DTSTART:16010101T020000',
      'TZOFFSETFROM:-0800',
      'TZOFFSETTO:-0700',
      'RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=4',
      'END:DAYLIGHT',
      'END:VTIMEZONE',
      'BEGIN:VEVENT',
      'UID:old-rules',
      'DTSTART;TZID=Pacific Standard Time:20250320T103000',
      'END:VEVENT',
      'END:VCALENDAR',
      '',
    ].join('\r\n');
    const result = ianaTimeZones(text);
    assert.equal(result.text, text);
    assert.deepEqual(result.renamed, []);
    assert.match(
      result.left[0]?.reason ?? '',
      /VTIMEZONE gives UTC-08:00 at 2025-03-\d\dT10:30 where America\/Los_Angeles has UTC-07:00/,
    );
  });

  it('renames a Windows TZID that has no VTIMEZONE, and X-WR-TIMEZONE', () => {
    const text =
      'BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Tokyo Standard Time\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART;TZID=Tokyo Standard Time:20250101T090000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n';
    assert.equal(
      ianaTimeZones(text).text,
      'BEGIN:VCALENDAR\r\nX-WR-TIMEZONE:Asia/Tokyo\r\nBEGIN:VEVENT\r\nUID:u\r\nDTSTART;TZID=Asia/Tokyo:20250101T090000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
    );
  });

  it('returns a text with IANA zones only as the very same string', () => {
    const text = fixture('recurring-series.ics');
    const result = ianaTimeZones(text);
    assert.equal(result.text, text);
    assert.deepEqual([result.renamed, result.left], [[], []]);
  });

  it('evaluates VTIMEZONE rules like the tz database across a year', () => {
    const vtz = childComponents(
      childComponents(parseDocument(fixture('recurring-series.ics')).nodes, 'VCALENDAR')[0] ?? [],
      'VTIMEZONE',
    )[0];
    assert.ok(vtz);
    for (let day = Date.UTC(2025, 0, 1, 12); day < Date.UTC(2026, 0, 1); day += 86_400_000) {
      assert.equal(vtimezoneOffset(vtz, day), ianaOffset('Europe/Berlin', day), new Date(day).toISOString());
    }
  });
});
