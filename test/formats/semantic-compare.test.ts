import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareCalendars, compareVcards } from '../../src/formats/semantic-compare.js';
import { fixture } from './fixtures.js';

const UID = '8F3C2A10-5B7D-4E21-9A3F-1D2E3F4A5B6C';

describe('compareCalendars', () => {
  it('finds nothing between a text and itself, refolded, reordered and with volatile properties changed', () => {
    const text = fixture('recurring-series.ics');
    assert.deepEqual(compareCalendars(text, text), []);
    const rewritten = text
      .replace(/\r\n /g, '') // unfolded
      .replace('DTSTAMP:20250301T101500Z', 'DTSTAMP:20260101T000000Z')
      .replace('SEQUENCE:3', 'SEQUENCE:9')
      .replace('PRODID:-//Apple Inc.//macOS 14.4//EN', 'PRODID:-//Radicale//NONSGML Radicale Server//EN')
      .replace(
        'ROLE=CHAIR;PARTSTAT=ACCEPTED;CUTYPE=INDIVIDUAL',
        'cutype=individual;PARTSTAT=accepted;ROLE=CHAIR',
      )
      .replace(
        'CATEGORIES:Arbeit,Planung\r\nCATEGORIES:Wöchentlich',
        'CATEGORIES:Wöchentlich,Arbeit\r\nCATEGORIES:Planung',
      )
      .replace('mailto:bob@old.example', 'MAILTO:Bob@old.example');
    assert.deepEqual(compareCalendars(text, rewritten), []);
  });

  it('says in words what differs: a participation status, a summary, a lost override and alarm', () => {
    const text = fixture('recurring-series.ics');
    const changed = text
      .replace('PARTSTAT=NEEDS-ACTION;RSVP=TRUE', 'PARTSTAT=ACCEPTED;RSVP=TRUE')
      .replace('SUMMARY:Team-Abstimmung (verschoben)', 'SUMMARY:Team-Abstimmung (später)')
      .replace(
        /BEGIN:VEVENT\r\nUID:[^\r]*\r\nRECURRENCE-ID;TZID=Europe\/Berlin:20250317T093000[\s\S]*?END:VEVENT\r\n/,
        '',
      )
      .replace(/BEGIN:VALARM\r\nACTION:EMAIL[\s\S]*?END:VALARM\r\n/, '');
    const diffs = compareCalendars(text, changed);
    assert.deepEqual(diffs.slice(0, 1), [
      `VEVENT ${UID}: ATTENDEE mailto:bob@old.example: PARTSTAT NEEDS-ACTION vs ACCEPTED`,
    ]);
    assert.ok(
      diffs.some((d) => d.startsWith(`VEVENT ${UID}: VALARM (ACTION:EMAIL`) && d.endsWith('only in first')),
    );
    assert.ok(
      diffs.includes(
        `VEVENT ${UID} RECURRENCE-ID 20250305T093000: SUMMARY: "Team-Abstimmung (verschoben)" vs "Team-Abstimmung (später)"`,
      ),
    );
    assert.ok(diffs.includes(`VEVENT ${UID} RECURRENCE-ID 20250317T093000: only in first`));
    assert.equal(diffs.length, 4, diffs.join('\n'));
  });

  it('notices a moved start, a lost EXDATE and an attendee gone', () => {
    const text = fixture('recurring-series.ics');
    const changed = text
      .replace('DTSTART;TZID=Europe/Berlin:20250303T093000', 'DTSTART;TZID=Europe/Berlin:20250303T103000')
      .replace('EXDATE;TZID=Europe/Berlin:20250421T093000\r\n', '')
      .replace(/ATTENDEE;CN=External Guest[^\r]*\r\n/, '');
    assert.deepEqual(compareCalendars(text, changed), [
      `VEVENT ${UID}: ATTENDEE mailto:guest@partner.example: only in first`,
      `VEVENT ${UID}: DTSTART: "20250303T093000" vs "20250303T103000"`,
      `VEVENT ${UID}: EXDATE;TZID=Europe/Berlin:20250421T093000: only in first`,
    ]);
  });
});

describe('compareVcards', () => {
  it('compares across versions and names what differs', () => {
    const v3 = fixture('contact-3.0.vcf');
    const changed = v3
      .replace('TEL;type=WORK;type=VOICE:+353 1 234 5678', 'TEL;type=HOME;type=VOICE:+353 1 234 5678')
      .replace('NOTE:Prefers phone calls.', 'NOTE:Prefers e-mail.')
      .replace('BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-15', 'BDAY:1980-03-15');
    const diffs = compareVcards(v3, changed);
    const uid = 'VCARD 5C3E1D2F-8A7B-4C6D-9E0F-112233445566';
    assert.ok(diffs.includes(`${uid}: BDAY: "--0315" vs "1980-03-15"`), diffs.join('\n'));
    assert.ok(diffs.some((d) => d.startsWith(`${uid}: NOTE: "Prefers phone calls.`)));
    assert.ok(diffs.includes(`${uid}: TEL;TYPE=voice,work:+353 1 234 5678: only in first`));
    assert.ok(diffs.includes(`${uid}: TEL;TYPE=home,voice:+353 1 234 5678: only in second`));
    assert.equal(diffs.length, 4, diffs.join('\n'));
  });

  it('ignores REV, PRODID and VERSION', () => {
    const v4 = fixture('group-4.0.vcf');
    assert.deepEqual(compareVcards(v4, v4.replace('REV:20250301T101500Z', 'REV:20260101T000000Z')), []);
  });
});
