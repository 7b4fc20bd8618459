/**
 * What the PostgreSQL queue does beyond the contract suite (queue-contract.test.ts), on a real PostgreSQL
 * started by the harness (test/harness/postgres.ts), one database per test: enqueue inside a caller's
 * transaction, cancel from another process (two queues, each with its own pool), close handing running
 * jobs back at once to another worker, and the workers table.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import { PgQueue, type PgQueueOptions } from '../../src/runner/pg/pg-queue.js';
import { migrations } from '../../src/store/migrations.js';
import type { Database } from '../../src/store/schema.js';
import { WorkerRepo } from '../../src/store/worker-repo.js';
import type { JobInfo, MailboxPassData } from '../../src/runner/job.js';
import { startPostgres, type PgTestServer } from '../harness/postgres.js';

let server: PgTestServer;
const cleanup: Array<() => Promise<void>> = [];

before(async () => {
  server = await startPostgres();
});
after(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
  await server.stop();
});

async function queue(url: string, opts: Partial<PgQueueOptions> = {}): Promise<PgQueue> {
  const q = new PgQueue({ url, leaseMs: 3000, heartbeatMs: 200, pollMs: 50, presence: false, ...opts });
  await q.start();
  cleanup.push(() => q.close());
  return q;
}

/** The store's tables on `url` (the PG store opens the same way), for the transaction and workers tests. */
async function store(url: string): Promise<Kysely<Database>> {
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 3 }) }),
  });
  cleanup.push(() => db.destroy());
  const { error } = await new Migrator({
    db,
    provider: { getMigrations: async () => migrations('postgres') },
  }).migrateToLatest();
  if (error)
    throw error instanceof Error ? error : new Error(`store migration failed: ${JSON.stringify(error)}`);
  return db;
}

const pass = (mailboxId: number, runId = 'r'): MailboxPassData => ({
  runId,
  mailboxId,
  sourceUser: `u${mailboxId}`,
  slice: 0,
});

const ofRun = (runId: string) => (j: JobInfo) =>
  j.name === 'mailbox-pass' && (j.data as MailboxPassData).runId === runId;

test('a job enqueued in a transaction exists only if the transaction commits', async () => {
  const url = await server.createDatabase();
  const db = await store(url);
  const q = await queue(url);
  const rollback = new Error('rolled back on purpose');
  await assert.rejects(
    db.transaction().execute(async (tx) => {
      await tx.insertInto('workers').values(workerRow('w-rolled-back')).execute();
      assert.ok(await q.enqueue('mailbox-pass', pass(1, 'rolled-back'), { tx }));
      throw rollback;
    }),
    rollback,
  );
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('workers').values(workerRow('w-committed')).execute();
    assert.ok(await q.enqueue('mailbox-pass', pass(2, 'committed'), { tx, singletonKey: 'k' }));
    assert.equal(
      await q.enqueue('mailbox-pass', pass(3, 'committed'), { tx, singletonKey: 'k' }),
      undefined,
      'the singleton key holds inside the transaction too',
    );
  });
  const ran: string[] = [];
  q.work('mailbox-pass', async (d) => (ran.push(`${d.runId}/${d.mailboxId}`), { status: 'done' }), {
    concurrency: 1,
  });
  await q.settled();
  assert.deepEqual(ran, ['committed/2'], 'the rolled-back job never ran');
  const ids = (await db.selectFrom('workers').select('id').execute()).map((r) => r.id);
  assert.deepEqual(ids, ['w-committed'], 'the rows and the jobs went in (or not) together');
});

