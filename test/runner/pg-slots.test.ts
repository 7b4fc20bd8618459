/**
 * Connection slots held for every worker sharing one PostgreSQL database (src/runner/pg/pg-slots.ts),
 * against a real PostgreSQL started by the harness: two PgSlots on separate pools stand for two worker
 * processes. The cap holds for both together under storms of concurrent requests; a refusal seen by one
 * lowers the allowance the other sees (per server, or per user) and it rises again after quiet spells; a
 * worker killed with SIGKILL gives its slots back when its lease runs out; an aborted wait leaves the line;
 * eight workers taking slots of one server at once are served without waiting in line, and a take does not
 * wait on the server's allowance row (each permit is a row of its own, not a count under one locked row).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { PgSlots } from '../../src/runner/pg/pg-slots.js';
import type { Slots } from '../../src/runner/slots.js';
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

/** Two workers on one fresh database, each with its own pool; closed by the test. */
async function twoWorkers(opts: { leaseMs?: number; raiseAfterMs?: number } = {}): Promise<PgSlots[]> {
  const url = await migratedDatabase(server);
  return [0, 1].map(() => {
    const pool = workerPool(url);
    pools.push(pool);
    return new PgSlots(pool, { pollMs: 20, ...opts });
  });
}

test('two workers together never hold more than the server’s cap under storms of requests', async () => {
  const workers = await twoWorkers();
  const imap = { host: 'IMAP.test', port: 143, maxConnections: 5 };
  let inUse = 0;
  let most = 0;
  let done = 0;
  const lane = async (slots: Slots, i: number) => {
    for (let round = 0; round < 4; round++) {
      const n = (i + round) % 3 === 0 ? 2 : 1;
      const release = await slots.acquire(imap, undefined, n, { [`u${i % 4}`]: n });
      inUse += n;
      most = Math.max(most, inUse);
      assert.ok(inUse <= 5, `${inUse} slots in use, cap 5`);
      await sleep(5 + ((i * 7 + round * 3) % 20));
      inUse -= n;
      release();
      done++;
    }
  };
  await Promise.all(workers.flatMap((w, k) => Array.from({ length: 12 }, (_, i) => lane(w, k * 12 + i))));
  assert.equal(done, 2 * 12 * 4, 'every request was served');
  assert.ok(most <= 5);
  assert.ok(most >= 4, `the cap was used (${most} at most)`);
  await Promise.all(workers.map((w) => w.close()));
});

test('a refusal seen by one worker lowers the allowance the other sees, and quiet spells raise it', async () => {
  const [a, b] = await twoWorkers({ raiseAfterMs: 600 });
  const imap = { host: 'imap.test', port: 143, maxConnections: 5 };
  const held = [await a!.acquire(imap, undefined, 2), await a!.acquire(imap, undefined, 2)];
  await a!.refused(imap); // turned away with 4 in use
  assert.equal(await b!.allowance(imap), 3);

  let granted = false;
  const waiting = b!.acquire(imap, undefined, 1).then((r) => ((granted = true), r));
  await sleep(200);
  assert.equal(granted, false, '4 in use + 1 exceeds the lowered allowance of 3');
  held[0]!();
  (await waiting)(); // 2 + 1 fits
  held[1]!();

  // A per-user refusal lowers that user's allowance only.
  const alice = await a!.acquire(imap, undefined, 1, { alice: 1 });
  await b!.refused({ ...imap, user: 'alice' });
  assert.equal(await a!.allowance({ ...imap, user: 'alice' }), 1);
  assert.equal(await a!.allowance({ ...imap, user: 'bob' }), 1000, 'bob has no row yet: unknown cap');
  alice();

  await sleep(1300); // two quiet spells of 600 ms: 3 → 5 (the maximum)
  assert.equal(await b!.allowance(imap), 5);
  await Promise.all([a!.close(), b!.close()]);
});

