/** RFC 2136 updates signed with TSIG against a real Knot DNS server: applied and seen, or refused clearly. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AbortError, CutoverError, ErrorCode } from '../../src/errors.js';
import {
  applyUpdate,
  currentRecords,
  diffRecords,
  sendUpdate,
  waitUntilVisible,
} from '../../src/dns/plan.js';
import { formatRecord, isSpf, requiredRecords, type DnsRecord } from '../../src/dns/records.js';
import { lookup } from '../../src/dns/resolver.js';
import { startKnot, TEST_ZONE, type DnsTestServer } from '../harness/dns-server.js';

let dns: DnsTestServer;
before(async () => {
  dns = await startKnot();
});
after(async () => {
  await dns?.stop();
});
const at = () => ({ server: dns.address });
const probe: DnsRecord = { name: `probe.${TEST_ZONE}`, type: 'A', ttl: 300, value: '192.0.2.77' };
const refused = (code: string, pattern: RegExp, hint: RegExp) => (err: CutoverError) => {
  assert.equal(err.code, code);
  assert.match(err.message, pattern);
  assert.match(err.hint ?? '', hint);
  return true;
};

void test('the Google plan applied by update: visible by lookups and waitUntilVisible; a rerun changes nothing', async () => {
  const required = requiredRecords(TEST_ZONE, {
    kind: 'google',
    verification: ['google-site-verification=xyz'],
    autoconfigHost: 'autoconfig.cutover.example',
  });
  const changes = diffRecords(await currentRecords(TEST_ZONE, at()), required);
  assert.equal(changes.length, 8); // incl. the _autodiscover._tcp SRV

  // Not applied yet: nothing is visible, and the wait says which.
  const before = await waitUntilVisible(changes, { ...at(), intervalMs: 50, timeoutMs: 200 });
  assert.equal(before.ready, false);
  assert.deepEqual(before.missing, changes);

  await applyUpdate(TEST_ZONE, changes, { ...at(), tsig: dns.updateKey });
  const t0 = Date.now();
  assert.deepEqual(await waitUntilVisible(changes, { ...at(), intervalMs: 100, timeoutMs: 5000 }), {
    ready: true,
    missing: [],
  });
  assert.ok(Date.now() - t0 < 1000, 'an authoritative server shows its own update at once');

  assert.deepEqual((await lookup(TEST_ZONE, 'MX', at())).map(formatRecord), [
    'example.test MX 1 smtp.google.com',
  ]);
  const txt = await lookup(TEST_ZONE, 'TXT', at());
  assert.deepEqual(
    txt.filter(isSpf).map((r) => r.value),
    ['v=spf1 include:_spf.google.com ~all'],
    'exactly one SPF: the old one (split in two strings) was deleted byte for byte',
  );
  assert.deepEqual(txt.map((r) => r.value).sort(), [
    'google-site-verification=xyz',
    'old-verification=abc123',
    'v=spf1 include:_spf.google.com ~all',
  ]);
  for (const label of ['autoconfig', 'autodiscover'])
    assert.deepEqual(
      (await lookup(`${label}.${TEST_ZONE}`, 'CNAME', at())).map((r) => r.value),
      ['autoconfig.cutover.example'],
    );
  assert.deepEqual(
    await lookup(`autoconfig.${TEST_ZONE}`, 'A', at()),
    [],
    'the A record beside the CNAME is gone',
  );

  // Done: the plan is now empty, and applying the old changes again is harmless.
  assert.deepEqual(diffRecords(await currentRecords(TEST_ZONE, at()), required), []);
  const [soa1] = await lookup(TEST_ZONE, 'SOA', at());
  await applyUpdate(TEST_ZONE, changes, { ...at(), tsig: dns.updateKey });
  assert.deepEqual(diffRecords(await currentRecords(TEST_ZONE, at()), required), []);
  const [soa2] = await lookup(TEST_ZONE, 'SOA', at());
  assert.equal(soa2?.value, soa1?.value, 'no change made, so no new serial');
});

void test('a wrong secret: BADSIG, nothing changed', async () => {
  const wrong = { ...dns.updateKey, secret: Buffer.alloc(32, 1).toString('base64') };
  await assert.rejects(
    applyUpdate(TEST_ZONE, [{ action: 'add', record: probe }], { ...at(), tsig: wrong }),
    refused(
      ErrorCode.DnsUpdateRefused,
      /rejected the TSIG signature on the update of example\.test: BADSIG/,
      /secret of key cutover-update/,
    ),
  );
  assert.deepEqual(await lookup(probe.name, 'A', at()), []);
});

void test('an unknown key, or a key not allowed to update: BADKEY (or REFUSED), nothing changed', async () => {
  const unknown = { ...dns.updateKey, name: 'nobody' };
  await assert.rejects(
    applyUpdate(TEST_ZONE, [{ action: 'add', record: probe }], { ...at(), tsig: unknown }),
    refused(
      ErrorCode.DnsUpdateRefused,
      /BADKEY \(it does not know key nobody/,
      /key name exactly as configured/,
    ),
  );
  await assert.rejects(
    applyUpdate(TEST_ZONE, [{ action: 'add', record: probe }], { ...at(), tsig: dns.transferKey }),
    refused(ErrorCode.DnsUpdateRefused, /(BADKEY|REFUSED)/, /allow .*cutover-transfer|Allow updates/),
  );
  assert.deepEqual(await lookup(probe.name, 'A', at()), []);
});

void test('an update of a zone the server does not serve: NOTAUTH', async () => {
  const other = { ...probe, name: 'www.not-served.test' };
  await assert.rejects(
    applyUpdate('not-served.test', [{ action: 'add', record: other }], { ...at(), tsig: dns.updateKey }),
    refused(
      ErrorCode.DnsUpdateRefused,
      /rejected the update of not-served\.test: (NOTAUTH|REFUSED)/,
      /primary server|Allow updates/,
    ),
  );
});

void test('a record outside the zone is refused before anything is sent', async () => {
  await assert.rejects(
    applyUpdate(TEST_ZONE, [{ action: 'add', record: { ...probe, name: 'x.elsewhere.test' } }], {
      server: { host: '127.0.0.1', port: 9 }, // nothing is sent: no connection error either
      tsig: dns.updateKey,
    }),
    refused(
      ErrorCode.DnsRecordInvalid,
      /x\.elsewhere\.test is not in zone example\.test/,
      /end in example\.test/,
    ),
  );
});

void test('prerequisites: a failed one rejects the whole update; deleteRRset and deleteName remove all', async () => {
  await assert.rejects(
    sendUpdate(TEST_ZONE, [{ op: 'add', record: probe }], {
      ...at(),
      tsig: dns.updateKey,
      prerequisites: [{ kind: 'rrsetAbsent', name: `www.${TEST_ZONE}`, type: 'A' }],
    }),
    refused(ErrorCode.DnsUpdateRefused, /YXRRSET \(a prerequisite failed/, /make a new plan/),
  );
  assert.deepEqual(await lookup(probe.name, 'A', at()), []);

  await sendUpdate(
    TEST_ZONE,
    [
      { op: 'add', record: probe },
      { op: 'deleteRRset', name: `big.${TEST_ZONE}`, type: 'TXT' },
      { op: 'deleteName', name: `www.${TEST_ZONE}` },
    ],
    { ...at(), tsig: dns.updateKey, prerequisites: [{ kind: 'nameAbsent', name: probe.name }] },
  );
  assert.deepEqual(
    (await lookup(probe.name, 'A', at())).map((r) => r.value),
    ['192.0.2.77'],
  );
  assert.deepEqual(await lookup(`big.${TEST_ZONE}`, 'TXT', at()), []);
  assert.deepEqual(await lookup(`www.${TEST_ZONE}`, 'A', at()), []);
  assert.deepEqual(await lookup(`www.${TEST_ZONE}`, 'AAAA', at()), []);
});

void test('waitUntilVisible: a delete counts once the record is gone; an abort stops the wait', async () => {
  const gone = [{ action: 'delete' as const, record: probe }];
  const first = await waitUntilVisible(gone, { ...at(), intervalMs: 50, timeoutMs: 200 });
  assert.deepEqual(first, { ready: false, missing: gone }, 'probe is still there');
  await applyUpdate(TEST_ZONE, gone, { ...at(), tsig: dns.updateKey });
  assert.equal((await waitUntilVisible(gone, { ...at(), intervalMs: 50, timeoutMs: 2000 })).ready, true);

  const ac = new AbortController();
  setTimeout(() => ac.abort(), 100);
  const never = [{ action: 'add' as const, record: { ...probe, value: '192.0.2.78' } }];
  await assert.rejects(
    waitUntilVisible(never, { ...at(), intervalMs: 50, timeoutMs: 10_000, signal: ac.signal }),
    AbortError,
  );
});
