/**
 * Several `serve` processes on one PostgreSQL store (a real server from test/harness/postgres.ts): each is a
 * RunService over its own store connection (its own pool and LISTEN connection), so what one sees of the
 * other's pass comes only through the database. A pass started by one shows as running in the other, its
 * mailbox events reach the other's hub, a pause there stops it, a second start there is refused (409); a
 * NOTIFY wakes a follower long before its fallback poll; and the project's run lock is shared with the CLI.
 * The engine is a stand-in that holds its mailbox until paused: what is under test is the run's bookkeeping.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, PermanentError } from '../../src/errors.js';
import { openSecretBox } from '../../src/security/secret-key.js';
import { ProjectService } from '../../src/services/project-service.js';
import type { RunEvent } from '../../src/services/run-events.js';
import { RunService, type Runner } from '../../src/services/run-service.js';
import { waitForRun } from '../../src/services/shared-runs.js';
import { StoredRuns } from '../../src/services/stored-runs.js';
import { openStoreAt, type Store } from '../../src/store/db.js';
import type { RunChange } from '../../src/store/store.js';
import { ProjectMailboxRepo } from '../../src/store/project-mailbox-repo.js';
import { ProjectRepo } from '../../src/store/project-repo.js';
import { RunRepo } from '../../src/store/run-repo.js';
import { startPostgres, type PgTestServer } from '../harness/postgres.js';
import { tempDataDir } from '../integration/helpers.js';
import { projectBody } from '../server/helpers.js';

let pg: PgTestServer;
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

/** Long enough that only a NOTIFY can explain a quick reaction. */
const SLOW = { heartbeatMs: 30_000, fallbackMs: 30_000 };

/** One "serve": its own store connection and RunService; the engine holds each mailbox until paused. */
async function serve(url: string, dataDir: string, name: string) {
  const store = await openStoreAt({ databaseUrl: url, dataDir });
  const members = new ProjectMailboxRepo(store.db);
  const projects = new ProjectService({
    projects: new ProjectRepo(store.db),
    box: openSecretBox(dataDir),
    members,
  });
  const runner: Runner = async (_store, project, opts) => {
    const rows = await members.all((await new ProjectRepo(store.db).byName(project.name))!.id);
    const [first] = rows;
    opts.progress.started?.(first!.id, first!.sourceUser);
    await new Promise<void>((r) =>
      opts.signal?.aborted ? r() : opts.signal?.addEventListener('abort', () => r()),
    );
    opts.progress.finished(first!.id, 'stopped');
    return [{ mailboxId: first!.id, label: first!.sourceUser, status: 'stopped' }];
  };
  const stored = new StoredRuns(store, `by serve ${name}`, SLOW);
  const runs = new RunService({ store, projects, members, runner, stored, eventIntervalMs: 50 });
  return { store, members, projects, runs, close: async () => (await runs.close(), await store.close()) };
}

async function twoServers() {
  const url = await pg.createDatabase();
  const dataDir = tempDataDir();
  const a = await serve(url, dataDir, 'A');
  const b = await serve(url, dataDir, 'B');
  const p = await a.projects.create(projectBody('shared') as Parameters<ProjectService['create']>[0]);
  for (const u of ['ann', 'bob'])
    await a.members.insert(p.id, { key: `k-${u}`, sourceUser: u, destUser: u, starred: false, options: {} });
  const ids = (await a.members.all(p.id)).map((m) => m.id);
  return { url, a, b, id: p.id, ids };
}