test('cancel in one process aborts the job running in another within seconds; it does not come back', async () => {
  const url = await server.createDatabase();
  const worker = await queue(url);
  const other = await queue(url);
  let entered = 0;
  let abortedAt = 0;
  worker.work(
    'mailbox-pass',
    async (d, { signal }) => {
      entered++;
      await sleep(30_000, undefined, { signal }).catch(() => (abortedAt = Date.now()));
      return { status: 'retry', startAfter: new Date(), data: { ...d, slice: d.slice + 1 } };
    },
    { concurrency: 2 },
  );
  await other.enqueue('mailbox-pass', pass(1));
  await other.enqueue('mailbox-pass', pass(2, 'keep'));
  await other.enqueue('mailbox-pass', pass(3), { startAfter: new Date(Date.now() + 60_000) });
  while (entered < 2) await sleep(20);
  const t0 = Date.now();
  assert.equal(await other.cancel(ofRun('r')), 2, 'one running, one queued');
  await other.settled(ofRun('r'));
  while (!abortedAt && Date.now() - t0 < 5000) await sleep(20);
  assert.ok(abortedAt, 'the running handler saw its signal abort');
  assert.ok(abortedAt - t0 < 2000, `aborted ${abortedAt - t0} ms after the cancel`);
  await sleep(500);
  assert.equal(entered, 2, 'the cancelled job did not come back as a continuation');
  assert.equal(await other.cancel('none'), 0);
  assert.equal(await other.cancel(ofRun('keep')), 1);
  await worker.settled();
});

test('close hands a running job back at once: another worker continues it long before the lease', async () => {
  const url = await server.createDatabase();
  const seen: string[] = [];
  const handler =
    (who: string) =>
    async (d: MailboxPassData, { signal }: { signal: AbortSignal }) => {
      seen.push(`${who}:${d.mailboxId}/${d.slice}`);
      if (d.mailboxId === 2) {
        // A handler that throws because it was stopped: its job goes back as it was.
        await sleep(30_000, undefined, { signal });
        return { status: 'done' as const };
      }
      await sleep(30_000, undefined, { signal }).catch(() => undefined);
      if (!signal.aborted) return { status: 'done' as const };
      return { status: 'retry' as const, startAfter: new Date(), data: { ...d, slice: d.slice + 1 } };
    };
  const first = await queue(url, { leaseMs: 30_000 });
  first.work('mailbox-pass', handler('first'), { concurrency: 2 });
  await first.enqueue('mailbox-pass', pass(1));
  await first.enqueue('mailbox-pass', pass(2));
  while (seen.length < 2) await sleep(20);
  const second = await queue(url, { leaseMs: 30_000 });
  second.work(
    'mailbox-pass',
    async (d) => (seen.push(`second:${d.mailboxId}/${d.slice}`), { status: 'done' }),
    {
      concurrency: 2,
    },
  );
  await sleep(300);
  assert.equal(seen.length, 2, 'the second worker cannot take jobs the first holds');
  const t0 = Date.now();
  await first.close();
  await second.settled();
  assert.ok(Date.now() - t0 < 3000, `continued ${Date.now() - t0} ms after close (the lease is 30 s)`);
  assert.deepEqual(seen.sort(), ['first:1/0', 'first:2/0', 'second:1/1', 'second:2/0']);
});

test('a worker announces itself, renews its heartbeat and load, and is marked stopped on close', async () => {
  const url = await server.createDatabase();
  const repo = new WorkerRepo(await store(url));
  const q = await queue(url, { presence: true });
  assert.deepEqual(await repo.list(), [], 'a queue that only enqueues is no worker');
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  q.work('mailbox-pass', async () => (await held, { status: 'done' }), { concurrency: () => 3 });
  await q.enqueue('mailbox-pass', pass(1));
  let rows = await repo.list();
  for (const t0 = Date.now(); !(rows[0]?.running === 1) && Date.now() - t0 < 5000; rows = await repo.list())
    await sleep(50);
  const [w] = rows;
  assert.ok(w, 'announced');
  assert.equal(w.pid, process.pid);
  assert.equal(w.concurrency, 3);
  assert.equal(w.running, 1);
  assert.equal(w.stopped_at, null);
  await sleep(500);
  const [later] = await repo.list();
  assert.ok(later!.heartbeat_at > w.heartbeat_at, 'the heartbeat moves on');
  release();
  await q.settled();
  await q.close();
  const [gone] = await repo.list();
  assert.ok(gone!.stopped_at, 'marked stopped');
  assert.equal(gone!.running, 0);
});

function workerRow(id: string) {
  const at = new Date().toISOString();
  return { id, host: 'h', pid: 1, started_at: at, heartbeat_at: at, concurrency: 0, running: 0 };
}
