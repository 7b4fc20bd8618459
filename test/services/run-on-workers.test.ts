/**
 * A pass started from the API goes to the workers while any is working (its mailboxes' starts and ends become
 * live events, a pause cancels it in the store) and runs in this process when none is. The workers are a fake
 * SharedPasses here; test/integration/workers.test.ts runs real worker processes on PostgreSQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSecretBox } from '../../src/security/secret-key.js';
import { ProjectService } from '../../src/services/project-service.js';
import type { RunEvent } from '../../src/services/run-events.js';
import { RunService, type Runner, type SharedPasses } from '../../src/services/run-service.js';
import { openStore } from '../../src/store/db.js';
import { ProjectMailboxRepo } from '../../src/store/project-mailbox-repo.js';
import { ProjectRepo } from '../../src/store/project-repo.js';
import type { RunMailboxRow } from '../../src/store/run-repo.js';
import { tempDataDir } from '../integration/helpers.js';
import { projectBody } from '../server/helpers.js';

async function setUp() {
  const dataDir = tempDataDir();
  const store = await openStore(dataDir);
  const members = new ProjectMailboxRepo(store.db);
  const projects = new ProjectService({
    projects: new ProjectRepo(store.db),
    box: openSecretBox(dataDir),
    members,
  });
  const p = await projects.create(projectBody('w') as Parameters<ProjectService['create']>[0]);
  for (const u of ['a', 'b'])
    await members.insert(p.id, { key: `k-${u}`, sourceUser: u, destUser: u, starred: false, options: {} });
  return { store, members, projects, id: p.id };
}

const row = (mailboxId: number, sourceUser: string, state: RunMailboxRow['state']): RunMailboxRow => ({
  mailboxId,
  sourceUser,
  position: mailboxId,
  state,
  worker: 'w1',
  heartbeatAt: null,
  counters:
    state === 'done'
      ? { copied: 3, present: 0, skipped: 0, failed: 0, flagsSynced: 0, bytes: 9, throttledMs: 0 }
      : null,
  error: null,
});

test('with a worker working, a pass goes to the workers; a pause cancels it there', async () => {
  const { store, members, projects, id } = await setUp();
  const calls: string[] = [];
  let release!: () => void;
  const shared: SharedPasses = {
    workersWorking: async () => true,
    enqueue: async (projectId, selection) => {
      calls.push(`enqueue ${projectId} ${JSON.stringify(selection.ids?.length)}`);
      return 'run-1';
    },
    follow: async (_runId, onProgress) => {
      onProgress([row(1, 'a', 'running'), row(2, 'b', 'queued')]);
      await new Promise<void>((r) => (release = r));
      const end = [row(1, 'a', 'done'), row(2, 'b', 'stopped')];
      onProgress(end);
      return end;
    },
    cancel: async (runId) => {
      calls.push(`cancel ${runId}`);
      release();
    },
  };
  const local: Runner = async () => assert.fail('ran in this process');
  const runs = new RunService({ store, projects, members, shared, runner: local });
  const events: RunEvent[] = [];
  runs.events(id).subscribe((e) => events.push(e));
  await runs.start(id);
  assert.equal((await runs.status(id)).state, 'running');
  await new Promise((r) => setTimeout(r, 20));
  await runs.pause(id);
  await runs.settled(id);
  assert.deepEqual(calls, [`enqueue ${id} 2`, 'cancel run-1']);
  const s = await runs.status(id);
  assert.equal(s.state, 'paused');
  assert.deepEqual(s.outcome, { done: 1, failed: 0, stopped: 1 });
  assert.ok(events.some((e) => e.type === 'run-finished'));
  await store.close();
});

test('with no worker working, the pass runs in this process as before', async () => {
  const { store, members, projects, id } = await setUp();
  let ranHere = 0;
  const shared: SharedPasses = {
    workersWorking: async () => false,
    enqueue: async () => assert.fail('queued for workers'),
    follow: async () => [],
    cancel: async () => undefined,
  };
  const local: Runner = async () => {
    ranHere++;
    return [];
  };
  const runs = new RunService({ store, projects, members, shared, runner: local });
  await runs.start(id);
  await runs.settled(id);
  assert.equal(ranHere, 1);
  await store.close();
});
