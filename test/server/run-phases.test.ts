/**
 * Runs started over the API can name a phase of the stored plan: a pre-stage pass copies only the old
 * items, a later full pass the rest, nothing twice; a catch-up after its days is refused; bad input is 400.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { listAll, seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { errorBody, loggedIn, server } from './helpers.js';

let src: DovecotServer;
let dst: DovecotServer;
let app: FastifyInstance;
let auth: Awaited<ReturnType<typeof loggedIn>>;
const master = { user: 'admin', password: 'master-secret' };
const users = ['ann', 'ben'].map((u) => ({ user: u, password: `pw-${u}` }));
const DAY = 24 * 3600 * 1000;

before(async () => {
  [src, dst] = await Promise.all([
    startDovecot({ users, masterUser: master }),
    startDovecot({ users, masterUser: master }),
  ]);
  const ago = (days: number) => new Date(Date.now() - days * DAY);
  await seedMessages(src, 'ann', 'pw-ann', 'INBOX', [
    { raw: makeMessage({ subject: 'old 1' }), internalDate: ago(400) },
    { raw: makeMessage({ subject: 'old 2' }), internalDate: ago(100) },
    { raw: makeMessage({ subject: 'new 1' }), internalDate: ago(2) },
  ]);
  app = await server();
  auth = await loggedIn(app);
});
after(async () => {
  await app?.close();
  await Promise.all([src?.stop(), dst?.stop()]);
});

const side = (s: DovecotServer) => ({
  kind: 'imap',
  host: '127.0.0.1',
  port: s.imapPort,
  tls: 'none',
  admin: { user: master.user, mode: 'master', password: master.password },
});

async function project(name: string, user: string, plan: Record<string, unknown>): Promise<number> {
  const r = await app.inject({
    method: 'POST',
    url: '/api/projects',
    ...auth,
    payload: { name, source: side(src), destination: side(dst), plan },
  });
  assert.equal(r.statusCode, 201, r.body);
  const id = r.json<{ id: number }>().id;
  const m = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/mailboxes`,
    ...auth,
    payload: { sourceUser: user },
  });
  assert.equal(m.statusCode, 201, m.body);
  return id;
}

async function pass(id: number, phase?: string): Promise<{ phase: string | null }> {
  const r = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/run/start`,
    ...auth,
    payload: phase ? { phase } : {},
  });
  assert.equal(r.statusCode, 202, r.body);
  for (;;) {
    const s = await app.inject({ method: 'GET', url: `/api/projects/${id}/run`, cookies: auth.cookies });
    const status = s.json<{ state: string; phase: string | null; error: string | null }>();
    if (status.state === 'idle') {
      assert.equal(status.error, null);
      return status;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Age in days of each message at the destination (the source's are 400, 100 and 2). */
const ages = async () =>
  (await listAll(dst, 'ann', 'pw-ann'))
    .flatMap((f) => f.messages.map((m) => Math.round((Date.now() - m.internalDate.getTime()) / DAY)))
    .sort((a, b) => a - b);

test('a pre-stage pass copies the items older than the plan says; a full pass the rest, nothing twice', async () => {
  const id = await project('phased', 'ann', { prestageOlderThanDays: 30 });
  assert.equal((await pass(id, 'prestage')).phase, 'prestage');
  assert.deepEqual(await ages(), [100, 400]);
  assert.equal((await pass(id)).phase, null);
  assert.deepEqual(await ages(), [2, 100, 400]);
});

test('a catch-up after its days is refused in the plan words; an unknown phase is a 400; auth first', async () => {
  const id = await project('late', 'ben', { cutover: '2020-01-01T00:00', catchUpDays: 7 });
  const late = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/run/start`,
    ...auth,
    payload: { phase: 'catchup' },
  });
  assert.equal(late.statusCode, 409, late.body);
  assert.match(errorBody(late).message, /catch-up period ended/);
  assert.ok(errorBody(late).hint);
  // Refused before anything started: the project is idle and a normal start works.
  const s = await app.inject({ method: 'GET', url: `/api/projects/${id}/run`, cookies: auth.cookies });
  assert.equal(s.json<{ state: string }>().state, 'idle');
  const bad = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/run/start`,
    ...auth,
    payload: { phase: 'someday' },
  });
  assert.equal(bad.statusCode, 400);
  assert.match(errorBody(bad).message, /body\.phase/);
  const noCsrf = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/run/start`,
    cookies: auth.cookies,
    payload: { phase: 'delta' },
  });
  assert.equal(noCsrf.statusCode, 403);
  const noSession = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/run/start`,
    payload: { phase: 'delta' },
  });
  assert.equal(noSession.statusCode, 401);
});
