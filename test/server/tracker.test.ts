/** The tracker over the API: stage counts per colour, drill-down, DNS and final sync without a plan, ETA, auth. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../src/store/db.js';
import { MailboxRepo } from '../../src/store/mailbox-repo.js';
import { ItemLedgerRepo, type ItemStatus } from '../../src/store/item-ledger-repo.js';
import { tempDataDir } from '../integration/helpers.js';
import { logIn, loggedIn, projectBody, server } from './helpers.js';

type Counts = { done: number; running: number; attention: number; waiting: number };
type TrackerBody = {
  mailboxes: number;
  stages: Array<{
    key: string;
    tracked: boolean;
    reason: string | null;
    colour: string;
    counts: Counts | null;
  }>;
  overall: { byStatus: Record<string, number>; percentDone: number };
  eta: { finishAt: string | null; basis: string } | null;
  etaNote: string | null;
  alerts: { critical: number; advisory: number };
  items: Record<string, { copied: number; present: number; skipped: number; failed: number }>;
};

test('tracker: counts per stage and colour, drill-down to the mailboxes not done, ETA', async (t) => {
  const dataDir = tempDataDir();
  let app = await server({ dataDir });
  let auth = await loggedIn(app);
  // The destination has no admin login: the credentials stage waits for each user's destination password.
  const p = await app.inject({
    method: 'POST',
    url: '/api/projects',
    ...auth,
    payload: projectBody('track'),
  });
  const id = p.json<{ id: number }>().id;
  const csv = ['source', ...Array.from({ length: 10 }, (_, i) => `u${i}`)].join('\n');
  await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/mailboxes/import/commit`,
    ...auth,
    payload: { csv },
  });
  const noSizes = (
    await app.inject({ method: 'GET', url: `/api/projects/${id}/tracker`, cookies: auth.cookies })
  ).json<TrackerBody>();
  assert.equal(noSizes.eta, null);
  assert.match(noSizes.etaNote!, /run a scan/);
  await app.close();

  // Mailbox states written the way the engine, the scan, the portal and the client set-up write them.
  const store = await openStore(dataDir);
  const ids = (await store.db.selectFrom('mailboxes').select('id').orderBy('source_user').execute()).map(
    (r) => Number(r.id),
  );
  const repo = new MailboxRepo(store.db);
  const now = new Date().toISOString();
  for (const [i, mid] of ids.entries()) await repo.setSize(mid, 100 * (i + 1), 1_000_000 * (i + 1));
  for (const mid of ids.slice(0, 3)) {
    const pass = await repo.startPass(mid, false);
    await repo.finishPass(pass, 'done', {
      copied: 1,
      present: 0,
      skipped: 0,
      failed: 0,
      flagsSynced: 0,
      bytes: 1,
      throttledMs: 0,
    });
    await repo.setStatus(mid, 'done');
  }
  // u3 was part-way through a pass when its process died: the restart marks it interrupted, still under way.
  await repo.startPass(ids[3]!, false);
  await repo.setStatus(ids[3]!, 'running');
  await repo.setStatus(ids[4]!, 'failed', 'login refused');
  const scan = await store.db
    .insertInto('scans')
    .values({ started_at: now, status: 'done' })
    .returning('id')
    .executeTakeFirstOrThrow();
  // u2 was never scanned, but a finished pass wrote to its destination: that proves it ready too.
  for (const [i, mid] of ids.slice(0, 6).entries())
    if (i !== 2)
      await store.db
        .insertInto('scan_mailboxes')
        .values({
          scan_id: Number(scan.id),
          mailbox_id: mid,
          status: i === 5 ? 'failed' : 'done',
          error: null,
          dest_error: null,
          quota_used: null,
          quota_limit: null,
          append_limit: null,
          finished_at: now,
        })
        .execute();
  await store.db
    .insertInto('alerts')
    .values({
      mailbox_id: ids[1]!,
      type: 'quota-too-small',
      level: 'critical',
      text: 'quota',
      status: 'active',
      created_at: now,
      updated_at: now,
    })
    .execute();
  for (const [mid, verified] of [
    [ids[0]!, now],
    [ids[1]!, null],
  ] as const)
    await store.db
      .insertInto('credentials')
      .values({
        mailbox_id: mid,
        side: 'destination',
        sealed: 'v1.x.y.z',
        entered_by: 'portal',
        verified_at: verified,
        updated_at: now,
      })
      .execute();
  await store.db
    .insertInto('client_setups')
    .values({ mailbox_id: ids[2]!, kind: 'mobileconfig', first_at: now, last_at: now, count: 1 })
    .execute();
  // Filters and contacts the passes recorded, as the item ledger holds them.
  const item = (key: string, itemType: string, status: ItemStatus) => ({
    itemType,
    collection: '',
    key,
    kind: itemType === 'filters' ? 'script' : 'contact',
    sourceHash: null,
    destHash: null,
    status,
    reason: status === 'failed' ? 'refused' : null,
    original: null,
    passId: null,
  });
  const items = new ItemLedgerRepo(store.db);
  await items.record(ids[0]!, [item('main', 'filters', 'copied'), item('old', 'filters', 'failed')]);
  await items.record(ids[1]!, [item('a', 'contacts', 'copied'), item('b', 'contacts', 'present')]);
  await store.close();

  app = await server({ dataDir });
  t.after(() => app.close());
  auth = await logIn(app);
  const r = await app.inject({ method: 'GET', url: `/api/projects/${id}/tracker`, cookies: auth.cookies });
  assert.equal(r.statusCode, 200, r.body);
  const tr = r.json<TrackerBody>();
  assert.equal(tr.mailboxes, 10);
  assert.deepEqual(tr.items, {
    filters: { copied: 1, present: 0, skipped: 0, failed: 1 },
    contacts: { copied: 1, present: 1, skipped: 0, failed: 0 },
  });
  const stage = (k: string) => tr.stages.find((s) => s.key === k)!;
  assert.deepEqual(
    tr.stages.map((s) => s.key),
    ['destination-ready', 'credentials', 'client-setup', 'initial-sync', 'dns', 'final-sync'],
  );
  assert.deepEqual(stage('initial-sync').counts, { done: 3, running: 1, attention: 1, waiting: 5 });
  assert.equal(stage('initial-sync').colour, 'red');
  // u1 has a critical alert, u5's scan failed, u6–u9 were never scanned nor migrated.
  assert.deepEqual(stage('destination-ready').counts, { done: 4, running: 0, attention: 2, waiting: 4 });
  assert.deepEqual(stage('credentials').counts, { done: 1, running: 1, attention: 0, waiting: 8 });
  assert.deepEqual(stage('client-setup').counts, { done: 1, running: 0, attention: 0, waiting: 9 });
  // No plan domains: no DNS change is needed; no cutover date: the final sync waits.
  assert.deepEqual(stage('dns').counts, { done: 10, running: 0, attention: 0, waiting: 0 });
  assert.equal(stage('dns').colour, 'green');
  assert.match((stage('dns') as { note?: string }).note!, /no DNS change is needed/);
  assert.deepEqual(stage('final-sync').counts, { done: 0, running: 0, attention: 0, waiting: 10 });
  assert.equal(stage('final-sync').colour, 'grey');
  assert.match((stage('final-sync') as { note?: string }).note!, /no cutover date/);
  assert.equal(tr.overall.percentDone, 30);
  assert.deepEqual(tr.alerts, { critical: 1, advisory: 0 });
  assert.ok(tr.eta?.finishAt, 'an ETA once sizes are known');
  assert.match(tr.eta.basis, /defaults|measured/);

  const drill = await app.inject({
    method: 'GET',
    url: `/api/projects/${id}/tracker/initial-sync/mailboxes?limit=3`,
    cookies: auth.cookies,
  });
  const d = drill.json<{
    items: Array<{ sourceUser: string; state: string; lastError: string | null }>;
    total: number;
  }>();
  assert.equal(d.total, 7, 'the mailboxes not done');
  assert.deepEqual(
    d.items.map((m) => [m.sourceUser, m.state]),
    [
      ['u4', 'attention'],
      ['u3', 'running'],
      ['u5', 'waiting'],
    ],
  );
  assert.equal(d.items[0]!.lastError, 'login refused');
  const waiting = await app.inject({
    method: 'GET',
    url: `/api/projects/${id}/tracker/destination-ready/mailboxes?state=attention`,
    cookies: auth.cookies,
  });
  assert.deepEqual(
    waiting.json<{ items: Array<{ sourceUser: string }> }>().items.map((m) => m.sourceUser),
    ['u1', 'u5'],
  );
  const dns = await app.inject({
    method: 'GET',
    url: `/api/projects/${id}/tracker/dns/mailboxes`,
    cookies: auth.cookies,
  });
  assert.equal(dns.statusCode, 200, dns.body);
  assert.equal(dns.json<{ total: number }>().total, 0);
  const bad = await app.inject({
    method: 'GET',
    url: `/api/projects/${id}/tracker/coffee/mailboxes`,
    cookies: auth.cookies,
  });
  assert.equal(bad.statusCode, 400);
  assert.equal((await app.inject({ method: 'GET', url: `/api/projects/${id}/tracker` })).statusCode, 401);
  assert.equal(
    (await app.inject({ method: 'GET', url: '/api/projects/999/tracker', cookies: auth.cookies })).statusCode,
    404,
  );
});

test('tracker at 25,000 mailboxes: every mailbox counted once in every tracked stage', async (t) => {
  const app = await server();
  t.after(() => app.close());
  const auth = await loggedIn(app);
  const p = await app.inject({ method: 'POST', url: '/api/projects', ...auth, payload: projectBody('big') });
  const id = p.json<{ id: number }>().id;
  const csv = ['source', ...Array.from({ length: 25_000 }, (_, i) => `user${i}`)].join('\n');
  await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/mailboxes/import/commit`,
    ...auth,
    payload: { csv },
  });
  const tr = (
    await app.inject({ method: 'GET', url: `/api/projects/${id}/tracker`, cookies: auth.cookies })
  ).json<TrackerBody>();
  for (const s of tr.stages.filter((x) => x.tracked)) {
    const c = s.counts!;
    assert.equal(c.done + c.running + c.attention + c.waiting, 25_000, s.key);
  }
  const page = await app.inject({
    method: 'GET',
    url: `/api/projects/${id}/tracker/initial-sync/mailboxes?offset=24990&limit=50`,
    cookies: auth.cookies,
  });
  assert.equal(page.json<{ items: unknown[]; total: number }>().items.length, 10);
});
