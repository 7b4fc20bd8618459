/**
 * A project's message/byte rate held for every worker sharing one PostgreSQL database
 * (src/runner/pg/pg-rate-limiter.ts), against a real PostgreSQL started by the harness: two limiters on
 * separate pools stand for two worker processes taking from one bucket; together they stay within the rate
 * (a full bucket to start, then the rate), and neither is starved.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { PgRateLimiter } from '../../src/runner/pg/pg-rate-limiter.js';
import { startPostgres, type PgTestServer } from '../harness/postgres.js';
import { migratedDatabase, workerPool } from './pg-limits-support.js';

let server: PgTestServer;
const pools: pg.Pool[] = [];
before(async () => {
  server = await startPostgres();
});
after(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await server?.stop();
});

/** Take `messages`/`bytes` again and again for `ms`; how many takes went through. */
async function drain(limiter: PgRateLimiter, ms: number, messages: number, bytes: number): Promise<number> {
  let n = 0;
  for (const end = Date.now() + ms; Date.now() < end; n++) await limiter.take(messages, bytes);
  return n;
}

async function twoLimiters(key: string, rates: { messagesPerSecond?: number; bytesPerSecond?: number }) {
  const url = await migratedDatabase(server);
  return [0, 1].map(() => {
    const pool = workerPool(url);
    pools.push(pool);
    return new PgRateLimiter(pool, key, rates);
  });
}

test('two workers on one project together stay within its message rate', async () => {
  const [a, b] = await twoLimiters('project:1', { messagesPerSecond: 20 });
  const t0 = Date.now();
  const [na, nb] = await Promise.all([drain(a!, 1500, 1, 0), drain(b!, 1500, 1, 0)]);
  const seconds = (Date.now() - t0) / 1000;
  const total = na + nb;
  // A full bucket (20) to start, then 20 per second for the time the last take waited for.
  assert.ok(total <= 20 + 20 * seconds + 1, `${total} messages in ${seconds} s at 20/s`);
  assert.ok(
    total >= 20 + 20 * 1.5 - 6,
    `only ${total} messages: the bucket was not shared fairly or refilled`,
  );
  assert.ok(na >= 10 && nb >= 10, `neither worker is starved (${na} / ${nb})`);
});

test('the byte rate holds for both together, a batch bigger than a second’s budget included', async () => {
  const [a, b] = await twoLimiters('project:2', { bytesPerSecond: 100_000 });
  const t0 = Date.now();
  const [na, nb] = await Promise.all([drain(a!, 1200, 1, 30_000), drain(b!, 1200, 1, 150_000)]);
  const seconds = (Date.now() - t0) / 1000;
  const bytes = na * 30_000 + nb * 150_000;
  // A batch over the budget waits for a full bucket and leaves it in debt: the average stays at the rate,
  // give or take one batch in flight when the time ran out.
  assert.ok(bytes <= 100_000 + 100_000 * seconds + 150_000, `${bytes} bytes in ${seconds} s at 100 kB/s`);
  assert.ok(nb >= 1 && na >= 1);
});

test('unlimited rates never reach the database', async () => {
  const limiter = new PgRateLimiter('postgres://nobody@127.0.0.1:1/none', 'project:3', {});
  await limiter.take(1000, 1_000_000_000);
  await limiter.close();
});
