/**
 * The connectors' hooks over PostgreSQL (src/runner/pg/pg-shared-limits.ts, pg-kept-secrets.ts), against a
 * real PostgreSQL started by the harness; two instances on separate pools stand for two worker processes.
 * Concurrency permits hold their maximum for both together; sliding windows count all of a take or none and
 * say how long until it fits; kept secrets are sealed in the store and read back only with the same key.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { KeptSecrets, SharedLimits } from '../../src/connectors/contract.js';
import { PgKeptSecrets } from '../../src/runner/pg/pg-kept-secrets.js';
import { PgSharedLimits } from '../../src/runner/pg/pg-shared-limits.js';
import { SecretBox } from '../../src/security/secret-box.js';
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

async function twoWorkers(): Promise<{ url: string; hooks: PgSharedLimits[] }> {
  const url = await migratedDatabase(server);
  const hooks = [0, 1].map(() => {
    const pool = workerPool(url);
    pools.push(pool);
    return new PgSharedLimits(pool, { pollMs: 20 });
  });
  return { url, hooks };
}

test('concurrency permits of one key hold their maximum for two workers together', async () => {
  const { hooks } = await twoWorkers();
  const asHook: SharedLimits[] = hooks; // the hook's interface is met by shape
  let inUse = 0;
  let most = 0;
  const lane = async (hook: SharedLimits, i: number) => {
    for (let round = 0; round < 3; round++) {
      const n = i % 4 === 0 ? 2 : 1;
      const release = await hook.concurrency('graph:mailbox-a', 4, n);
      inUse += n;
      most = Math.max(most, inUse);
      await sleep(5 + (i % 5) * 3);
      inUse -= n;
      release();
    }
  };
  await Promise.all(asHook.flatMap((h, k) => Array.from({ length: 8 }, (_, i) => lane(h, k * 8 + i))));
  assert.ok(most <= 4, `${most} permits held at once, maximum 4`);
  assert.ok(most >= 3, `the permits were used (${most} at most)`);
  await Promise.all(hooks.map((h) => h.close()));
});

test('a sliding window counts for both workers, all of a take or none, and says how long to wait', async () => {
  const { hooks } = await twoWorkers();
  const [a, b] = hooks;
  const take = (hook: PgSharedLimits, requests: number, bytes: number) =>
    hook.windows('graph:mbx', [
      { key: 'graph:mbx:requests', amount: requests, limit: 10, windowMs: 2000 },
      { key: 'graph:mbx:upload', amount: bytes, limit: 1000, windowMs: 2000 },
    ]);
  const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => take(i % 2 ? a! : b!, 1, 0)));
  const counted = answers.filter((w) => w.every((x) => x === 0)).length;
  assert.equal(counted, 10, 'exactly the window’s 10 requests were counted, whichever worker sent them');
  for (const w of answers.filter((x) => x[0]! > 0)) assert.ok(w[0]! <= 2000, `wait ${w[0]}`);

  // All or none: a request that fits the upload window but not the request window counts in neither.
  const [waitRequests, waitBytes] = await take(a!, 1, 500);
  assert.ok(waitRequests! > 0);
  assert.equal(waitBytes, 0);
  await sleep(2100); // the window has passed
  assert.deepEqual(await take(b!, 1, 600), [0, 0]);
  const [, overBytes] = await take(a!, 1, 600);
  assert.ok(
    overBytes! > 0,
    'the 600 bytes counted before leave no room for 600 more (the 500 never counted)',
  );
  assert.deepEqual(await take(a!, 1, 400), [0, 0], 'and room for 400: the refused take counted nothing');
  await Promise.all(hooks.map((h) => h.close()));
});

test('kept secrets are sealed in the store and open only with the same key', async () => {
  const url = await migratedDatabase(server);
  const pool = workerPool(url);
  pools.push(pool);
  const key = Buffer.alloc(32, 3);
  const kept: KeptSecrets = new PgKeptSecrets(pool, new SecretBox(key));
  assert.equal(await kept.get('graph-tokens-x'), undefined);
  await kept.put('graph-tokens-x', '{"AccessToken":{"secret":"tok-123"}}');
  const otherPool = workerPool(url);
  pools.push(otherPool);
  const other = new PgKeptSecrets(otherPool, new SecretBox(key));
  assert.equal(
    await other.get('graph-tokens-x'),
    '{"AccessToken":{"secret":"tok-123"}}',
    'another worker reads it',
  );

  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query<{ value: string }>('select value from kv_secrets');
  await c.end();
  assert.equal(rows.length, 1);
  assert.doesNotMatch(rows[0]!.value, /tok-123|AccessToken/, 'nothing in clear in the table');

  const wrongKey = new PgKeptSecrets(pool, new SecretBox(Buffer.alloc(32, 4)));
  assert.equal(await wrongKey.get('graph-tokens-x'), undefined, 'another key reads nothing');
});
