/**
 * Runs over the API against real Dovecot servers: start, live events over SSE, pause mid-run and resume
 * with nothing lost and nothing twice, bulk retry, status; and auth on every run route.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import { listAll, seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { loggedIn, server } from './helpers.js';

let src: DovecotServer;
let dst: DovecotServer;
let app: FastifyInstance;
let auth: Awaited<ReturnType<typeof loggedIn>>;
let base: string;
const master = { user: 'admin', password: 'master-secret' };
const users = ['ann', 'ben', 'big', 'cy'].map((u) => ({ user: u, password: `pw-${u}` }));

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
  await seedMessages(
    src,
    'ben',
    'pw-ben',
    'INBOX',
    [1, 2].map((i) => ({ raw: makeMessage({ subject: `ben ${i}` }) })),
  );
  await seedMessages(
    src,
    'big',
    'pw-big',
    'INBOX',
    Array.from({ length: 400 }, (_, i) => ({ raw: makeMessage({ subject: `big ${i}`, sizeBytes: 20_000 }) })),
  );
  app = await server();
  auth = await loggedIn(app);
  base = await app.listen({ port: 0, host: '127.0.0.1' });
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

async function project(
  name: string,
  mailboxes: string[],
  extra: Record<string, unknown> = {},
): Promise<number> {
  const r = await app.inject({
    method: 'POST',
    url: '/api/projects',
    ...auth,
    payload: {
      name,
      source: side(src),
      destination: side(dst),
      concurrency: { mailboxes: 2, foldersPerMailbox: 1 },
      ...extra,
    },
  });
  assert.equal(r.statusCode, 201, r.body);
  const id = r.json<{ id: number }>().id;
  for (const u of mailboxes) {
    const m = await app.inject({
      method: 'POST',
      url: `/api/projects/${id}/mailboxes`,
      ...auth,
      payload: { sourceUser: u },
    });
    assert.equal(m.statusCode, 201, m.body);
  }
  return id;
}

type Sse = {
  events: Array<{ type: string; data: unknown }>;
  close: () => void;
  next: (type: string) => Promise<unknown>;
};

/** Subscribe to a project's events over a real HTTP connection. */
function subscribe(id: number): Promise<Sse> {
  return new Promise((resolve, reject) => {
    const events: Sse['events'] = [];
    const waiters: Array<{ type: string; seen: number; resolve: (d: unknown) => void }> = [];
    const req = http.get(
      `${base}/api/projects/${id}/events`,
      { headers: { cookie: `cutover_session=${auth.cookies.cutover_session}` } },
      (res) => {
        assert.equal(res.statusCode, 200);
        assert.match(String(res.headers['content-type']), /text\/event-stream/);
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buf += chunk;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            const type = /^event: (.+)$/m.exec(block)?.[1];
            const data = /^data: (.+)$/m.exec(block)?.[1];
            if (!type || !data) continue;
            events.push({ type, data: JSON.parse(data) });
            for (const w of [...waiters])
              if (w.type === type && events.filter((e) => e.type === type).length > w.seen) {
                waiters.splice(waiters.indexOf(w), 1);
                w.resolve(events.filter((e) => e.type === type).at(-1)!.data);
              }
          }
        });
        resolve({
          events,
          close: () => req.destroy(),
          next: (type) =>
            new Promise((res2) =>
              waiters.push({ type, seen: events.filter((e) => e.type === type).length, resolve: res2 }),
            ),
        });
      },
    );
    req.on('error', reject);
  });
}

const count = async (user: string) =>
  (await listAll(dst, user, `pw-${user}`)).reduce((n, f) => n + f.messages.length, 0);
const subjects = async (user: string) =>
  (await listAll(dst, user, `pw-${user}`)).flatMap((f) => f.messages.map((m) => m.sha256));

test('run routes: 401 without a session, 403 without CSRF, 404 for no project', async () => {
  for (const [method, url] of [
    ['GET', '/api/projects/1/run'],
    ['POST', '/api/projects/1/run/start'],
    ['POST', '/api/projects/1/run/pause'],
    ['POST', '/api/projects/1/run/resume'],
    ['GET', '/api/projects/1/events'],
  ] as const) {
    assert.equal((await app.inject({ method, url })).statusCode, 401, url);
    if (method === 'POST')
      assert.equal(
        (await app.inject({ method, url, cookies: auth.cookies, payload: {} })).statusCode,
        403,
        url,
      );
  }
  assert.equal(
    (await app.inject({ method: 'GET', url: '/api/projects/999/run', cookies: auth.cookies })).statusCode,
    404,
  );
  const bad = await app.inject({
    method: 'POST',
    url: '/api/projects/999/run/start',
    ...auth,
    payload: { ids: [] },
  });
  assert.equal(bad.statusCode, 400);
});

