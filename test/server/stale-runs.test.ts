/** A server start marks passes left running by a killed process as interrupted — unless another process is migrating. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { openStore } from '../../src/store/db.js';
import { MailboxRepo } from '../../src/store/mailbox-repo.js';
import { tempDataDir } from '../integration/helpers.js';
import { errorBody, loggedIn, server } from './helpers.js';

async function leftRunning(dataDir: string): Promise<number> {
  const store = await openStore(dataDir);
  const repo = new MailboxRepo(store.db);
  const id = await repo.upsert({ key: 'k', sourceUser: 'ann', destUser: 'ann', starred: false });
  await repo.startPass(id, false);
  await repo.setStatus(id, 'running');
  await store.close();
  return id;
}

async function state(dataDir: string, id: number): Promise<[string, string]> {
  const store = await openStore(dataDir);
  const repo = new MailboxRepo(store.db);
  const r: [string, string] = [(await repo.get(id))!.status, (await repo.passes(id))[0]!.status];
  await store.close();
  return r;
}

test('stale passes are closed at start when no other process migrates', async () => {
  const dataDir = tempDataDir();
  const id = await leftRunning(dataDir);
  await (await server({ dataDir })).close();
  assert.deepEqual(await state(dataDir, id), ['stopped', 'interrupted']);
  assert.ok(!fs.existsSync(path.join(dataDir, 'cutover.lock')), 'the run lock is released');
});

test('passes of a process that holds the run lock are left alone', async () => {
  const dataDir = tempDataDir();
  const id = await leftRunning(dataDir);
  // A live process (our parent) holds the lock, as a running `cutover migrate` would.
  fs.writeFileSync(path.join(dataDir, 'cutover.lock'), String(process.ppid));
  await (await server({ dataDir })).close();
  assert.deepEqual(await state(dataDir, id), ['running', 'running']);
});

test('a pass is refused (409) while another process migrates with this data directory', async (t) => {
  const dataDir = tempDataDir();
  const app = await server({ dataDir });
  t.after(() => app.close());
  const auth = await loggedIn(app);
  // A server that accepts and never answers: the pass stays under way until paused.
  const silent = net.createServer(() => undefined);
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  t.after(() => silent.close());
  const port = (silent.address() as net.AddressInfo).port;
  const silentSide = {
    kind: 'imap',
    host: '127.0.0.1',
    port,
    tls: 'none',
    admin: { user: 'm', mode: 'master', password: 'pw' },
  };
  const p = await app.inject({
    method: 'POST',
    url: '/api/projects',
    ...auth,
    payload: { name: 'locked', source: silentSide, destination: silentSide },
  });
  const id = p.json<{ id: number }>().id;
  await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/mailboxes`,
    ...auth,
    payload: { sourceUser: 'ann' },
  });
  const lock = path.join(dataDir, 'cutover.lock');
  fs.writeFileSync(lock, String(process.ppid));
  const busy = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/run/start`,
    ...auth,
    payload: {},
  });
  assert.equal(busy.statusCode, 409);
  assert.match(errorBody(busy).message, /Another Cutover process/);
  fs.rmSync(lock);
  const started = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/run/start`,
    ...auth,
    payload: {},
  });
  assert.equal(started.statusCode, 202, 'the failed attempt left nothing behind');
  assert.equal(
    fs.readFileSync(lock, 'utf8'),
    String(process.pid),
    'this server holds the run lock during the pass',
  );
  await app.inject({ method: 'POST', url: `/api/projects/${id}/run/pause`, ...auth });
  for (;;) {
    const s = await app.inject({ method: 'GET', url: `/api/projects/${id}/run`, cookies: auth.cookies });
    if (s.json<{ state: string }>().state === 'paused') break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(!fs.existsSync(lock), 'the run lock is released after the pass');
});
