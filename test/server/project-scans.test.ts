/**
 * Scans belong to their project: two projects that share a source login (ann on the same Dovecot), each scanned
 * at a different moment, see only their own scan in the list, cannot open the other's, and plan on their own
 * latest figures. The plan's credentials say what each side needs: an admin login on the source does not cover
 * a destination that has none.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { loggedIn, server } from './helpers.js';

let src: DovecotServer;
let dst: DovecotServer;
let app: FastifyInstance;
let auth: Awaited<ReturnType<typeof loggedIn>>;
const master = { user: 'admin', password: 'master-secret' };
const users = ['ann', 'bob'].map((u) => ({ user: u, password: `pw-${u}` }));

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
    [1, 2, 3].map((i) => ({ raw: makeMessage({ subject: `ann ${i}` }) })),
  );
  app = await server();
  auth = await loggedIn(app);
});
after(async () => {
  await app?.close();
  await Promise.all([src?.stop(), dst?.stop()]);
});

const side = (s: DovecotServer, admin: boolean) => ({
  kind: 'imap',
  host: '127.0.0.1',
  port: s.imapPort,
  tls: 'none',
  ...(admin ? { admin: { user: master.user, mode: 'master', password: master.password } } : {}),
});

async function project(
  name: string,
  destAdmin: boolean,
  destUser: string,
  sourceUser = 'ann',
): Promise<number> {
  const r = await app.inject({
    method: 'POST',
    url: '/api/projects',
    ...auth,
    payload: { name, source: side(src, true), destination: side(dst, destAdmin) },
  });
  assert.equal(r.statusCode, 201, r.body);
  const id = r.json<{ id: number }>().id;
  const m = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/mailboxes`,
    ...auth,
    payload: { sourceUser, destUser },
  });
  assert.equal(m.statusCode, 201, m.body);
  return id;
}

/** Start a scan of the project and wait for it to end; its id. */
async function scan(id: number): Promise<number> {
  const s = await app.inject({ method: 'POST', url: `/api/projects/${id}/scans`, ...auth, payload: {} });
  assert.equal(s.statusCode, 202, s.body);
  for (let i = 0; i < 300; i++) {
    const st = await app.inject({
      method: 'GET',
      url: `/api/projects/${id}/scans/status`,
      cookies: auth.cookies,
    });
    const b = st.json<{ state: string; scanId: number | null; error: string | null }>();
    if (b.state === 'idle') {
      assert.equal(b.error, null);
      assert.ok(b.scanId);
      return b.scanId;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the scan did not end');
}

const get = async <T>(url: string): Promise<{ status: number; body: T }> => {
  const r = await app.inject({ method: 'GET', url, cookies: auth.cookies });
  return { status: r.statusCode, body: r.json<T>() };
};

type Row = { mailbox: string; messages: number; credentials: string; destCredentials: string };

test('two projects sharing a source login each see only their own scans and plan on them', async () => {
  const a = await project('Alpha', true, 'ann');
  const b = await project('Beta', false, 'bob');
  const scanA = await scan(a);
  await seedMessages(src, 'ann', 'pw-ann', 'INBOX', [{ raw: makeMessage({ subject: 'ann 4' }) }]);
  const scanB = await scan(b);
  assert.notEqual(scanA, scanB);

  const listA = await get<{ items: Array<{ id: number; items: number }> }>(`/api/projects/${a}/scans`);
  const listB = await get<{ items: Array<{ id: number; items: number }> }>(`/api/projects/${b}/scans`);
  assert.deepEqual(
    listA.body.items.map((s) => [s.id, s.items]),
    [[scanA, 3]],
  );
  assert.deepEqual(
    listB.body.items.map((s) => [s.id, s.items]),
    [[scanB, 4]],
  );

  // The other project's scan is not found, neither alone nor as the one to compare with.
  assert.equal((await get(`/api/projects/${a}/scans/${scanB}`)).status, 404);
  assert.equal((await get(`/api/projects/${b}/scans/${scanA}`)).status, 404);
  assert.equal((await get(`/api/projects/${a}/scans/${scanA}?compare=${scanB}`)).status, 404);
  const own = await get<{
    scanId: number;
    mailboxes: Array<{ mailbox: string; destination: string; itemCounts: unknown[] }>;
  }>(`/api/projects/${b}/scans/${scanB}`);
  assert.deepEqual(
    own.body.mailboxes.map((m) => [m.mailbox, m.destination]),
    [['ann', 'bob']],
  );
  // The answer carries the counts of the other item types (none here: these mailboxes move mail only).
  assert.deepEqual(own.body.mailboxes[0]!.itemCounts, []);

  // Each plan rests on its own latest scan.
  const planA = await get<{ scan: { id: number } | null; messages: number; rows: Row[] }>(
    `/api/projects/${a}/plan`,
  );
  const planB = await get<{ scan: { id: number } | null; messages: number; rows: Row[] }>(
    `/api/projects/${b}/plan`,
  );
  assert.equal(planA.status, 200);
  assert.equal(planA.body.scan?.id, scanA);
  assert.equal(planA.body.rows[0]!.messages, 3);
  assert.equal(planB.body.scan?.id, scanB);
  assert.equal(planB.body.rows[0]!.messages, 4);
});

test("the plan's credentials say what each side needs", async () => {
  const a = await project('Gamma', true, 'bob', 'bob');
  const b = await project('Delta', false, 'ann', 'bob');
  const planA = await get<{ rows: Row[] }>(`/api/projects/${a}/plan`);
  const planB = await get<{ rows: Row[]; warnings: Array<{ text: string }> }>(`/api/projects/${b}/plan`);
  // Gamma has admin logins on both sides; Delta's destination has none, so bob must give his password there.
  assert.deepEqual(
    [planA.body.rows[0]!.credentials, planA.body.rows[0]!.destCredentials],
    ['admin', 'admin'],
  );
  assert.deepEqual(
    [planB.body.rows[0]!.credentials, planB.body.rows[0]!.destCredentials],
    ['admin', 'missing'],
  );
  assert.ok(
    planB.body.warnings.some((w) => /1 mailbox\(es\) have no destination credentials yet/.test(w.text)),
    JSON.stringify(planB.body.warnings),
  );
});
