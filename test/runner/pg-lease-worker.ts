/**
 * A worker process for pg-queue-lease.test.ts (not a test): takes `mailbox-pass` jobs from the PostgreSQL
 * queue at URL with a lease of LEASE_MS, records entering each handler in the `entries` table, says
 * `ENTERED <job id>` on stdout, and then stays in the handler until it is killed.
 * Usage: node --import tsx test/runner/pg-lease-worker.ts URL LEASE_MS
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { PgQueue } from '../../src/runner/pg/pg-queue.js';

async function main(): Promise<void> {
  const [url, leaseMs] = process.argv.slice(2);
  if (!url || !leaseMs) throw new Error('usage: pg-lease-worker.ts URL LEASE_MS');
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const queue = new PgQueue({ url, leaseMs: Number(leaseMs), heartbeatMs: 500, pollMs: 50, presence: false });
  await queue.start();
  queue.work(
    'mailbox-pass',
    async (_data, { id, signal }) => {
      await pool.query(`insert into entries (job_id, who, phase) values ($1, 'child', 'entered')`, [id]);
      process.stdout.write(`ENTERED ${id}\n`);
      await sleep(600_000, undefined, { signal });
      return { status: 'done' };
    },
    { concurrency: 1 },
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
