/** Reports over the API after a real pass against Dovecot: CSV, JSON, printable HTML; per project and mailbox. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { errorBody, loggedIn, server } from './helpers.js';

let src: DovecotServer;
let dst: DovecotServer;
let app: FastifyInstance;
let auth: Awaited<ReturnType<typeof loggedIn>>;
let projectId: number;
const ids = new Map<string, number>();
const master = { user: 'admin', password: 'master-secret' };
const users = ['ann', 'ben'].map((u) => ({ user: u, password: `pw-${u}` }));

before(async () => {
  [src, dst] = await Promise.all([
    startDovecot({ users, masterUser: master }),
    startDovecot({ users, masterUser: master }),
  ]);
  await seedMessages(
    src,
    'ann',
    'pw-ann',
    'INBOX',
    [1, 2].map((i) => ({ raw: makeMessage({ subject: `a${i}` }) })),
  );
  await seedMessages(src, 'ann', 'pw-ann', '=SUM(1)', [{ raw: makeMessage({ subject: 'formula folder' }) }]);
  await seedMessages(src, 'ben', 'pw-ben', 'INBOX', [{ raw: makeMessage({ subject: 'b' }) }]);
  app = await server();
  auth = await loggedIn(app);
  const side = (s: DovecotServer) => ({
    kind: 'imap',
    host: '127.0.0.1',
    port: s.imapPort,
    tls: 'none',
    admin: { ...master, mode: 'master' },
  });
  const p = await app.inject({
    method: 'POST',
    url: '/api/projects',
    ...auth,
    payload: { name: 'Acme move', source: side(src), destination: side(dst) },
  });
  projectId = p.json<{ id: number }>().id;
  for (const u of ['ann', 'ben']) {
    const m = await app.inject({
      method: 'POST',
      url: `/api/projects/${projectId}/mailboxes`,
      ...auth,
      payload: { sourceUser: u },
    });
    ids.set(u, m.json<{ id: number }>().id);
  }
  await app.inject({ method: 'POST', url: `/api/projects/${projectId}/run/start`, ...auth, payload: {} });
  for (;;) {
    const s = await app.inject({
      method: 'GET',
      url: `/api/projects/${projectId}/run`,
      cookies: auth.cookies,
    });
    if (s.json<{ state: string }>().state === 'idle') break;
    await new Promise((r) => setTimeout(r, 100));
  }
});
after(async () => {
  await app?.close();
  await Promise.all([src?.stop(), dst?.stop()]);
});

const get = (url: string) => app.inject({ method: 'GET', url, cookies: auth.cookies });

test('project report as CSV: one row per folder, formula-looking names neutralised, a file to download', async () => {
  const r = await get(`/api/projects/${projectId}/report?format=csv`);
  assert.equal(r.statusCode, 200);
  assert.match(String(r.headers['content-type']), /text\/csv/);
  assert.match(String(r.headers['content-disposition']), /attachment; filename="report-Acme_move.csv"/);
  const lines = r.body.trim().split('\r\n');
  assert.equal(
    lines[0],
    'mailbox,destination,folder,dest_folder,source_items,copied,already_present,skipped,failed,pending,renamed,excluded,error,reconcile,verified_at',
  );
  const rows = lines.slice(1).map((l) => l.split(','));
  assert.deepEqual(rows.map((c) => [c[0], c[2], c[4], c[5]]).sort(), [
    ['ann', "'=SUM(1)", '1', '1'],
    ['ann', 'INBOX', '2', '2'],
    ['ben', 'INBOX', '1', '1'],
  ]);
});

test('the report says "ledger only" until POST /verify reads the destinations back; then the mailbox\'s last verification matches', async () => {
  const before = (await get(`/api/projects/${projectId}/report?format=json`)).json<{
    reconciles: boolean;
    mailboxes: Array<{ reconcile: string; accounted: boolean; verification: unknown }>;
  }>();
  assert.equal(before.reconciles, false);
  assert.deepEqual(
    before.mailboxes.map((m) => [m.reconcile, m.accounted, m.verification]),
    [
      ['ledger-only', true, null],
      ['ledger-only', true, null],
    ],
  );
  const never = await get(`/api/mailboxes/${ids.get('ben')!}/verification`);
  assert.deepEqual(never.json(), { verification: null, running: false });

  const start = await app.inject({
    method: 'POST',
    url: `/api/projects/${projectId}/verify`,
    ...auth,
    payload: { deep: true },
  });
  assert.equal(start.statusCode, 202, start.body);
  assert.equal(start.json<{ state: string }>().state, 'running');
  // A pass cannot start while the destination is being verified.
  const clash = await app.inject({
    method: 'POST',
    url: `/api/projects/${projectId}/run/start`,
    ...auth,
    payload: {},
  });
  assert.equal(clash.statusCode, 409);
  for (;;) {
    const s = (await get(`/api/projects/${projectId}/verify`)).json<{
      state: string;
      outcome: unknown;
    }>();
    if (s.state === 'idle') {
      assert.deepEqual(s.outcome, { matches: 2, differs: 0, failed: 0 });
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const last = (await get(`/api/mailboxes/${ids.get('ann')!}/verification`)).json<{
    verification: { result: string; mode: string; checked: number; folders: Array<{ source: string }> };
  }>();
  assert.equal(last.verification.result, 'matches');
  assert.equal(last.verification.mode, 'deep');
  assert.equal(last.verification.checked, 3);
  assert.deepEqual(last.verification.folders.map((f) => f.source).sort(), ['=SUM(1)', 'INBOX']);
  assert.equal((await get('/api/mailboxes/9999/verification')).statusCode, 404);
  const tracker = (await get(`/api/projects/${projectId}/tracker`)).json<{
    stages: Array<{ key: string; verification?: { matches: number; notVerified: number } }>;
  }>();
  const final = tracker.stages.find((x) => x.key === 'final-sync')!;
  assert.deepEqual([final.verification?.matches, final.verification?.notVerified], [2, 0]);
});

test('project report as JSON reconciles; as HTML it is the printable page', async () => {
  const j = await get(`/api/projects/${projectId}/report?format=json`);
  assert.equal(j.statusCode, 200);
  const body = j.json<{
    project: string;
    reconciles: boolean;
    mailboxes: Array<{ mailbox: string; totals: { copied: number } }>;
  }>();
  assert.equal(body.project, 'Acme move');
  assert.equal(body.reconciles, true);
  assert.deepEqual(
    body.mailboxes.map((m) => [m.mailbox, m.totals.copied]),
    [
      ['ann', 3],
      ['ben', 1],
    ],
  );
  const h = await get(`/api/projects/${projectId}/report?format=html`);
  assert.match(String(h.headers['content-type']), /text\/html/);
  assert.match(String(h.headers['content-disposition']), /^inline/);
  assert.match(h.body, /^<!DOCTYPE html>/);
  assert.match(h.body, /Acme move/);
  assert.match(h.body, /=SUM\(1\)/);
});

test('mailbox report in each format; 404, 400 and 401', async () => {
  const ann = ids.get('ann')!;
  const csv = await get(`/api/mailboxes/${ann}/report?format=csv`);
  assert.equal(csv.body.trim().split('\r\n').length, 3);
  const json = await get(`/api/mailboxes/${ann}/report?format=json`);
  assert.equal(json.json<{ mailbox: string; reconciles: boolean }>().reconciles, true);
  assert.match((await get(`/api/mailboxes/${ann}/report?format=html`)).body, /<bdi>ann<\/bdi>/);
  assert.equal((await get('/api/mailboxes/9999/report')).statusCode, 404);
  assert.equal((await get('/api/projects/9999/report')).statusCode, 404);
  const bad = await get(`/api/projects/${projectId}/report?format=pdf`);
  assert.equal(bad.statusCode, 400);
  assert.match(errorBody(bad).message, /must be one of csv, json, html/);
  assert.equal(
    (await app.inject({ method: 'GET', url: `/api/projects/${projectId}/report` })).statusCode,
    401,
  );
});
