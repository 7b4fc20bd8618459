/** Read routes, paging, alert actions, error bodies and the OpenAPI document. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/server/app.js';
import { AlertRepo } from '../../src/store/alert-repo.js';
import { openStore } from '../../src/store/db.js';
import { MailboxRepo } from '../../src/store/mailbox-repo.js';
import { ScanRepo } from '../../src/store/scan-repo.js';
import { tempDataDir } from '../integration/helpers.js';
import { errorBody, loggedIn } from './helpers.js';

/** Every route of the API: [method, url as in OpenAPI, a concrete url]. */
const ROUTES = [
  ['post', '/api/setup', '/api/setup'],
  ['post', '/api/login', '/api/login'],
  ['get', '/api/session', '/api/session'],
  ['post', '/api/logout', '/api/logout'],
  ['get', '/api/mailboxes', '/api/mailboxes'],
  ['get', '/api/mailboxes/{id}', '/api/mailboxes/1'],
  ['get', '/api/alerts', '/api/alerts'],
  ['post', '/api/alerts/{id}/complete', '/api/alerts/1/complete'],
  ['post', '/api/alerts/{id}/archive', '/api/alerts/1/archive'],
  ['get', '/api/scans/latest', '/api/scans/latest'],
] as const;
const PUBLIC = new Set(['/api/setup', '/api/login']);

type OpenApiOp = { operationId?: string; tags?: string[]; responses?: Record<string, unknown> };
type Page<T> = { items: T[]; total: number; offset: number; limit: number };
type Mb = { id: number; sourceUser: string; status: string; sourceBytes: number };

// 'running' rows read back as 'stopped': the server closes passes no live process holds (stale-runs.test.ts).
const STATUSES = ['idle', 'running', 'done', 'failed', 'stopped'];

/** 1,200 mailboxes (user0000…user1199, sizes and statuses varied) and three alerts, seeded through the repos. */
async function seeded(): Promise<{ app: FastifyInstance; mailboxIds: number[]; alertIds: number[] }> {
  const dataDir = tempDataDir();
  const store = await openStore(dataDir);
  const repo = new MailboxRepo(store.db);
  const mailboxIds: number[] = [];
  const alertIds: number[] = [];
  try {
    await store.db.transaction().execute(async (tx) => {
      const r = new MailboxRepo(tx);
      for (let i = 0; i < 1200; i++) {
        const user = `user${String(i).padStart(4, '0')}@old.example`;
        const id = await r.upsert({
          key: `k${i}`,
          sourceUser: user,
          destUser: user.replace('old', 'new'),
          starred: false,
        });
        await r.setSize(id, i, ((i * 7919) % 1200) * 1000);
        if (i % 5) await r.setStatus(id, STATUSES[i % 5]!);
        mailboxIds.push(id);
      }
    });
    assert.equal((await repo.list()).length, 1200);
    const alerts = new AlertRepo(store.db);
    for (const type of ['quota-too-small', 'oversize-items', 'folder-renamed'])
      alertIds.push(await alerts.raise({ mailboxId: mailboxIds[0]!, type, level: 'advisory', text: type }));
  } finally {
    await store.close();
  }
  return { app: await buildServer({ dataDir }), mailboxIds, alertIds };
}

test('every route except setup and login answers 401 without a session', async (t) => {
  const app = await buildServer({ dataDir: tempDataDir() });
  t.after(() => app.close());
  for (const [method, , url] of ROUTES) {
    if (PUBLIC.has(url)) continue;
    const r = await app.inject({ method: method.toUpperCase() as 'GET' | 'POST', url });
    assert.equal(r.statusCode, 401, `${method} ${url}`);
    assert.equal(errorBody(r).code, 'UNAUTHENTICATED');
  }
  // Auth is checked before validation: a bad query without a session is still 401.
  assert.equal((await app.inject({ method: 'GET', url: '/api/mailboxes?limit=9999' })).statusCode, 401);
});

test('OpenAPI lists every route; /api/docs serves the reference', async (t) => {
  const app = await buildServer({ dataDir: tempDataDir() });
  t.after(() => app.close());
  const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
    openapi: string;
    paths: Record<string, Record<string, unknown>>;
  }>();
  assert.match(doc.openapi, /^3\./);
  for (const [method, path] of ROUTES) assert.ok(doc.paths[path]?.[method], `${method} ${path} in OpenAPI`);
  // Every operation is fit for the generated client: a unique operationId, tags, a typed success body.
  const ids = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(ops as Record<string, OpenApiOp>)) {
      const where = `${method} ${path}`;
      assert.ok(op.operationId && !ids.has(op.operationId), `${where}: unique operationId`);
      ids.add(op.operationId);
      assert.ok(op.tags?.length, `${where}: tags`);
      const ok = Object.entries(op.responses ?? {}).find(([code]) => /^[23]/.test(code));
      assert.ok(ok, `${where}: a success response`);
      const content = (ok[1] as { content?: Record<string, { schema?: unknown }> }).content;
      if (ok[0].startsWith('2') && ok[0] !== '204')
        assert.ok(content && Object.values(content).some((c) => c.schema), `${where}: success schema`);
    }
  const docs = await app.inject({ method: 'GET', url: '/api/docs/' });
  assert.equal(docs.statusCode, 200);
  assert.match(docs.body, /swagger/i);
});

