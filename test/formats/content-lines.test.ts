import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  fold,
  formatLine,
  parseLine,
  paramValue,
  unfold,
  withParam,
} from '../../src/formats/content-lines.js';
import {
  allProperties,
  childComponents,
  parseDocument,
  serialiseDocument,
  setLine,
} from '../../src/formats/component-tree.js';
import { escapeText, formatCompound, parseCompound, unescapeText } from '../../src/formats/text-values.js';
import { fixture, fixtureNames } from './fixtures.js';

describe('content lines', () => {
  it('parses groups, quoted parameter values holding ; : , and RFC 6868 escapes', () => {
    const line = parseLine(
      'item1.ATTENDEE;CN="Müller, Anna; ^\'Chef^\'";X-A=^^1,two;DELEGATED-FROM="mailto:a@x":mailto:b@x',
    );
    assert.deepEqual(line, {
      group: 'item1',
      name: 'ATTENDEE',
      params: [
        { name: 'CN', values: ['Müller, Anna; "Chef"'] },
        { name: 'X-A', values: ['^1', 'two'] },
        { name: 'DELEGATED-FROM', values: ['mailto:a@x'] },
      ],
      value: 'mailto:b@x',
    });
    assert.equal(
      formatLine(line),
      'item1.ATTENDEE;CN="Müller, Anna; ^\'Chef^\'";X-A=^^1,two;DELEGATED-FROM="mailto:a@x":mailto:b@x',
    );
  });

  it('reads vCard 2.1 bare parameters and a newline in a parameter (^n)', () => {
    const line = parseLine('TEL;HOME;VOICE:+1 555');
    assert.deepEqual(line?.params, [
      { name: 'HOME', values: [] },
      { name: 'VOICE', values: [] },
    ]);
    const adr = parseLine('ADR;LABEL="1 Main St^nSpringfield":;;1 Main St;Springfield;;;');
    assert.equal(adr && paramValue(adr, 'label'), '1 Main St\nSpringfield');
    assert.equal(adr && formatLine(adr), 'ADR;LABEL=1 Main St^nSpringfield:;;1 Main St;Springfield;;;');
  });

  it('refuses what is not a content line', () => {
    assert.equal(parseLine('no colon here'), undefined);
    assert.equal(parseLine(':value'), undefined);
    assert.equal(parseLine('X;A="unterminated:v'), undefined);
  });

  it('sets and removes parameters in place', () => {
    const line = parseLine('ATTENDEE;CN=B;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:b@x');
    assert.ok(line);
    assert.equal(
      formatLine(withParam(line, 'partstat', ['ACCEPTED'])),
      'ATTENDEE;CN=B;PARTSTAT=ACCEPTED;RSVP=TRUE:mailto:b@x',
    );
    assert.equal(
      formatLine(withParam(line, 'RSVP', undefined)),
      'ATTENDEE;CN=B;PARTSTAT=NEEDS-ACTION:mailto:b@x',
    );
    assert.equal(
      formatLine(withParam(line, 'EMAIL', ['b@y'])),
      'ATTENDEE;CN=B;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;EMAIL=b@y:mailto:b@x',
    );
  });

  it('folds at 75 octets without splitting a UTF-8 sequence, and unfolds back', () => {
    const long = `DESCRIPTION:${'ä€😀x'.repeat(40)}`;
    const folded = fold(long);
    for (const physical of folded.split('\r\n')) {
      assert.ok(Buffer.byteLength(physical, 'utf8') <= 75, physical);
      assert.ok(!physical.includes('\uFFFD'));
    }
    // Every cut falls between code points: re-encoding each piece gives the same bytes.
    assert.equal(
      Buffer.concat(folded.split('\r\n').map((p, i) => Buffer.from(i ? p.slice(1) : p))).toString(),
      long,
    );
    assert.equal(unfold(folded), long);
    assert.equal(unfold('A:b\n c\r\n\td'), 'A:bcd');
    assert.equal(fold('SHORT:x'), 'SHORT:x');
  });

  it('escapes and splits text and compound values', () => {
    assert.equal(unescapeText('a\\,b\\;c\\\\d\\ne\\Nf'), 'a,b;c\\d\ne\nf');
    assert.equal(escapeText('a,b;c\\d\r\ne'), 'a\\,b\\;c\\\\d\\ne');
    const n = parseCompound("O'Brien\\, Jr.;Seán;Patrick\\,Pat,P.;;");
    assert.deepEqual(n, [["O'Brien, Jr."], ['Seán'], ['Patrick,Pat', 'P.'], [''], ['']]);
    assert.equal(formatCompound(n), "O'Brien\\, Jr.;Seán;Patrick\\,Pat,P.;;");
  });
});

describe('component tree', () => {
  for (const name of [...fixtureNames('ics'), ...fixtureNames('vcf')]) {
    it(`gives back ${name} byte for byte`, () => {
      const text = fixture(name);
      assert.equal(serialiseDocument(parseDocument(text)), text);
    });
  }

  it('keeps LF line ends, a missing final line break, blank lines and junk', () => {
    const text = 'BEGIN:VCARD\nVERSION:3.0\n\nnot a line\nFN:A\n  b\nEND:VCARD';
    const doc = parseDocument(text);
    assert.equal(doc.eol, '\n');
    assert.equal(serialiseDocument(doc), text);
    const fn = [...allProperties(doc.nodes)].find((p) => p.line.name === 'FN');
    assert.equal(fn?.line.value, 'A b');
  });

  it('nests components and closes one left open', () => {
    const doc = parseDocument(
      'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nBEGIN:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n',
    );
    const cal = childComponents(doc.nodes, 'VCALENDAR')[0];
    const event = cal && childComponents(cal, 'VEVENT')[0];
    assert.equal(event?.end?.line.value, 'VEVENT');
    assert.equal(event && childComponents(event, 'VALARM')[0]?.end, undefined);
  });

  it('rewrites only the line that changed, folded, with the text’s own line breaks', () => {
    const text = fixture('recurring-series.ics');
    const doc = parseDocument(text);
    const summary = [...allProperties(doc.nodes)].find((p) => p.line.name === 'SUMMARY');
    assert.ok(summary);
    setLine(summary, { ...summary.line, value: `${'Sehr lange Überschrift – '.repeat(4)}Ende` });
    const out = serialiseDocument(doc);
    const before = text.split('\r\n');
    const after = out.split('\r\n');
    const changed = after.filter((l) => !before.includes(l));
    assert.ok(changed.length >= 2, 'the new SUMMARY is folded');
    assert.ok(changed.every((l) => Buffer.byteLength(l) <= 75));
    assert.deepEqual(
      before.filter((l) => !after.includes(l)),
      ['SUMMARY:Team-Abstimmung\\, Woche für Woche'],
    );
  });

  it('keeps a vCard 2.1 quoted-printable value with its soft line breaks as one property', () => {
    const doc = parseDocument(fixture('contact-2.1.vcf'));
    const note = [...allProperties(doc.nodes)].find((p) => p.line.name === 'NOTE');
    assert.equal(
      note?.line.value,
      'Kennengelernt auf der Messe in K=C3=B6ln.=0D=0AMag keinen Kaff=\r\nee, lieber Tee =E2=80=93 gr=C3=BCnen.',
    );
  });
});