test('a worker killed with SIGKILL gives its slots back when its lease runs out', async () => {
  const url = await migratedDatabase(server);
  const imap = { host: 'imap.test', port: 993, maxConnections: 3 };
  const LEASE = 1500;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'pg-slots-child.ts')],
    {
      env: {
        ...process.env,
        PG_SLOTS_URL: url,
        PG_SLOTS_SERVER: JSON.stringify(imap),
        PG_SLOTS_COUNT: '3',
        PG_SLOTS_LEASE_MS: String(LEASE),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
      child.once('exit', (code) => reject(new Error(`child exited (${code}) before it held the slots`)));
    });
    const pool = workerPool(url);
    pools.push(pool);
    const slots = new PgSlots(pool, { pollMs: 20, leaseMs: LEASE });
    let got = 0;
    const waiting = slots.acquire(imap, undefined, 1).then((r) => ((got = Date.now()), r));
    await sleep(LEASE + 500); // the child's heartbeat keeps its lease alive well past one lease
    assert.equal(got, 0, 'all 3 slots are held by the living child');

    const killedAt = Date.now();
    child.kill('SIGKILL');
    await exited;
    (await waiting)();
    const after = got - killedAt;
    assert.ok(after <= LEASE + 500, `freed ${after} ms after the kill (lease ${LEASE} ms)`);
    await slots.close();
  } finally {
    child.kill('SIGKILL');
  }
});

test('an aborted wait rejects at once and leaves the line: later requests are not held behind it', async () => {
  const [a, b] = await twoWorkers({ leaseMs: 20_000 });
  const imap = { host: 'imap.test', port: 143, maxConnections: 2 };
  const all = await a!.acquire(imap, undefined, 2);
  const stop = new AbortController();
  const waiting = b!.acquire(imap, stop.signal, 1);
  await sleep(100);
  const t0 = Date.now();
  stop.abort(new Error('paused by the operator'));
  await assert.rejects(waiting, /paused by the operator/);
  assert.ok(Date.now() - t0 < 200, 'the abort is honoured at once');

  all();
  // Had b's place in line stayed, this request for both slots would wait behind it for the 20 s lease.
  const t1 = Date.now();
  const both = await a!.acquire(imap, AbortSignal.timeout(3000), 2);
  assert.ok(Date.now() - t1 < 1000, `served in ${Date.now() - t1} ms`);
  both();
  await Promise.all([a!.close(), b!.close()]);
});

test('eight workers taking slots of one server at once never wait in line while it has room', async () => {
  const url = await migratedDatabase(server);
  const workers = Array.from({ length: 8 }, () => {
    const pool = workerPool(url);
    pools.push(pool);
    return new PgSlots(pool, { pollMs: 20 });
  });
  const imap = { host: 'imap.test', port: 993, maxConnections: 40 };
  let inUse = 0;
  let most = 0;
  await Promise.all(
    workers.map(async (slots, i) => {
      for (let round = 0; round < 15; round++) {
        const release = await slots.acquire(imap, undefined, 2, { [`user${i}`]: 2 });
        inUse += 2;
        most = Math.max(most, inUse);
        await sleep(2);
        inUse -= 2;
        release();
      }
    }),
  );
  assert.ok(most <= 40);
  // Every take found a free slot at once (a lost race to the same slot tries another): nobody was put in
  // line, which is what happens when takers trip over each other.
  const pool = workerPool(url);
  pools.push(pool);
  const places = await pool.query<{ n: string }>('select count(*) as n from limit_leases');
  const seq = await pool.query<{ last: string | null }>(
    "select last_value::text as last from pg_sequences where sequencename like 'limit_leases%'",
  );
  assert.equal(Number(places.rows[0]!.n), 0);
  // A take that lost the race to its chosen slots 8 times running goes in line: rare, never the rule.
  const made = Number(seq.rows[0]?.last ?? 0);
  assert.ok(made <= 3, `${made} of 120 takes were put in line while the server had room`);
  await Promise.all(workers.map((w) => w.close()));
});

test('taking and giving back slots never waits on the server’s allowance row (no one row every taker locks)', async () => {
  const url = await migratedDatabase(server);
  const pool = workerPool(url);
  pools.push(pool);
  const slots = new PgSlots(pool, { pollMs: 20 });
  const imap = { host: 'imap.test', port: 143, maxConnections: 5 };
  (await slots.acquire(imap, undefined, 1, { alice: 1 }))(); // the allowance rows exist
  // Another session holds both allowance rows locked (as a refusal being recorded does, briefly).
  const other = await pool.connect();
  await other.query('begin');
  await other.query("select * from limit_allowances where key like 'imap.test:143%' for update");
  // Let go after 1.5 s whatever happens, so a take that waits on the rows fails the test instead of hanging.
  const letGo = sleep(1500).then(() => other.query('rollback'));
  const t0 = Date.now();
  const release = await slots.acquire(imap, undefined, 2, { alice: 2 });
  const took = Date.now() - t0;
  release();
  await letGo;
  other.release();
  assert.ok(took < 1000, `granted in ${took} ms while the allowance rows were locked`);
  await slots.close();
});