test('validation errors and unknown routes use the one error body and say what to send', async (t) => {
  const app = await buildServer({ dataDir: tempDataDir() });
  t.after(() => app.close());
  const { cookies } = await loggedIn(app);
  const cases: Array<[string, RegExp]> = [
    ['/api/mailboxes?limit=501', /querystring\.limit must be <= 500/],
    ['/api/mailboxes?limit=0', /querystring\.limit must be >= 1/],
    ['/api/mailboxes?offset=-1', /querystring\.offset must be >= 0/],
    ['/api/mailboxes?sort=color', /querystring\.sort must be one of name, size, status/],
    ['/api/mailboxes?status=sleeping', /querystring\.status must be one of idle/],
    ['/api/mailboxes?colour=red', /querystring\.colour is not accepted/],
    ['/api/mailboxes/abc', /params\.id must be integer/],
    ['/api/alerts?status=open', /querystring\.status must be one of active, completed, archived/],
  ];
  for (const [url, message] of cases) {
    const r = await app.inject({ method: 'GET', url, cookies });
    assert.equal(r.statusCode, 400, url);
    const b = errorBody(r);
    assert.equal(b.code, 'VALIDATION_FAILED');
    assert.match(b.message, message);
    assert.match(b.hint!, /openapi\.json/);
  }
  const login = await app.inject({ method: 'POST', url: '/api/login', payload: { user: 'admin' } });
  assert.equal(login.statusCode, 400);
  assert.match(errorBody(login).message, /body\.password is required/);
  const missing = await app.inject({ method: 'GET', url: '/api/nothing-here', cookies });
  assert.equal(missing.statusCode, 404);
  assert.equal(errorBody(missing).code, 'NOT_FOUND');
});

test('mailboxes: 1,200 rows paged, sorted, filtered and searched in SQL', async (t) => {
  const { app, mailboxIds } = await seeded();
  t.after(() => app.close());
  const { cookies } = await loggedIn(app);
  const get = async (q: string) => {
    const r = await app.inject({ method: 'GET', url: `/api/mailboxes${q}`, cookies });
    assert.equal(r.statusCode, 200, r.body);
    return r.json<Page<Mb>>();
  };

  const first = await get('');
  assert.equal(first.total, 1200);
  assert.equal(first.offset, 0);
  assert.equal(first.limit, 50);
  assert.equal(first.items.length, 50);
  assert.equal(first.items[0]!.sourceUser, 'user0000@old.example');

  // Walk all pages by name: every mailbox exactly once, in order.
  const seen: string[] = [];
  for (let offset = 0; offset < 1200; offset += 500)
    seen.push(...(await get(`?limit=500&offset=${offset}`)).items.map((m) => m.sourceUser));
  assert.equal(seen.length, 1200);
  assert.deepEqual(seen, [...seen].sort());
  assert.equal(new Set(seen).size, 1200);

  const page = await get('?offset=100&limit=10');
  assert.deepEqual(
    page.items.map((m) => m.id),
    mailboxIds.slice(100, 110),
  );
  assert.equal((await get('?offset=1195&limit=10')).items.length, 5);
  assert.equal((await get('?offset=5000')).items.length, 0);

  const bySize = (await get('?sort=size&order=desc&limit=500')).items.map((m) => m.sourceBytes);
  assert.deepEqual(
    bySize,
    [...bySize].sort((a, b) => b - a),
  );
  assert.equal(bySize[0], 1199 * 1000);
  const byStatus = (await get('?sort=status&limit=500&offset=700')).items.map((m) => m.status);
  assert.deepEqual(byStatus, [...byStatus].sort());

  const failed = await get('?status=failed&limit=500');
  assert.equal(failed.total, 240);
  assert.ok(failed.items.every((m) => m.status === 'failed'));

  const search = await get('?search=user011');
  assert.equal(search.total, 10);
  assert.deepEqual(search.items.map((m) => m.sourceUser).slice(0, 2), [
    'user0110@old.example',
    'user0111@old.example',
  ]);
  assert.equal((await get('?search=new.example')).total, 1200, 'search matches the destination login too');
  assert.equal((await get('?search=%25')).total, 0, 'LIKE wildcards are matched literally');
  assert.equal((await get('?search=user011&status=done')).total, 2);
});

