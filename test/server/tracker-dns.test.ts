/**
 * The tracker's DNS column against a real Knot DNS server (test/harness/dns-server.ts) holding example.test
 * as the old provider left it: pending before any check, failing (with what is missing) after a check
 * before the change, ready after the change is applied by signed dynamic update and checked again; a name
 * server that does not answer is stored as failing with the reason. The tracker itself never looks DNS up.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startKnot, TEST_ZONE, type DnsTestServer } from '../harness/dns-server.js';
import { defaultPlan } from '../../src/config/plan.js';
import type { ProjectConfig } from '../../src/config/types.js';
import { applyUpdate } from '../../src/dns/update.js';
import { dnsPlan } from '../../src/services/dns-service.js';
import { loggedIn, projectBody, server } from './helpers.js';

type Domain = { domain: string; status: string; checkedAt: string | null; reason: string | null };
type StageBody = {
  key: string;
  colour: string;
  counts: { done: number; running: number; attention: number; waiting: number };
  note?: string;
  domains?: Domain[];
};

let dns: DnsTestServer;
before(async () => {
  dns = await startKnot();
});
after(async () => {
  await dns?.stop();
});

async function setUp(port: number) {
  const app = await server();
  const auth = await loggedIn(app);
  const plan = {
    cutover: '2027-01-10T18:00',
    domains: [TEST_ZONE],
    dns: 'dynamic',
    dnsServer: { host: '127.0.0.1', port },
    dnsTarget: { kind: 'imap', mxHost: 'mx.new.example' },
  };
  const p = await app.inject({
    method: 'POST',
    url: '/api/projects',
    ...auth,
    payload: projectBody('dns', { plan }),
  });
  assert.equal(p.statusCode, 201, p.body);
  const id = p.json<{ id: number }>().id;
  const csv = ['source', `ann@${TEST_ZONE}`, `bob@${TEST_ZONE.toUpperCase()}`, 'legacy'].join('\n');
  const imp = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/mailboxes/import/commit`,
    ...auth,
    payload: { csv },
  });
  assert.equal(imp.statusCode, 200, imp.body);
  const dnsStage = async () =>
    (await app.inject({ method: 'GET', url: `/api/projects/${id}/tracker`, cookies: auth.cookies }))
      .json<{ stages: StageBody[] }>()
      .stages.find((s) => s.key === 'dns')!;
  const check = (timeoutSeconds: number) =>
    app.inject({
      method: 'POST',
      url: `/api/projects/${id}/dns/check`,
      ...auth,
      payload: { timeoutSeconds },
    });
  return { app, auth, id, dnsStage, check };
}

test('DNS column: pending, then failing with what is missing, then ready after the change', async (t) => {
  const { app, auth, id, dnsStage, check } = await setUp(dns.port);
  t.after(() => app.close());

  let s = await dnsStage();
  assert.deepEqual(s.counts, { done: 0, running: 0, attention: 0, waiting: 3 });
  assert.equal(s.colour, 'grey');
  assert.deepEqual(
    s.domains?.map((d) => [d.domain, d.status]),
    [[TEST_ZONE, 'pending']],
  );
  assert.match(s.note!, /Not checked yet/);

  const r1 = await check(2);
  assert.equal(r1.statusCode, 200, r1.body);
  const c1 = r1.json<{ ready: boolean; domains: Domain[] }>();
  assert.equal(c1.ready, false);
  assert.equal(c1.domains[0]!.status, 'failing');
  assert.match(c1.domains[0]!.reason!, /mx\.new\.example/);
  s = await dnsStage();
  assert.deepEqual(s.counts, { done: 0, running: 0, attention: 3, waiting: 0 });
  assert.equal(s.colour, 'red');
  assert.ok(s.domains![0]!.checkedAt);
  const drill = await app.inject({
    method: 'GET',
    url: `/api/projects/${id}/tracker/dns/mailboxes`,
    cookies: auth.cookies,
  });
  const d = drill.json<{ items: Array<{ sourceUser: string; lastError: string | null }>; total: number }>();
  assert.equal(d.total, 3);
  const ann = d.items.find((m) => m.sourceUser === `ann@${TEST_ZONE}`)!;
  assert.match(ann.lastError!, /Not visible at the last check:.*mx\.new\.example/);
  // The mailbox without a domain takes the project's worst domain state, with no domain reason.
  assert.equal(d.items.find((m) => m.sourceUser === 'legacy')!.lastError, null);

  // Make the changes the plan wants, by signed dynamic update, as `cutover dns --apply` does.
  const plan = {
    ...defaultPlan(),
    domains: [TEST_ZONE],
    dnsTarget: { kind: 'imap' as const, mxHost: 'mx.new.example', verification: [] },
  };
  const project = { destination: { host: 'new.example' } } as ProjectConfig;
  for (const dp of await dnsPlan(project, plan, { server: dns.address, cutoverAt: new Date() }))
    await applyUpdate(dp.domain, dp.changes, { server: dns.address, tsig: dns.updateKey });

  // Reading the tracker does not look DNS up: it still shows the stored failing check.
  assert.equal((await dnsStage()).colour, 'red');
  const r2 = await check(5);
  assert.equal(r2.statusCode, 200, r2.body);
  assert.deepEqual(r2.json<{ ready: boolean }>().ready, true, r2.body);
  s = await dnsStage();
  assert.deepEqual(s.counts, { done: 3, running: 0, attention: 0, waiting: 0 });
  assert.equal(s.colour, 'green');
  assert.equal(s.domains![0]!.status, 'ready');
  assert.match(s.note!, /Last checked/);
});

test('DNS check: a name server that does not answer is stored as failing, with the reason', async (t) => {
  const { app, auth, id, dnsStage, check } = await setUp(1);
  t.after(() => app.close());
  const r = await check(1);
  assert.equal(r.statusCode, 200, r.body);
  assert.match(r.json<{ domains: Domain[] }>().domains[0]!.reason!, /lookup failed|not visible/i);
  const s = await dnsStage();
  assert.equal(s.colour, 'red');
  assert.equal(s.counts.attention, 3);
  const unauth = await app.inject({ method: 'POST', url: `/api/projects/${id}/dns/check`, payload: {} });
  assert.equal(unauth.statusCode, 401);
  const noCsrf = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/dns/check`,
    cookies: auth.cookies,
    payload: {},
  });
  assert.equal(noCsrf.statusCode, 403);
});