test('start a pass: SSE shows start, progress, throughput and finish; every message arrives once', async () => {
  const id = await project('small', ['ann', 'ben']);
  const sse = await subscribe(id);
  try {
    const finished = sse.next('run-finished');
    const start = await app.inject({
      method: 'POST',
      url: `/api/projects/${id}/run/start`,
      ...auth,
      payload: {},
    });
    assert.equal(start.statusCode, 202, start.body);
    assert.equal(start.json<{ state: string }>().state, 'running');
    const again = await app.inject({
      method: 'POST',
      url: `/api/projects/${id}/run/start`,
      ...auth,
      payload: {},
    });
    assert.equal(again.statusCode, 409, 'one pass per project at a time');
    assert.deepEqual(await finished, {
      projectId: id,
      at: ((await finished) as { at: string }).at,
      done: 2,
      failed: 0,
      stopped: 0,
    });
    const types = new Set(sse.events.map((e) => e.type));
    for (const t of ['snapshot', 'run-started', 'progress', 'run-finished']) assert.ok(types.has(t), t);
    const progress = sse.events
      .filter((e) => e.type === 'progress')
      .flatMap(
        (e) => (e.data as { mailboxes: Array<{ label: string; done: number; planned: number }> }).mailboxes,
      );
    const ann = progress.filter((m) => m.label === 'ann').at(-1)!;
    assert.deepEqual([ann.done, ann.planned], [3, 3]);
  } finally {
    sse.close();
  }
  assert.equal(await count('ann'), 3);
  assert.equal(await count('ben'), 2);
  const status = (
    await app.inject({ method: 'GET', url: `/api/projects/${id}/run`, cookies: auth.cookies })
  ).json<{ state: string; outcome: unknown }>();
  assert.equal(status.state, 'idle');
  assert.deepEqual(status.outcome, { done: 2, failed: 0, stopped: 0 });
  // A second pass copies nothing new.
  await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/run/start`,
    ...auth,
    payload: { filter: { search: 'ann' } },
  });
  await waitIdle(id);
  assert.equal(await count('ann'), 3);
});

async function waitIdle(
  id: number,
): Promise<{ state: string; outcome: { done: number; stopped: number } | null }> {
  for (;;) {
    const s = (
      await app.inject({ method: 'GET', url: `/api/projects/${id}/run`, cookies: auth.cookies })
    ).json<{
      state: string;
      outcome: { done: number; stopped: number } | null;
    }>();
    if (s.state === 'idle' || s.state === 'paused') return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('pause stops a busy pass promptly; resume finishes it with nothing lost and nothing twice', async () => {
  // Capped at 100 messages/s, the 400 messages take seconds: the pause lands mid-pass.
  const id = await project('big', ['big'], { limits: { messagesPerSecond: 100 } });
  const sse = await subscribe(id);
  try {
    const progressed = sse.next('progress');
    await app.inject({ method: 'POST', url: `/api/projects/${id}/run/start`, ...auth, payload: {} });
    await progressed;
    // Nothing is deleted under a running pass.
    const delProject = await app.inject({ method: 'DELETE', url: `/api/projects/${id}`, ...auth });
    assert.equal(delProject.statusCode, 409);
    const [mb] = (
      await app.inject({ method: 'GET', url: `/api/projects/${id}/mailboxes`, cookies: auth.cookies })
    ).json<{ items: Array<{ id: number }> }>().items;
    assert.equal(
      (await app.inject({ method: 'DELETE', url: `/api/mailboxes/${mb!.id}`, ...auth })).statusCode,
      409,
    );
    const paused = await app.inject({ method: 'POST', url: `/api/projects/${id}/run/pause`, ...auth });
    assert.equal(paused.statusCode, 200);
    assert.match(paused.json<{ state: string }>().state, /pausing|paused/);
    const s = await waitIdle(id);
    assert.equal(s.state, 'paused');
    const partial = await count('big');
    assert.ok(partial < 400, `paused before the end (${partial} of 400 copied)`);
    const resumed = await app.inject({ method: 'POST', url: `/api/projects/${id}/run/resume`, ...auth });
    assert.equal(resumed.statusCode, 200, resumed.body);
    const end = await waitIdle(id);
    assert.equal(end.state, 'idle');
    assert.equal(end.outcome?.done, 1);
  } finally {
    sse.close();
  }
  const hashes = await subjects('big');
  assert.equal(hashes.length, 400);
  assert.equal(new Set(hashes).size, 400, 'no message twice');
});

test('bulk retry-failed runs only the failed mailboxes', async () => {
  const id = await project('bulk', ['cy', 'nobody']);
  await app.inject({ method: 'POST', url: `/api/projects/${id}/run/start`, ...auth, payload: {} });
  const first = await waitIdle(id);
  assert.deepEqual(first.outcome, { done: 1, failed: 1, stopped: 0 });
  const list = (
    await app.inject({
      method: 'GET',
      url: `/api/projects/${id}/mailboxes?status=failed`,
      cookies: auth.cookies,
    })
  ).json<{ items: Array<{ sourceUser: string; lastError: string | null }> }>();
  assert.deepEqual(
    list.items.map((m) => m.sourceUser),
    ['nobody'],
  );
  const retry = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/mailboxes/bulk`,
    ...auth,
    payload: { action: 'retry-failed', filter: {} },
  });
  assert.deepEqual(retry.json(), { action: 'retry-failed', affected: 1 });
  const second = await waitIdle(id);
  assert.deepEqual(second.outcome, { done: 0, failed: 1, stopped: 0 });
});
