import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { childComponents, parseDocument } from '../../src/formats/component-tree.js';
import { compareVcards } from '../../src/formats/semantic-compare.js';
import { cardProps, splitVcards, toVersion, vcardUid } from '../../src/formats/vcard.js';
import { fixture } from './fixtures.js';

const props = (text: string) =>
  cardProps(childComponents(parseDocument(text).nodes, 'VCARD')[0] ?? assert.fail());
const PHOTO =
  '/9j/4AAQSkZJRgABAQAAAQABAAALMFV6n8TpDjNYfaLH7BE2W4Clyu8UOV6DqM3yFzxhhqvQ9Ro/ZImu0/gdQmeMsdb7IEVqj7TZ/iNIbZK33AEmS3CVut8EKU5zmL3iByxRdpvA5QovVHmew+gNMld8ocbrEDVaf6TJ7hM4XYKnzPEWO2CFqs/0GT5jiK3S9xxBZouw/9k=';

describe('reading vCards', () => {
  it('reads 2.1: bare types, PREF, quoted-printable with soft breaks and CHARSET, a base64 photo', () => {
    const all = props(fixture('contact-2.1.vcf'));
    const tels = all.filter((p) => p.name === 'TEL');
    assert.deepEqual(
      tels.map((t) => [t.types, t.pref, t.value]),
      [
        [['work', 'voice'], undefined, '+49 30 1234567'],
        [['home', 'voice'], undefined, '+49 30 7654321'],
        [['cell', 'voice'], 1, '+49 170 1234567'],
        [['work', 'fax'], undefined, '+49 30 1234568'],
      ],
    );
    const note = all.find((p) => p.name === 'NOTE');
    assert.equal(
      note?.value,
      'Kennengelernt auf der Messe in Köln.\\nMag keinen Kaffee\\, lieber Tee – grünen.',
    );
    const photo = all.find((p) => p.name === 'PHOTO');
    assert.deepEqual(photo?.binary, { mediaType: 'image/jpeg', base64: PHOTO });
    assert.deepEqual(all.find((p) => p.name === 'EMAIL')?.types, [], 'INTERNET is the default, not a type');
  });

  it('reads 3.0 Apple cards: repeated type=, TYPE=pref, escaped N, year-less birthday, groups', () => {
    const all = props(fixture('contact-3.0.vcf'));
    assert.equal(all.find((p) => p.name === 'N')?.value, "O'Brien\\, Jr.;Seán;Patrick\\,Pat;;");
    assert.equal(all.find((p) => p.name === 'BDAY')?.value, '--0315');
    const email = all.find((p) => p.name === 'EMAIL');
    assert.deepEqual([email?.types, email?.pref], [['work'], 1]);
    assert.equal(all.find((p) => p.group === 'item1' && p.name === 'EMAIL')?.value, 'sean+lists@old.example');
    const group = props(fixture('group-apple-3.0.vcf'));
    assert.deepEqual(
      group.filter((p) => p.name === 'KIND' || p.name === 'MEMBER').map((p) => `${p.name}:${p.value}`),
      [
        'KIND:group',
        'MEMBER:urn:uuid:5C3E1D2F-8A7B-4C6D-9E0F-112233445566',
        'MEMBER:urn:uuid:0b0a9a4e-6d0f-4a3e-9c47-7e2f1b0c5d11',
      ],
    );
  });

  it('reads 4.0: PREF=1, quoted TYPE lists, data: photos', () => {
    const all = props(fixture('contact-4.0.vcf'));
    const tel = all.find((p) => p.name === 'TEL');
    assert.deepEqual([tel?.types, tel?.pref, tel?.valueType], [['cell', 'voice'], 1, 'uri']);
    assert.deepEqual(all.find((p) => p.name === 'PHOTO')?.binary, { mediaType: 'image/jpeg', base64: PHOTO });
  });

  it('splits a .vcf into cards, bytes as they were', () => {
    const a = fixture('contact-3.0.vcf');
    const b = fixture('group-4.0.vcf');
    assert.deepEqual(splitVcards(a + b), [a, b]);
    assert.equal(vcardUid(b), 'urn:uuid:7d1f3c2b-9a8e-4f60-b5d4-3c2b1a0f9e8d');
  });
});

