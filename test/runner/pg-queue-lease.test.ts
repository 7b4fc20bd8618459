/**
 * Leases across processes, on a real PostgreSQL started by the harness (test/harness/postgres.ts): a worker
 * process (pg-lease-worker.ts, spawned with `node --import tsx`) takes a job and is killed with SIGKILL in
 * the middle of its handler. While it lived, its heartbeat kept the job from anyone else; after the kill, a
 * queue in this process takes the job over once the lease has run out, and finishes it once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { PgQueue } from '../../src/runner/pg/pg-queue.js';
import { startPostgres, type PgTestServer } from '../harness/postgres.js';

const LEASE_MS = 3000;
const HEARTBEAT_MS = 500;

let server: PgTestServer;
let child: ChildProcess | undefined;
const cleanup: Array<() => Promise<void>> = [];

before(async () => {
  server = await startPostgres();
});
after(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
  await server.stop();
});

/** Until the child says it entered a handler; the job id. */
async function entered(c: ChildProcess, ms: number): Promise<string> {
  let out = '';
  c.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  c.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  for (const deadline = Date.now() + ms; Date.now() < deadline && c.exitCode === null; await sleep(50)) {
    const m = /ENTERED (\S+)\n/.exec(out);
    if (m) return m[1]!;
  }
  throw new Error(`the worker process did not take the job:\n${out}`);
}

test('a worker killed with SIGKILL mid-job loses it after the lease; another finishes it exactly once', async (t) => {
  const url = await server.createDatabase();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  cleanup.push(() => pool.end());
  await pool.query(
    `create table entries (job_id text, who text, phase text, at timestamptz default clock_timestamp())`,
  );
  const queue = new PgQueue({
    url,
    leaseMs: LEASE_MS,
    heartbeatMs: HEARTBEAT_MS,
    pollMs: 50,
    presence: false,
  });
  await queue.start();
  cleanup.push(() => queue.close());
  const jobId = await queue.enqueue('mailbox-pass', { runId: 'r', mailboxId: 1, sourceUser: 'u1', slice: 0 });
  assert.ok(jobId);

  child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'pg-lease-worker.ts'), url, String(LEASE_MS)],
    { cwd: path.resolve(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  assert.equal(await entered(child, 30_000), jobId);

  let takenAt = 0;
  queue.work(
    'mailbox-pass',
    async (_d, { id }) => {
      takenAt ||= Date.now();
      await pool.query(`insert into entries (job_id, who, phase) values ($1, 'parent', 'entered')`, [id]);
      await sleep(200);
      await pool.query(`insert into entries (job_id, who, phase) values ($1, 'parent', 'finished')`, [id]);
      return { status: 'done' };
    },
    { concurrency: 1 },
  );
  // Longer than the first lease: only the child's heartbeat keeps the job from this queue.
  await sleep(LEASE_MS + 1500);
  assert.equal(takenAt, 0, 'the job stays with the live worker');

  const killedAt = Date.now();
  child.kill('SIGKILL');
  await once(child, 'exit');
  await Promise.race([
    queue.settled(),
    sleep(LEASE_MS + 10_000).then(() => assert.fail('the job was not taken over and finished')),
  ]);

  const delay = takenAt - killedAt;
  t.diagnostic(`taken over ${delay} ms after the kill`);
  assert.ok(
    delay >= LEASE_MS - HEARTBEAT_MS - 200,
    `taken over ${delay} ms after the kill: before the lease ran out`,
  );
  assert.ok(delay <= LEASE_MS + 3000, `taken over ${delay} ms after the kill (lease ${LEASE_MS} ms)`);
  const { rows } = await pool.query<{ who: string; phase: string; job_id: string }>(
    `select who, phase, job_id from entries order by at`,
  );
  assert.deepEqual(
    rows.map((r) => `${r.who} ${r.phase}`),
    ['child entered', 'parent entered', 'parent finished'],
    'ran to completion exactly once after the kill',
  );
  assert.ok(rows.every((r) => r.job_id === jobId));
  const { rows: job } = await pool.query<{ state: string; retry_count: number }>(
    `select state, retry_count from pgboss.job where id = $1`,
    [jobId],
  );
  assert.deepEqual(job, [{ state: 'completed', retry_count: 1 }], 'completed after one takeover');
});
