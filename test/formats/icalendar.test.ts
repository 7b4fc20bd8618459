import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  attendees,
  calendarObjects,
  calendarUid,
  isAllDay,
  organizer,
  propValue,
  splitCalendar,
  timeOf,
} from '../../src/formats/icalendar.js';
import { fixture } from './fixtures.js';

describe('calendar objects', () => {
  it('keeps a recurring series together: master, RRULE/EXDATE/RDATE and both overrides', () => {
    const [series, ...rest] = calendarObjects(fixture('recurring-series.ics'));
    assert.equal(rest.length, 0);
    assert.equal(series?.uid, '8F3C2A10-5B7D-4E21-9A3F-1D2E3F4A5B6C');
    assert.equal(series?.type, 'VEVENT');
    assert.ok(series?.master);
    assert.equal(propValue(series.master, 'RRULE'), 'FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20250630T073000Z');
    assert.deepEqual(
      series.overrides.map((o) => propValue(o, 'RECURRENCE-ID')),
      ['20250305T093000', '20250317T093000'],
    );
    const start = timeOf(series.master, 'DTSTART');
    assert.deepEqual(start, { kind: 'zoned', wallMs: Date.UTC(2025, 2, 3, 9, 30), tzid: 'Europe/Berlin' });
  });

  it('reads organizer and attendees with their parameters, quoted names and RFC 6868 escapes', () => {
    const master = calendarObjects(fixture('recurring-series.ics'))[0]?.master;
    assert.ok(master);
    assert.deepEqual(organizer(master), {
      uri: 'mailto:anna.mueller@old.example',
      email: 'anna.mueller@old.example',
      name: 'Müller, Anna',
    });
    const people = attendees(master);
    assert.equal(people.length, 5, 'the VALARM attendee is not an event attendee');
    assert.deepEqual(people[2], {
      uri: 'mailto:Carla.Jones@old.example',
      email: 'Carla.Jones@old.example',
      name: 'Carla "CJ" Jones',
      role: 'OPT-PARTICIPANT',
      partstat: 'TENTATIVE',
    });
    assert.equal(people[1]?.rsvp, true);
    assert.equal(people[3]?.cutype, 'ROOM');
  });

  it('tells all-day, floating and UTC times apart', () => {
    const allDay = calendarObjects(fixture('all-day.ics'))[0]?.master;
    const floating = calendarObjects(fixture('floating.ics'))[0]?.master;
    assert.ok(allDay && floating);
    assert.equal(isAllDay(allDay), true);
    assert.deepEqual(timeOf(allDay, 'DTEND'), { kind: 'date', wallMs: Date.UTC(2025, 3, 4) });
    assert.equal(isAllDay(floating), false);
    assert.deepEqual(timeOf(floating, 'DTSTART'), { kind: 'floating', wallMs: Date.UTC(2025, 2, 18, 7) });
  });

  it('reads tasks: DUE, PRIORITY, STATUS, PERCENT-COMPLETE, COMPLETED and the parent in RELATED-TO', () => {
    const parent = calendarObjects(fixture('task-parent.ics'))[0];
    const child = calendarObjects(fixture('task-subtask.ics'))[0];
    assert.equal(parent?.type, 'VTODO');
    assert.ok(parent?.master && child?.master);
    assert.equal(isAllDay(parent.master), true);
    assert.equal(propValue(parent.master, 'PERCENT-COMPLETE'), '40');
    assert.equal(propValue(child.master, 'STATUS'), 'COMPLETED');
    assert.deepEqual(timeOf(child.master, 'COMPLETED'), {
      kind: 'utc',
      wallMs: Date.UTC(2025, 2, 4, 11, 30),
    });
    assert.equal(propValue(child.master, 'RELATED-TO'), calendarUid(fixture('task-parent.ics')));
  });

  it('reads the long folded UID Exchange writes', () => {
    assert.equal(
      calendarUid(fixture('exchange-windows-zones.ics')),
      '040000008200E00074C5B7101A82E00800000000C0B8D2A1F289DB01000000000000000010000000A1B2C3D4E5F60718293A4B5C6D7E8F9',
    );
  });
});

describe('splitCalendar', () => {
  it('returns a one-UID resource unchanged', () => {
    const text = fixture('recurring-series.ics');
    assert.deepEqual(splitCalendar(text), [
      { uid: '8F3C2A10-5B7D-4E21-9A3F-1D2E3F4A5B6C', type: 'VEVENT', text },
    ]);
  });

  it('splits an exported calendar into one resource per UID with the zones it names, without METHOD', () => {
    const series = fixture('recurring-series.ics');
    const zone = series.slice(series.indexOf('BEGIN:VTIMEZONE'), series.indexOf('BEGIN:VEVENT'));
    const events = series.slice(series.indexOf('BEGIN:VEVENT'), series.indexOf('END:VCALENDAR'));
    const floatingEvent = fixture('floating.ics');
    const floatingBody = floatingEvent.slice(
      floatingEvent.indexOf('BEGIN:VEVENT'),
      floatingEvent.indexOf('END:VCALENDAR'),
    );
    const exported = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nMETHOD:PUBLISH\r\n${zone}${floatingBody}${events}END:VCALENDAR\r\n`;
    const parts = splitCalendar(exported);
    assert.deepEqual(
      parts.map((p) => p.uid),
      ['floating-0f5c1e7a-2d0b-4f8a-9a51-5b9c3e0d7a11', '8F3C2A10-5B7D-4E21-9A3F-1D2E3F4A5B6C'],
    );
    const head = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n';
    assert.equal(parts[0]?.text, `${head}${floatingBody}END:VCALENDAR\r\n`);
    assert.equal(parts[1]?.text, `${head}${zone}${events}END:VCALENDAR\r\n`);
  });
});
