/**
 * `cutover dns` against a real Knot DNS server (test/harness/dns-server.ts) holding example.test as the
 * old provider left it: the diff, self-service steps, a hand-over zone file from AXFR, the readiness check
 * raising an alert, a refused update with a wrong TSIG key, and a signed dynamic update applied and verified.
 */
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startKnot, TEST_ZONE, type DnsTestServer } from '../harness/dns-server.js';
import { cli, tempDataDir } from './helpers.js';
import { lookup } from '../../src/dns/resolver.js';

let dns: DnsTestServer;
before(async () => {
  dns = await startKnot();
});
after(async () => {
  await dns?.stop();
});

/** A project whose plan moves example.test's mail to mx.new.example; `mode` is plan.dns. */
function project(mode: string): { file: string; dir: string } {
  const dir = tempDataDir();
  const file = path.join(dir, 'cutover.yaml');
  fs.writeFileSync(
    file,
    `source: { host: imap.old-mail.example }
destination: { host: imap.new.example }
plan:
  cutover: "2026-12-12T18:00"
  timezone: UTC
  domains: [${TEST_ZONE}]
  dns: ${mode}
  dnsServer: { host: 127.0.0.1, port: ${dns.port}, keyName: ${dns.updateKey.name}, keySecret: { env: TSIG_SECRET } }
  dnsTarget: { kind: imap, mxHost: mx.new.example }
`,
  );
  return { file, dir };
}
const env = () => ({ TSIG_SECRET: dns.updateKey.secret });
/** One store for the dynamic-mode tests: the alert raised by one is completed by a later one. */
let dynamic: { file: string; dir: string } | undefined;
const dynamicProject = () => (dynamic ??= project('dynamic'));

test('the diff and self-service steps: MX set and SPF replaced, TTLs lowered first', async () => {
  const { file } = project('self-service');
  const r = await cli(['dns', '--project', file], env());
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /example\.test MX 10 mx1\.old-mail\.example {2}\(TTL 3600\)/);
  assert.match(r.stdout, /Needed after cutover:[\s\S]*example\.test MX \d+ mx\.new\.example/);
  assert.match(r.stdout, /Changes:[\s\S]*mx1\.old-mail\.example[\s\S]*mx\.new\.example/);
  assert.match(r.stdout, /v=spf1 mx ~all/);
  assert.match(r.stdout, /Steps:[\s\S]*TTL/i);
});

test('zone hand-over: a complete zone file from AXFR with the changes applied', async () => {
  const { file, dir } = project('zone');
  const r = await cli(['dns', '--project', file], env());
  assert.equal(r.code, 0, r.stderr);
  const zone = fs.readFileSync(path.join(dir, '.cutover', `${TEST_ZONE}.zone`), 'utf8');
  assert.match(zone, /\$ORIGIN example\.test\./);
  assert.match(zone, /mx\.new\.example\./);
  assert.doesNotMatch(zone, /mx1\.old-mail\.example/);
  assert.match(zone, /www[\s\S]*192\.0\.2\.10/, 'records the cutover does not touch are kept');
  assert.match(zone, /CAA|TYPE257/, 'even types Cutover does not model');
});

test('readiness check before the change: not ready, an alert is raised, exit 1', async () => {
  const { file } = dynamicProject();
  const r = await cli(['dns', '--project', file, '--check', '--timeout', '1'], env());
  assert.equal(r.code, 1);
  assert.match(r.stdout, /Not ready: \d+ change\(s\) not visible yet/);
  const alerts = await cli(['alerts', '--project', file]);
  assert.match(alerts.stdout, /critical {2}dns-not-ready {2}project/);
});

test('a wrong TSIG key is refused with a clear message and changes nothing', async () => {
  const { file } = dynamicProject();
  const r = await cli(['dns', '--project', file, '--apply'], {
    TSIG_SECRET: Buffer.alloc(32, 7).toString('base64'),
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /BADSIG|signature/i);
  const mx = await lookup(TEST_ZONE, 'MX', { server: dns.address });
  assert.ok(mx.some((x) => x.value === 'mx1.old-mail.example'));
});

test('a signed dynamic update is applied, verified visible, and the alert completes', async () => {
  const { file } = dynamicProject();
  const r = await cli(['dns', '--project', file, '--apply'], env());
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(
    r.stdout,
    /Applied \d+ change\(s\) by signed dynamic update\.[\s\S]*Ready: every change is visible/,
  );
  const mx = await lookup(TEST_ZONE, 'MX', { server: dns.address });
  assert.deepEqual(
    mx.map((x) => x.value),
    ['mx.new.example'],
  );
  const alerts = await cli(['alerts', '--project', file, '--all']);
  assert.match(alerts.stdout, /dns-not-ready {2}project {2}\[completed\]/);
  // Nothing left to do: a second run finds no changes.
  const again = await cli(['dns', '--project', file], env());
  assert.match(again.stdout, /0 change\(s\)/);
});