test('mailbox detail is its report; unknown id 404', async (t) => {
  const { app, mailboxIds } = await seeded();
  t.after(() => app.close());
  const { cookies } = await loggedIn(app);
  const r = await app.inject({ method: 'GET', url: `/api/mailboxes/${mailboxIds[42]}`, cookies });
  assert.equal(r.statusCode, 200, r.body);
  const report = r.json<{
    mailbox: string;
    destination: string;
    folders: unknown[];
    reconciles: boolean;
    totals: object;
  }>();
  assert.equal(report.mailbox, 'user0042@old.example');
  assert.equal(report.destination, 'user0042@new.example');
  assert.deepEqual(report.folders, []);
  assert.equal(typeof report.reconciles, 'boolean');
  assert.ok(report.totals);
  const none = await app.inject({ method: 'GET', url: '/api/mailboxes/999999', cookies });
  assert.equal(none.statusCode, 404);
  assert.equal(errorBody(none).code, 'NOT_FOUND');
});

test('alerts: list, complete, archive (with CSRF), filter by status, 404 for unknown', async (t) => {
  const { app, alertIds } = await seeded();
  t.after(() => app.close());
  const { cookies, headers } = await loggedIn(app);
  const list = async (q = '') =>
    (await app.inject({ method: 'GET', url: `/api/alerts${q}`, cookies })).json<
      Page<{ id: number; status: string }>
    >();
  assert.equal((await list()).total, 3);

  const done = await app.inject({
    method: 'POST',
    url: `/api/alerts/${alertIds[0]}/complete`,
    cookies,
    headers,
  });
  assert.equal(done.statusCode, 200, done.body);
  assert.equal(done.json<{ status: string }>().status, 'completed');
  const arch = await app.inject({
    method: 'POST',
    url: `/api/alerts/${alertIds[1]}/archive`,
    cookies,
    headers,
  });
  assert.equal(arch.json<{ status: string }>().status, 'archived');

  assert.deepEqual(
    (await list('?status=active')).items.map((a) => a.id),
    [alertIds[2]],
  );
  assert.equal((await list('?status=completed')).total, 1);
  const paged = await list('?limit=1&offset=1');
  assert.deepEqual([paged.total, paged.items.length, paged.items[0]!.id], [3, 1, alertIds[1]]);

  const unknown = await app.inject({ method: 'POST', url: '/api/alerts/9999/complete', cookies, headers });
  assert.equal(unknown.statusCode, 404);
  assert.equal(errorBody(unknown).code, 'NOT_FOUND');
});

test('latest scan: 404 with a hint before any scan', async (t) => {
  const app = await buildServer({ dataDir: tempDataDir() });
  t.after(() => app.close());
  const { cookies } = await loggedIn(app);
  const r = await app.inject({ method: 'GET', url: '/api/scans/latest', cookies });
  assert.equal(r.statusCode, 404);
  assert.match(errorBody(r).hint!, /cutover scan/);
});

test('latest scan: the newest scan per mailbox, folders included', async (t) => {
  const dataDir = tempDataDir();
  const store = await openStore(dataDir);
  try {
    const id = await new MailboxRepo(store.db).upsert({
      key: 'k',
      sourceUser: 'ann',
      destUser: 'ann@new',
      starred: false,
    });
    const scans = new ScanRepo(store.db);
    await scans.finish(await scans.start(null), 'done');
    const scanId = await scans.start(null);
    await scans.saveMailbox(
      scanId,
      {
        mailboxId: id,
        status: 'done',
        error: null,
        destError: null,
        quotaUsed: 10,
        quotaLimit: 1e6,
        appendLimit: null,
        duplicateIds: 0,
        finishedAt: null,
      },
      [
        {
          mailboxId: id,
          folderKey: '["INBOX"]',
          destPath: '["INBOX"]',
          depth: 1,
          messages: 3,
          bytes: 300,
          oldest: null,
          newest: null,
          oversize: 0,
          noMessageId: 0,
          duplicateIds: 0,
          nameProblem: null,
          excluded: null,
        },
      ],
    );
    await scans.finish(scanId, 'done');
  } finally {
    await store.close();
  }
  const app = await buildServer({ dataDir });
  t.after(() => app.close());
  const { cookies } = await loggedIn(app);
  const r = await app.inject({ method: 'GET', url: '/api/scans/latest', cookies });
  assert.equal(r.statusCode, 200, r.body);
  const view = r.json<{
    scanId: number;
    status: string;
    mailboxes: Array<{ mailbox: string; messages: number; folderRows: Array<{ folder: string }> }>;
  }>();
  assert.equal(view.status, 'done');
  assert.equal(view.mailboxes[0]!.mailbox, 'ann');
  assert.equal(view.mailboxes[0]!.messages, 3);
  assert.equal(view.mailboxes[0]!.folderRows[0]!.folder, 'INBOX');
});
