/**
 * The plan against a real Knot DNS server: live records and their diff, and a zone file made from an AXFR
 * of the live zone with the changes applied, loaded into a second Knot and checked by lookups and AXFR.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { currentRecords, diffRecords, zoneFile } from '../../src/dns/plan.js';
import { formatRecord, isSpf, requiredRecords, sameRecord, type DnsRecord } from '../../src/dns/records.js';
import { axfr, lookup, query } from '../../src/dns/resolver.js';
import {
  BIG_TXT,
  LONG_TXT,
  OLD_SPF,
  startKnot,
  TEST_ZONE,
  type DnsTestServer,
} from '../harness/dns-server.js';

let dns: DnsTestServer;
before(async () => {
  dns = await startKnot();
});
after(async () => {
  await dns?.stop();
});

const m365 = requiredRecords(TEST_ZONE, {
  kind: 'microsoft365',
  verification: ['MS=ms12345678'],
  autoconfigHost: 'autoconfig.cutover.example',
});
const summary = (changes: ReturnType<typeof diffRecords>) =>
  changes.map(
    (c) => `${c.action} ${c.previous ? `${formatRecord(c.previous)} -> ` : ''}${formatRecord(c.record)}`,
  );

void test('currentRecords reads the names a cutover touches, and only those', async () => {
  const current = await currentRecords(TEST_ZONE, { server: dns.address });
  assert.deepEqual(
    current.map(formatRecord).sort(),
    [
      'autoconfig.example.test A 192.0.2.20',
      'autodiscover.example.test CNAME autodiscover.old-mail.example',
      '_imaps._tcp.example.test SRV 0 1 993 imap.old-mail.example',
      'example.test MX 10 mx1.old-mail.example',
      'example.test MX 20 mx2.old-mail.example',
      'example.test TXT "old-verification=abc123"',
      `example.test TXT "${OLD_SPF.join('')}"`,
    ].sort(),
  );
});

void test('diff against the live zone: SPF replaced (not a second one), MX set replaced, CNAME conflicts removed', async () => {
  const changes = diffRecords(await currentRecords(TEST_ZONE, { server: dns.address }), m365);
  assert.deepEqual(summary(changes), [
    'replace example.test MX 10 mx1.old-mail.example -> example.test MX 0 example-test.mail.protection.outlook.com',
    'delete example.test MX 20 mx2.old-mail.example',
    `replace example.test TXT "${OLD_SPF.join('')}" -> example.test TXT "v=spf1 include:spf.protection.outlook.com -all"`,
    'add example.test TXT "MS=ms12345678"',
    'replace autodiscover.example.test CNAME autodiscover.old-mail.example -> autodiscover.example.test CNAME autodiscover.outlook.com',
    'add autoconfig.example.test CNAME autoconfig.cutover.example',
    'delete autoconfig.example.test A 192.0.2.20',
  ]);
  // The old SPF keeps its wire split, so an update can delete it byte for byte.
  const spf = changes.find((c) => c.previous && isSpf(c.previous));
  assert.deepEqual(spf?.previous?.strings, OLD_SPF);
  assert.equal(spf?.previous?.ttl, 86400);
  assert.equal(changes.filter((c) => c.action === 'add' && isSpf(c.record)).length, 0);
});

void test('zone file: AXFR of the live zone + changes, loaded by a second Knot, answers as planned', async () => {
  const zone = await axfr(TEST_ZONE, { server: dns.address, tsig: dns.transferKey });
  const changes = diffRecords(await currentRecords(TEST_ZONE, { server: dns.address }), m365);
  const text = zoneFile(TEST_ZONE, zone, changes, { now: new Date('2026-03-02T12:00:00Z') });
  assert.match(text, /^\$ORIGIN example\.test\.$/m);
  assert.match(text, /^\$TTL 3600$/m);
  assert.match(
    text,
    /^@ +3600 IN SOA +ns1\.example\.test\. hostmaster\.example\.test\. 2026030200 3600 900 604800 300$/m,
  );
  assert.match(
    text,
    /^@ +3600 IN TYPE257 \\# 22 000569737375656c657473656e63727970742e6f7267$/m,
    'CAA kept in RFC 3597 form',
  );

  const second = await startKnot({ zones: { [TEST_ZONE]: text } }).catch((err: Error) => {
    throw new Error(`the generated zone file did not load:\n${text}\n${err.message}`);
  });
  try {
    const at = { server: second.address };
    const [soa] = await lookup(TEST_ZONE, 'SOA', at);
    assert.equal(soa?.value.split(' ')[2], '2026030200', 'serial bumped to today (date-style)');
    assert.deepEqual((await lookup(TEST_ZONE, 'MX', at)).map(formatRecord), [
      'example.test MX 0 example-test.mail.protection.outlook.com',
    ]);
    const txt = (await lookup(TEST_ZONE, 'TXT', at)).map((r) => r.value).sort();
    assert.deepEqual(txt, [
      'MS=ms12345678',
      'old-verification=abc123',
      'v=spf1 include:spf.protection.outlook.com -all',
    ]);
    assert.deepEqual(
      (await lookup(`autoconfig.${TEST_ZONE}`, 'CNAME', at)).map((r) => r.value),
      ['autoconfig.cutover.example'],
    );
    assert.deepEqual(await lookup(`autoconfig.${TEST_ZONE}`, 'A', at), []);
    assert.deepEqual((await lookup(`multi.${TEST_ZONE}`, 'TXT', at))[0]?.strings, [
      'first string',
      'second string',
    ]);
    assert.equal((await lookup(`long.${TEST_ZONE}`, 'TXT', at))[0]?.value, LONG_TXT);
    assert.equal((await lookup(`big.${TEST_ZONE}`, 'TXT', at)).length, BIG_TXT.length);
    const caa = await query(TEST_ZONE, 257, at);
    assert.equal(caa.answers[0]?.rdata.toString('latin1'), '\x00\x05issueletsencrypt.org');

    // Everything else came through unchanged: the second zone is the first with exactly the changes applied.
    const after = await axfr(TEST_ZONE, { ...at, tsig: second.transferKey });
    const withoutSoa = (rs: DnsRecord[]) => rs.filter((r) => r.type !== 'SOA');
    const expected = withoutSoa(zone.records)
      .filter(
        (r) =>
          !changes.some(
            (c) =>
              (c.previous ?? (c.action === 'delete' ? c.record : undefined)) &&
              sameRecord(c.previous ?? c.record, r),
          ),
      )
      .concat(changes.filter((c) => c.action !== 'delete').map((c) => c.record));
    // One TTL per RRset: the apex TXT set mixes old (1 day) and new (1 hour) records and takes the lower.
    const key = (r: DnsRecord) =>
      `${formatRecord(r)} ttl=${r.name === TEST_ZONE && r.type === 'TXT' ? 3600 : r.ttl}`;
    assert.deepEqual(withoutSoa(after.records).map(key).sort(), expected.map(key).sort());
    assert.equal(after.other.length, 1);
  } finally {
    await second.stop();
  }
});

void test('zone file of a hand-made record list: serial +1 for a non-date serial, names outside the zone refused', () => {
  const soa: DnsRecord = { name: 'z.test', type: 'SOA', ttl: 600, value: 'ns.z.test h.z.test 41 1 1 1 1' };
  const text = zoneFile(
    'z.test',
    [soa, { name: 'a.z.test', type: 'TXT', ttl: 60, value: 'say "hi"\\\u00e9' }],
    [],
  );
  assert.match(text, /^@ +600 IN SOA +ns\.z\.test\. h\.z\.test\. 42 1 1 1 1$/m);
  assert.match(text, /^a +60 IN TXT +"say \\"hi\\"\\\\\\195\\169"$/m);
  assert.throws(
    () => zoneFile('z.test', [soa, { name: 'a.other.test', type: 'A', ttl: 1, value: '192.0.2.1' }], []),
    /not in zone z\.test/,
  );
  assert.throws(() => zoneFile('z.test', [], []), /no SOA/);
});
