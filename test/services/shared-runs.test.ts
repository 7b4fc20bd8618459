/**
 * A pass kept in the store, run by workers that know only the run's id: two in-process "workers" (each a
 * queue with its own SharedRuns) share one run of a stored project against a real Dovecot pair. The window
 * holds over both, every message arrives once, a pause reaches both, and a second pass copies nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentProgress } from '../../src/engine/progress.js';
import { mailboxPassHandler } from '../../src/runner/handlers/mailbox-pass.js';
import { LocalQueue } from '../../src/runner/local/local-queue.js';
import { openSecretBox } from '../../src/security/secret-key.js';
import { ProjectService } from '../../src/services/project-service.js';
import { SharedRuns, cancelRun, enqueueRun, waitForRun } from '../../src/services/shared-runs.js';
import { openStore, type Store } from '../../src/store/db.js';
import { ProjectMailboxRepo } from '../../src/store/project-mailbox-repo.js';
import { ProjectRepo } from '../../src/store/project-repo.js';
import { RunRepo } from '../../src/store/run-repo.js';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { snapshot, tempDataDir } from '../integration/helpers.js';

const users = ['ann', 'bob', 'cat'].map((u) => ({ user: u, password: `${u}-pw` }));
const master = { user: 'admin', password: 'master-secret' };
let src: DovecotServer, dst: DovecotServer;

before(async () => {
  [src, dst] = await Promise.all([
    startDovecot({ layout: 'maildir++', users, masterUser: master }),
    startDovecot({ layout: 'fs', users, masterUser: master }),
  ]);
  for (const [i, u] of users.entries())
    await seedMessages(
      src,
      u.user,
      u.password,
      'INBOX',
      Array.from({ length: 20 + i * 5 }, (_, n) => ({
        raw: `Message-ID: <${u.user}-${n}@t>\r\nSubject: ${n}\r\nDate: Mon, 7 Dec 2026 10:00:00 +0000\r\n\r\nbody ${n}\r\n`,
      })),
    );
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

async function project(store: Store, dataDir: string, name: string) {
  const members = new ProjectMailboxRepo(store.db);
  const box = openSecretBox(dataDir);
  const projects = new ProjectService({ projects: new ProjectRepo(store.db), box, members });
  const server = (port: number) => ({
    kind: 'imap',
    host: '127.0.0.1',
    port,
    tls: 'none',
    admin: { user: master.user, mode: 'master', password: master.password },
  });
  const p = await projects.create({
    name,
    source: server(src.imapPort),
    destination: server(dst.imapPort),
    concurrency: { mailboxes: 1, foldersPerMailbox: 1 },
  } as unknown as Parameters<ProjectService['create']>[0]);
  for (const u of users)
    await members.insert(p.id, {
      key: `${name}:${u.user}`,
      sourceUser: u.user,
      destUser: u.user,
      starred: false,
      options: {},
    });
  return { deps: { store, projects, members, box }, id: p.id };
}

/** A worker: a queue whose mailbox-pass handler finds runs through its own SharedRuns. */
function worker(
  deps: Awaited<ReturnType<typeof project>>['deps'],
  name: string,
  seen: Map<number, string[]>,
) {
  const shared = new SharedRuns({
    ...deps,
    worker: name,
    progress: {
      ...silentProgress,
      started: (id) => seen.set(id, [...(seen.get(id) ?? []), name]),
    },
    timing: { heartbeatMs: 200, leaseMs: 2_000, recheckMs: 100 },
  });
  const queue = new LocalQueue();
  queue.work('mailbox-pass', mailboxPassHandler(shared.resolve), { concurrency: 4 });
  return { queue, shared };
}

test('two workers share a stored run: the window holds over both, everything arrives once', async () => {
  const dataDir = tempDataDir();
  const store = await openStore(dataDir);
  const { deps, id } = await project(store, dataDir, 'shared');
  const seen = new Map<number, string[]>();
  const [w1, w2] = [worker(deps, 'w1', seen), worker(deps, 'w2', seen)];
  // Jobs go to w1's queue and w2's by turns, as two processes taking from one queue would.
  let turn = 0;
  const both = {
    enqueue: ((...a: Parameters<LocalQueue['enqueue']>) =>
      (turn++ % 2 ? w2 : w1).queue.enqueue(...a)) as LocalQueue['enqueue'],
  };
  const runs = new RunRepo(store.db, store.dialect);
  let most = 0;
  const watch = setInterval(() => {
    void runs.active(id).then(async ([r]) => {
      if (!r) return;
      const running = (await runs.mailboxes(r.id)).filter((m) => m.state === 'running').length;
      most = Math.max(most, running);
    });
  }, 20);
  const runId = await enqueueRun({ ...deps, queue: both as unknown as LocalQueue }, id);
  const done = await waitForRun(store, runId, { everyMs: 50 });
  clearInterval(watch);
  assert.equal(done.run.state, 'done');
  assert.deepEqual(
    Object.fromEntries(done.mailboxes.map((m) => [m.sourceUser, [m.state, m.counters?.copied]])),
    { ann: ['done', 20], bob: ['done', 25], cat: ['done', 30] },
  );
  assert.ok(most <= 1, `the window of 1 held over both workers (${most} at once)`);
  assert.ok(new Set([...seen.values()].flat()).size === 2, 'both workers ran mailboxes');
  for (const u of users)
    assert.deepEqual(await snapshot(dst, u.user, u.password), await snapshot(src, u.user, u.password));
  // A second pass copies nothing.
  const again = await waitForRun(store, await enqueueRun({ ...deps, queue: w2.queue }, id), { everyMs: 50 });
  assert.deepEqual(
    again.mailboxes.map((m) => m.counters?.copied),
    [0, 0, 0],
  );
  for (const w of [w1, w2]) {
    await w.queue.close();
    await w.shared.close();
  }
  await store.close();
});

test('a pause recorded in the store stops every worker: queued mailboxes stop, running ones at a heartbeat', async () => {
  const dataDir = tempDataDir();
  const store = await openStore(dataDir);
  const { deps, id } = await project(store, dataDir, 'paused');
  const w = worker(deps, 'w1', new Map());
  const runId = await enqueueRun({ ...deps, queue: w.queue }, id, { dryRun: true });
  await cancelRun(store, runId);
  const done = await waitForRun(store, runId, { everyMs: 50 });
  assert.equal(done.run.state, 'cancelled');
  assert.ok(done.run.finishedAt);
  assert.ok(
    done.mailboxes.every((m) => m.state === 'stopped' || m.state === 'done'),
    JSON.stringify(done.mailboxes),
  );
  assert.ok(done.mailboxes.some((m) => m.state === 'stopped'));
  await w.queue.close();
  await w.shared.close();
  await store.close();
});