async function until<T>(
  what: string,
  f: () => Promise<T | undefined> | T | undefined,
  ms = 10_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('a pass one serve runs shows in the other, whose pause stops it and whose start is refused', async () => {
  const { a, b, id, ids } = await twoServers();
  const seen: RunEvent[] = [];
  b.runs.events(id).subscribe((e) => seen.push(e));
  await a.runs.start(id);

  const there = await until('B to see the pass running', async () => {
    const s = await b.runs.status(id);
    return s.state === 'running' ? s : undefined;
  });
  assert.deepEqual([...there.mailboxIds].sort(), [...ids].sort());
  assert.equal(there.startedBy, 'by serve A');
  assert.equal(there.phase, null);
  assert.ok(there.startedAt);

  await assert.rejects(b.runs.start(id), (err: PermanentError) => {
    assert.equal(err.code, ErrorCode.Conflict);
    assert.match(err.message, /already running \(started by serve A at /);
    return true;
  });

  // A's mailbox start reached B's hub as a live event.
  await until('the started mailbox in B', () =>
    seen.some((e) => e.type === 'progress' && e.data.mailboxes.some((m) => m.mailboxId === ids[0])),
  );
  assert.ok(seen.some((e) => e.type === 'run-started'));

  const pausedAt = Date.now();
  await b.runs.pause(id);
  await a.runs.settled(id);
  // A's heartbeat is 30 s: only the NOTIFY of the pause can have stopped it this soon.
  assert.ok(Date.now() - pausedAt < 5_000, `A stopped after ${Date.now() - pausedAt} ms`);
  assert.equal((await a.runs.status(id)).state, 'paused');
  const over = await until('B to see the pass over', async () => {
    const s = await b.runs.status(id);
    return s.state === 'paused' ? s : undefined;
  });
  assert.deepEqual(over.outcome, { done: 0, failed: 0, stopped: 2 });
  await until('run-finished in B', () => seen.some((e) => e.type === 'run-finished'));

  // Over now: B may start the next pass itself (and A refuses meanwhile).
  await b.runs.start(id);
  await assert.rejects(a.runs.start(id), /already running \(started by serve B/);
  await b.runs.pause(id);
  await b.runs.settled(id);
  await a.close();
  await b.close();
});

test('a run queued for the workers by the CLI shows in serve and is paused from there', async () => {
  const { a, b, id, ids } = await twoServers();
  const runs = new RunRepo(a.store.db, 'postgres');
  const cli = 'by `cutover migrate --enqueue` on ci (pid 1)';
  await runs.create(
    { id: 'cli-run', projectId: id, phase: 'delta', dryRun: false, origin: cli },
    ids.map((m, i) => ({ mailboxId: m, sourceUser: `u${i}` })),
  );
  const s = await b.runs.status(id);
  assert.equal(s.state, 'running');
  assert.equal(s.startedBy, cli);
  assert.equal(s.phase, 'delta');
  await assert.rejects(b.runs.start(id), /already running \(started by `cutover migrate --enqueue` on ci/);
  await b.runs.pause(id);
  assert.equal((await runs.get('cli-run'))?.state, 'cancelled');
  await until('the run over', async () => (await b.runs.status(id)).state === 'paused');
  await a.close();
  await b.close();
});

test('a NOTIFY wakes a follower long before its fallback poll', async () => {
  const { a, b, id, ids } = await twoServers();
  const runs = new RunRepo(a.store.db, 'postgres');
  await runs.create({ id: 'r1', projectId: id, dryRun: false }, [{ mailboxId: ids[0]!, sourceUser: 'ann' }]);
  const began = Date.now();
  const waiting = waitForRun(b.store, 'r1', { fallbackMs: 30_000 });
  await new Promise((r) => setTimeout(r, 500)); // the follower has looked once and sleeps
  await runs.ended('r1', ids[0]!, { state: 'done' });
  const done = await waiting;
  assert.equal(done.run.state, 'done');
  assert.ok(Date.now() - began < 5_000, `woke after ${Date.now() - began} ms (fallback 30 s)`);

  // A pause is a change of the run itself: what a worker's running mailbox listens for between heartbeats.
  await runs.create({ id: 'r2', projectId: id, dryRun: false }, [{ mailboxId: ids[1]!, sourceUser: 'bob' }]);
  const heard = new Promise<RunChange>((resolve) => {
    const stop = b.store.runSignals!.subscribe((c) => {
      if (c.runId !== 'r2' || c.kind !== 'run') return;
      stop();
      resolve(c);
    });
  });
  await new Promise((r) => setTimeout(r, 300)); // B's listening connection is open already; give it a moment
  await runs.cancel('r2');
  assert.deepEqual(await heard, { runId: 'r2', projectId: id, kind: 'run' });
  await a.close();
  await b.close();
});

test('the run lock: a pass serve runs makes a CLI migrate Busy, and a CLI migrate makes serve refuse', async () => {
  const { a, b, id } = await twoServers();
  await a.runs.start(id);
  await assert.rejects(b.store.lockRun('shared'), (err: PermanentError) => {
    assert.equal(err.code, ErrorCode.Busy);
    assert.match(err.message, /is migrating project 'shared'/);
    return true;
  });
  await a.runs.pause(id);
  await a.runs.settled(id);

  const cli: Store = b.store;
  const release = await cli.lockRun('shared');
  await assert.rejects(a.runs.start(id), (err: PermanentError) => {
    assert.equal(err.code, ErrorCode.Busy);
    assert.match(err.hint ?? '', /Wait for it to finish/);
    return true;
  });
  assert.equal((await a.runs.status(id)).state, 'paused'); // nothing was recorded for the refused pass
  await release();
  await a.runs.start(id);
  await a.runs.pause(id);
  await a.runs.settled(id);
  await a.close();
  await b.close();
});
