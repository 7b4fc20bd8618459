/** Zone transfers from a real Knot DNS server: TSIG-signed (one and many messages), refused, tampered with. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CutoverError, ErrorCode } from '../../src/errors.js';
import { axfr } from '../../src/dns/resolver.js';
import { tcpExchange } from '../../src/dns/transport.js';
import { signMessage, TsigVerifier } from '../../src/dns/tsig.js';
import { buildQuery, decodeMessage, RRType } from '../../src/dns/wire.js';
import { BIG_TXT, startKnot, TEST_ZONE, TEST_ZONE_TEXT, type DnsTestServer } from '../harness/dns-server.js';

const MANY = 3000;
const manyZone = [
  '$ORIGIN many.test.',
  '@ 3600 IN SOA ns.many.test. h.many.test. 7 3600 900 604800 300',
  '@ 3600 IN NS ns.many.test.',
  'ns 3600 IN A 127.0.0.1',
  ...Array.from({ length: MANY }, (_, i) => `h${i} 3600 IN TXT "record number ${i} with some padding text"`),
  '',
].join('\n');

let dns: DnsTestServer;
before(async () => {
  dns = await startKnot({ zones: { [TEST_ZONE]: TEST_ZONE_TEXT, 'many.test': manyZone } });
});
after(async () => {
  await dns?.stop();
});

void test('AXFR with a transfer key: every record, SOA first, unknown types kept opaque', async () => {
  const z = await axfr(TEST_ZONE, { server: dns.address, tsig: dns.transferKey });
  assert.equal(z.zone, TEST_ZONE);
  assert.equal(z.records[0]?.type, 'SOA');
  assert.equal(z.records.filter((r) => r.type === 'SOA').length, 1, 'the closing SOA is not repeated');
  // Every record line of the zone file but the CAA, which is opaque.
  const recordLines = TEST_ZONE_TEXT.split('\n').filter((l) => / IN /.test(l));
  assert.equal(z.records.length, recordLines.length - 1);
  assert.equal(z.records.filter((r) => r.name === `big.${TEST_ZONE}`).length, BIG_TXT.length);
  assert.deepEqual(
    z.other.map((o) => [o.name, o.type, o.rdata.toString('latin1')]),
    [[TEST_ZONE, 257, '\x00\x05issueletsencrypt.org']],
  );
});

void test('AXFR of a zone that needs many messages: each TSIG-signed message is verified', async () => {
  const z = await axfr('many.test', { server: dns.address, tsig: dns.updateKey, timeoutMs: 5000 });
  assert.equal(z.records.length, MANY + 3);
  const last = z.records.find((r) => r.name === `h${MANY - 1}.many.test`);
  assert.equal(last?.value, `record number ${MANY - 1} with some padding text`);
  // Prove there really were several messages, each checked in turn.
  const frames = await rawTransfer('many.test');
  assert.ok(frames.length > 1, `${frames.length} messages`);
  const v = new TsigVerifier(dns.updateKey, frames.mac);
  for (const f of frames) v.check(decodeMessage(f));
  v.finish();
});

void test('a tampered message or the wrong key fails TSIG verification', async () => {
  const frames = await rawTransfer(TEST_ZONE);
  const tampered = Buffer.from(frames[0]!);
  const at = tampered.indexOf('hostmaster', 0, 'latin1');
  assert.ok(at > 0);
  tampered[at] = 'H'.charCodeAt(0); // same name to DNS (case-insensitive), not to the MAC
  const bad = (err: CutoverError) => (
    assert.equal(err.code, ErrorCode.DnsTsigInvalid),
    assert.match(err.message, /MAC does not match/),
    true
  );
  assert.throws(() => new TsigVerifier(dns.updateKey, frames.mac).check(decodeMessage(tampered)), bad);
  const other = { ...dns.updateKey, secret: Buffer.alloc(32, 9).toString('base64') };
  assert.throws(() => new TsigVerifier(other, frames.mac).check(decodeMessage(frames[0]!)), bad);
  assert.doesNotThrow(() => new TsigVerifier(dns.updateKey, frames.mac).check(decodeMessage(frames[0]!)));
});

void test('AXFR without a key is refused, with what to do', async () => {
  await assert.rejects(axfr(TEST_ZONE, { server: dns.address }), (err: CutoverError) => {
    assert.equal(err.code, ErrorCode.DnsTransferRefused);
    assert.match(err.message, /refused a zone transfer \(AXFR\) of example\.test \((NOTAUTH|REFUSED)\)/);
    assert.match(err.hint ?? '', /TSIG key/);
    return true;
  });
});

void test('AXFR with a wrong secret: BADSIG', async () => {
  const wrong = { ...dns.transferKey, secret: Buffer.alloc(32, 3).toString('base64') };
  await assert.rejects(axfr(TEST_ZONE, { server: dns.address, tsig: wrong }), (err: CutoverError) => {
    assert.equal(err.code, ErrorCode.DnsTransferRefused);
    assert.match(err.message, /BADSIG/);
    assert.match(err.hint ?? '', /secret of key cutover-transfer/);
    return true;
  });
});

/** The raw messages of a signed AXFR, and the request MAC they are signed against. */
async function rawTransfer(zone: string): Promise<Buffer[] & { mac: Buffer }> {
  const { wire, mac } = signMessage(buildQuery(zone, RRType.AXFR, undefined, false), dns.updateKey);
  const frames: Buffer[] = [];
  let soas = 0;
  await tcpExchange(dns.address, wire, { timeoutMs: 5000 }, (raw) => {
    frames.push(Buffer.from(raw));
    soas += decodeMessage(raw).answers.filter((a) => a.type === RRType.SOA).length;
    return soas >= 2 ? 'done' : 'more';
  });
  return Object.assign(frames, { mac });
}
