/** Throttling edits reach a running pass; live events are coalesced however busy the engine is. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { concurrencyAt, type PlanConfig } from '../../src/config/plan.js';
import { openSecretBox } from '../../src/security/secret-key.js';
import { ProjectService } from '../../src/services/project-service.js';
import { RunEvents, type RunEvent } from '../../src/services/run-events.js';
import { RunService, type Runner } from '../../src/services/run-service.js';
import { openStore } from '../../src/store/db.js';
import { ProjectMailboxRepo } from '../../src/store/project-mailbox-repo.js';
import { ProjectRepo } from '../../src/store/project-repo.js';
import { tempDataDir } from '../integration/helpers.js';
import { projectBody } from './helpers.js';

test('a window edited while a pass runs changes the concurrency the pool sees', async (t) => {
  const dataDir = tempDataDir();
  const store = await openStore(dataDir);
  t.after(() => store.close());
  const members = new ProjectMailboxRepo(store.db);
  const projects = new ProjectService({
    projects: new ProjectRepo(store.db),
    box: openSecretBox(dataDir),
    members,
  });
  const p = await projects.create(projectBody('sched') as Parameters<ProjectService['create']>[0]);
  await members.insert(p.id, { key: 'k1', sourceUser: 'a', destUser: 'a', starred: false, options: {} });
  let plan: PlanConfig | undefined;
  let finish!: () => void;
  const runner: Runner = async (_store, project) => {
    plan = project.plan;
    await new Promise<void>((r) => (finish = r));
    return [];
  };
  const runs = new RunService({ store, projects, members, runner });
  // Two starts at the same moment: one pass.
  const both = await Promise.allSettled([runs.start(p.id), runs.start(p.id)]);
  assert.deepEqual(
    both.map((r) => r.status),
    ['fulfilled', 'rejected'],
  );
  assert.match(String((both[1] as PromiseRejectedResult).reason), /already running/);
  const now = new Date();
  assert.equal(concurrencyAt(now, plan!, 99), 4, 'no windows: the project concurrency');
  await projects.update(p.id, {
    windows: [{ days: [0, 1, 2, 3, 4, 5, 6], from: '00:00', to: '24:00', concurrency: 0 }],
  });
  await runs.reschedule(p.id);
  assert.equal(concurrencyAt(now, plan!, 99), 0, 'the new window holds back new mailboxes');
  await projects.update(p.id, { windows: [], concurrency: { mailboxes: 7, foldersPerMailbox: 1 } });
  await runs.reschedule(p.id);
  assert.equal(concurrencyAt(now, plan!, 99), 7);
  finish();
  await runs.settled(p.id);
  assert.equal((await runs.status(p.id)).state, 'idle');
});

test('a busy run sends at most one progress batch per interval', async () => {
  const hub = new RunEvents(50);
  const got: RunEvent[] = [];
  const off = hub.subscribe((e) => got.push(e));
  hub.begin();
  hub.planned(1, 'ann', 100_000);
  const started = Date.now();
  let calls = 0;
  while (Date.now() - started < 300) {
    for (let i = 0; i < 1000; i++) hub.advanced(1, 1, 10);
    calls += 1000;
    await sleep(1);
  }
  hub.note(1, 'warn', '"INBOX": throttled by the server, waiting 30 s.');
  hub.end();
  off();
  const progress = got.filter((e) => e.type === 'progress');
  const elapsed = Date.now() - started;
  assert.ok(
    progress.length <= Math.ceil(elapsed / 50) + 1,
    `${progress.length} batches for ${calls} updates`,
  );
  assert.ok(progress.length >= 1);
  const last = progress.at(-1)!.data as { mailboxes: Array<{ done: number; throttledUntil: string | null }> };
  assert.equal(last.mailboxes[0]!.done, calls, 'every update is counted');
  assert.ok(last.mailboxes[0]!.throttledUntil, 'throttled now');
  assert.deepEqual(hub.throttledNow(), [1]);
  const samples = hub.samples();
  assert.ok(samples.length >= 1);
  assert.ok(samples.some((s) => s.messagesPerSecond > 0));
});