describe('toVersion', () => {
  for (const [name, version] of [
    ['contact-3.0.vcf', '3.0'],
    ['group-apple-3.0.vcf', '3.0'],
    ['contact-4.0.vcf', '4.0'],
    ['group-4.0.vcf', '4.0'],
  ] as const) {
    it(`returns ${name} unchanged when asked for ${version}`, () => {
      const text = fixture(name);
      assert.equal(toVersion(text, version), text);
    });
  }

  for (const name of [
    'contact-2.1.vcf',
    'contact-3.0.vcf',
    'contact-4.0.vcf',
    'group-4.0.vcf',
    'group-apple-3.0.vcf',
  ]) {
    it(`converts ${name} to 3.0 and 4.0 and back without loss`, () => {
      const text = fixture(name);
      const v3 = toVersion(text, '3.0');
      const v4 = toVersion(text, '4.0');
      assert.match(v3, /\r\nVERSION:3\.0\r\n/);
      assert.match(v4, /\r\nVERSION:4\.0\r\n/);
      assert.deepEqual(compareVcards(text, v3), []);
      assert.deepEqual(compareVcards(text, v4), []);
      assert.deepEqual(compareVcards(v3, toVersion(v3, '4.0')), []);
      assert.deepEqual(compareVcards(v4, toVersion(v4, '3.0')), []);
      for (const out of [v3, v4]) {
        assert.ok(!/\r\n\r\n/.test(out), 'no blank line inside a card');
        assert.ok(out.split('\r\n').every((l) => Buffer.byteLength(l) <= 75 || text.includes(l)));
      }
    });
  }

  it('writes each form the target version uses', () => {
    const v4 = toVersion(fixture('contact-3.0.vcf'), '4.0');
    assert.match(v4, /\r\nEMAIL;TYPE=work;PREF=1:sean\.obrien@old\.example\r\n/);
    assert.match(v4, /\r\nBDAY:--0315\r\n/);
    assert.match(v4, /\r\nPHOTO:data:image\/jpeg;base64,\/9j\//);
    assert.match(v4, /\r\nN:O'Brien\\, Jr\.;Seán;Patrick\\,Pat;;\r\n/);
    const v3 = toVersion(fixture('contact-4.0.vcf'), '3.0');
    assert.match(v3, /\r\nEMAIL;TYPE=work,pref:li\.wei@old\.example\r\n/);
    assert.match(v3, /\r\nTEL;TYPE=cell,voice,pref:\+86-10-1234-5678\r\n/);
    assert.match(v3, /\r\nBDAY;X-APPLE-OMIT-YEAR=1604:1604-07-04\r\n/);
    assert.match(v3, /\r\nPHOTO;ENCODING=b;TYPE=JPEG:\/9j\//);
    assert.match(v3, /\r\nX-CUTOVER-CUSTOM;X-SOURCE=test:kept\\, as is\r\n/);
    assert.ok(!v3.includes('KIND:individual'));
    const g3 = toVersion(fixture('group-4.0.vcf'), '3.0');
    assert.match(g3, /\r\nX-ADDRESSBOOKSERVER-KIND:group\r\n/);
    assert.match(g3, /\r\nX-ADDRESSBOOKSERVER-MEMBER:mailto:extern@partner\.example\r\n/);
    const g4 = toVersion(fixture('group-apple-3.0.vcf'), '4.0');
    assert.match(g4, /\r\nKIND:group\r\nMEMBER:urn:uuid:5C3E1D2F/);
  });

  it('keeps the bytes of every line the conversion does not change', () => {
    const text = fixture('contact-3.0.vcf');
    const kept = toVersion(text, '4.0').split('\r\n');
    for (const line of [
      "FN:Seán O'Brien",
      'item1.X-ABLabel:Lists',
      'X-SOCIALPROFILE;type=twitter;x-user=sean:https://twitter.com/sean',
      'ADR;type=HOME:;;22 Strand Street\\, Flat 3;Cork;;T12 AB34;Ireland',
    ]) {
      assert.ok(kept.includes(line), line);
    }
  });

  it('converts 2.1 quoted-printable text into escaped UTF-8 text', () => {
    const v3 = toVersion(fixture('contact-2.1.vcf'), '3.0');
    assert.match(v3, /\r\nLABEL;TYPE=work,pref:Hauptstraße 1\\nBerlin 10115\\nDeutschland\r\n/);
    assert.ok(!/CHARSET|QUOTED-PRINTABLE|ENCODING=BASE64/.test(v3));
  });
});
