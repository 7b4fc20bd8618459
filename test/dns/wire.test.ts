/** The DNS wire format on its own: names and compression, RDATA of each type, UPDATE sections, bad input. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CutoverError, ErrorCode } from '../../src/errors.js';
import { encodeName, readName } from '../../src/dns/name.js';
import { decodeRdata, encodeRdata, formatIPv6 } from '../../src/dns/rdata.js';
import type { DnsRecord } from '../../src/dns/records.js';
import { signMessage } from '../../src/dns/tsig.js';
import {
  buildQuery,
  buildUpdate,
  decodeMessage,
  encodeMessage,
  RRClass,
  RRType,
  toDnsRecord,
} from '../../src/dns/wire.js';

const code = (c: string) => (err: CutoverError) => (assert.equal(err.code, c), true);

void test('names: case and trailing dot dropped, escapes survive a round trip, limits enforced', () => {
  assert.deepEqual(encodeName('Example.TEST.'), Buffer.from('\x07example\x04test\x00', 'latin1'));
  assert.deepEqual(encodeName(''), Buffer.from([0]));
  const odd = 'a\\.b.c\\032d.example';
  const wire = encodeName(odd);
  assert.equal(wire[0], 3, 'a.b is one 3-byte label');
  assert.deepEqual(readName(wire, 0), [odd, wire.length]);
  assert.throws(() => encodeName(`${'x'.repeat(64)}.example`), code(ErrorCode.DnsRecordInvalid));
  assert.throws(() => encodeName(Array(130).fill('ab').join('.')), code(ErrorCode.DnsRecordInvalid));
  assert.throws(() => encodeName('a..b'), code(ErrorCode.DnsRecordInvalid));
});

void test('compressed names in owners and in RDATA are expanded on decode', () => {
  // Header (1 question, 1 answer), question www.example.test A, answer: owner = pointer to the question
  // name (offset 12), CNAME mail + pointer to "example.test" (offset 16).
  const header = Buffer.from([0xab, 0xcd, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
  const question = Buffer.concat([encodeName('www.example.test'), Buffer.from([0, 1, 0, 1])]);
  const rdata = Buffer.from([4, ...Buffer.from('mail'), 0xc0, 16]);
  const answer = Buffer.concat([
    Buffer.from([0xc0, 12, 0, 5, 0, 1, 0, 0, 0x0e, 0x10, 0, rdata.length]),
    rdata,
  ]);
  const m = decodeMessage(Buffer.concat([header, question, answer]));
  assert.equal(m.id, 0xabcd);
  assert.equal(m.qr, true);
  assert.equal(m.rd, true);
  assert.equal(m.ra, true);
  assert.deepEqual(m.questions, [{ name: 'www.example.test', type: 1, class: 1 }]);
  const rr = m.answers[0]!;
  assert.equal(rr.name, 'www.example.test');
  assert.deepEqual(rr.rdata, encodeName('mail.example.test'), 'RDATA has no pointer left');
  assert.deepEqual(toDnsRecord(rr), {
    name: 'www.example.test',
    type: 'CNAME',
    ttl: 3600,
    value: 'mail.example.test',
  });
});

void test('malformed messages: pointer loops, forward pointers and cut-off data are protocol errors', () => {
  const header = Buffer.from([0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  const loop = Buffer.concat([header, Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
  assert.throws(() => decodeMessage(loop), code(ErrorCode.ProtocolError));
  const forward = Buffer.concat([header, Buffer.from([0xc0, 20, 0, 1, 0, 1])]);
  assert.throws(() => decodeMessage(forward), code(ErrorCode.ProtocolError));
  const query = buildQuery('example.test', RRType.A);
  assert.throws(() => decodeMessage(query.subarray(0, query.length - 3)), code(ErrorCode.ProtocolError));
  assert.throws(() => decodeMessage(Buffer.from([1, 2, 3])), code(ErrorCode.ProtocolError));
  assert.throws(() => decodeMessage(Buffer.concat([query, Buffer.from([0])])), code(ErrorCode.ProtocolError));
});

void test('RDATA of every type survives encode → decode', () => {
  const cases: DnsRecord[] = [
    { name: 'x.test', type: 'A', ttl: 1, value: '192.0.2.1' },
    { name: 'x.test', type: 'AAAA', ttl: 1, value: '2001:db8::1' },
    { name: 'x.test', type: 'AAAA', ttl: 1, value: '::' },
    { name: 'x.test', type: 'NS', ttl: 1, value: 'ns1.x.test' },
    { name: 'x.test', type: 'CNAME', ttl: 1, value: 'y.test' },
    { name: 'x.test', type: 'SOA', ttl: 1, value: 'ns1.x.test host.x.test 2024010101 3600 900 604800 300' },
    { name: 'x.test', type: 'MX', ttl: 1, value: 'mx.x.test', priority: 10 },
    { name: 'x.test', type: 'SRV', ttl: 1, value: 'imap.x.test', priority: 0, weight: 1, port: 993 },
    { name: 'x.test', type: 'TXT', ttl: 1, value: 'ab', strings: ['a', 'b'] },
  ];
  for (const r of cases) {
    const { name: _n, ttl: _t, ...fields } = r;
    assert.deepEqual(decodeRdata(RRType[r.type], encodeRdata(r)), fields, r.type);
  }
});

void test('IPv6 addresses are written in RFC 5952 form whatever form they are given in', () => {
  const norm = (v: string) =>
    decodeRdata(RRType.AAAA, encodeRdata({ name: 'x', type: 'AAAA', ttl: 1, value: v }))?.value;
  assert.equal(norm('2001:DB8:0:0:1:0:0:1'), '2001:db8::1:0:0:1', 'first of two equal zero runs');
  assert.equal(norm('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
  assert.equal(norm('::ffff:192.0.2.1'), '::ffff:c000:201');
  assert.equal(norm('1::'), '1::');
  assert.equal(norm('1:2:3:4:5:6:7:8'), '1:2:3:4:5:6:7:8');
  assert.equal(formatIPv6(Buffer.from('00010000000100000000000000000001', 'hex')), '1:0:1::1');
  for (const bad of ['1:2:3', '1::2::3', '12345::', '1:2:3:4:5:6:7:8:9', 'g::'])
    assert.throws(
      () => encodeRdata({ name: 'x', type: 'AAAA', ttl: 1, value: bad }),
      code(ErrorCode.DnsRecordInvalid),
      bad,
    );
  assert.throws(
    () => encodeRdata({ name: 'x', type: 'A', ttl: 1, value: '300.1.1.1' }),
    code(ErrorCode.DnsRecordInvalid),
  );
});

void test('TXT: values over 255 bytes are split; given strings are kept when they match the value', () => {
  const value = 'v'.repeat(600);
  const rdata = encodeRdata({ name: 'x', type: 'TXT', ttl: 1, value });
  assert.deepEqual([rdata[0], rdata[256], rdata[512]], [255, 255, 90]);
  assert.equal(decodeRdata(RRType.TXT, rdata)?.value, value);
  const split = encodeRdata({ name: 'x', type: 'TXT', ttl: 1, value: 'abc', strings: ['a', 'bc'] });
  assert.deepEqual(split, Buffer.from('\x01a\x02bc', 'latin1'));
  // Strings that no longer match the value are ignored rather than trusted.
  const stale = encodeRdata({ name: 'x', type: 'TXT', ttl: 1, value: 'xyz', strings: ['a', 'bc'] });
  assert.deepEqual(stale, Buffer.from('\x03xyz', 'latin1'));
  assert.deepEqual(encodeRdata({ name: 'x', type: 'TXT', ttl: 1, value: '' }), Buffer.from([0]));
});

void test('UPDATE: zone, prerequisite and update sections with the classes of RFC 2136', () => {
  const mx: DnsRecord = { name: 'example.test', type: 'MX', ttl: 3600, value: 'mx.new.example', priority: 0 };
  const old: DnsRecord = { ...mx, value: 'mx.old.example', priority: 10 };
  const wire = buildUpdate(
    'Example.Test.',
    [
      { op: 'delete', record: old },
      { op: 'add', record: mx },
      { op: 'deleteRRset', name: 'big.example.test', type: 'TXT' },
      { op: 'deleteName', name: 'gone.example.test' },
    ],
    [
      { kind: 'rrsetExists', name: 'example.test', type: 'MX' },
      { kind: 'rrsetAbsent', name: 'x.example.test', type: 'A' },
      { kind: 'nameInUse', name: 'www.example.test' },
      { kind: 'nameAbsent', name: 'new.example.test' },
      { kind: 'rrsetEquals', records: [old] },
    ],
    0x4242,
  );
  const m = decodeMessage(wire);
  assert.equal(m.opcode, 5);
  assert.equal(m.id, 0x4242);
  assert.deepEqual(m.questions, [{ name: 'example.test', type: RRType.SOA, class: RRClass.IN }]);
  const cls = (rs: typeof m.answers) => rs.map((r) => [r.name, r.type, r.class, r.ttl, r.rdata.length > 0]);
  assert.deepEqual(cls(m.answers), [
    ['example.test', RRType.MX, RRClass.ANY, 0, false],
    ['x.example.test', RRType.A, RRClass.NONE, 0, false],
    ['www.example.test', RRType.ANY, RRClass.ANY, 0, false],
    ['new.example.test', RRType.ANY, RRClass.NONE, 0, false],
    ['example.test', RRType.MX, RRClass.IN, 0, true],
  ]);
  assert.deepEqual(cls(m.authorities), [
    ['example.test', RRType.MX, RRClass.NONE, 0, true],
    ['example.test', RRType.MX, RRClass.IN, 3600, true],
    ['big.example.test', RRType.TXT, RRClass.ANY, 0, false],
    ['gone.example.test', RRType.ANY, RRClass.ANY, 0, false],
  ]);
  assert.equal(toDnsRecord({ ...m.authorities[1]! })?.value, 'mx.new.example');
});

void test('TSIG: the signed message carries a TSIG record for the key, with the original ID and a 32-byte MAC', () => {
  const msg = encodeMessage({ id: 7, questions: [{ name: 'example.test', type: 6, class: 1 }] });
  const key = {
    name: 'Cutover-Key',
    algorithm: 'hmac-sha256' as const,
    secret: Buffer.alloc(32, 7).toString('base64'),
  };
  const a = signMessage(msg, key, Date.UTC(2026, 0, 1));
  const b = signMessage(
    msg,
    { ...key, secret: Buffer.alloc(32, 8).toString('base64') },
    Date.UTC(2026, 0, 1),
  );
  const m = decodeMessage(a.wire);
  assert.equal(m.tsig?.keyName, 'cutover-key');
  assert.equal(m.tsig?.algorithm, 'hmac-sha256');
  assert.equal(m.tsig?.timeSigned, Date.UTC(2026, 0, 1) / 1000);
  assert.equal(m.tsig?.originalId, 7);
  assert.deepEqual(m.tsig?.mac, a.mac);
  assert.equal(a.mac.length, 32);
  assert.notDeepEqual(a.mac, b.mac, 'the MAC depends on the secret');
  assert.equal(m.additionals.length, 0, 'TSIG is taken out of the additional section');
  assert.throws(() => signMessage(msg, { ...key, secret: 'not base64!' }), code(ErrorCode.ConfigInvalid));
});
