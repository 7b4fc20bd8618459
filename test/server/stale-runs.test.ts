/** A server start marks passes left running by a killed process as interrupted — unless another process is migrating. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openStore } from '../../src/store/db.js';
import { MailboxRepo } from '../../src/store/mailbox-repo.js';
import { tempDataDir } from '../integration/helpers.js';
import { server } from './helpers.js';

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
