import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replaceAddresses } from '../../src/formats/address-replace.js';
import { fixture } from './fixtures.js';

/** A plan's rule: the old domain becomes the new one, any case. */
const toNew = (address: string): string => address.replace(/@old\.example$/i, '@new.example');

function changedLines(before: string, after: string): Array<[string, string]> {
  const a = before.split('\r\n');
  const b = after.split('\r\n');
  assert.equal(a.length, b.length, 'no line added or removed');
  return a.map((l, i): [string, string] => [l, b[i] ?? '']).filter(([x, y]) => x !== y);
}

describe('replaceAddresses', () => {
  it('replaces organizer, attendee, alarm and parameter addresses, touching only those lines', () => {
    const text = fixture('recurring-series.ics');
    const { text: out, changed } = replaceAddresses(text, toNew);
    // Master: organizer + its SENT-BY, 4 attendees at old.example + Carla's EMAIL param, the alarm's attendee
    // (8); first override: organizer + 2 attendees (3).
    assert.equal(changed, 11);
    assert.ok(!/old\.example/i.test(out.replace(/\r\n /g, '')));
    assert.match(out.replace(/\r\n /g, ''), /mailto:guest@partner\.example/);
    const changes = changedLines(text, out);
    for (const [, after] of changes) assert.ok(Buffer.byteLength(after) <= 75);
    // Every changed physical line belongs to an ORGANIZER or ATTENDEE.
    const unfoldedOut = out.replace(/\r\n[ \t]/g, '').split('\r\n');
    const touched = unfoldedOut.filter(
      (l) =>
        !text
          .replace(/\r\n[ \t]/g, '')
          .split('\r\n')
          .includes(l),
    );
    assert.equal(touched.length, 9);
    assert.ok(
      touched.every((l) => /^(ORGANIZER|ATTENDEE)[;:]/.test(l)),
      touched.join('\n'),
    );
    assert.ok(touched.some((l) => l.includes('EMAIL=carla.jones@new.example')));
    assert.ok(touched.some((l) => l.includes('SENT-BY="mailto:assistant@new.example"')));
  });

  it('returns the very same text when no rule applies', () => {
    const text = fixture('exchange-windows-zones.ics');
    const result = replaceAddresses(text, (a) => a);
    assert.equal(result.text, text);
    assert.equal(result.changed, 0);
  });

  it('replaces EMAIL values in a vCard and keeps every other line', () => {
    const text = fixture('contact-3.0.vcf');
    const { text: out, changed } = replaceAddresses(text, toNew);
    assert.equal(changed, 2);
    assert.deepEqual(changedLines(text, out), [
      [
        'EMAIL;type=INTERNET;type=WORK;type=pref:sean.obrien@old.example',
        'EMAIL;TYPE=INTERNET;TYPE=WORK;TYPE=pref:sean.obrien@new.example',
      ],
      [
        'item1.EMAIL;type=INTERNET:sean+lists@old.example',
        'item1.EMAIL;TYPE=INTERNET:sean+lists@new.example',
      ],
    ]);
  });

  it('replaces mailto: members of a group', () => {
    const text = fixture('group-4.0.vcf');
    const { text: out, changed } = replaceAddresses(text, (a) =>
      a.replace('partner.example', 'partner.test'),
    );
    assert.equal(changed, 1);
    assert.deepEqual(changedLines(text, out), [
      ['MEMBER:mailto:extern@partner.example', 'MEMBER:mailto:extern@partner.test'],
    ]);
  });
});
