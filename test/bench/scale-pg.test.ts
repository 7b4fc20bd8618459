/**
 * The scale benchmark's PostgreSQL runtime (bench/scale/pg-runtime.ts), small, on a real PostgreSQL from
 * Debian started by the harness (test/harness/postgres.ts): a stored project of synthetic mailboxes is
 * enqueued on the pg-boss queue and run by two separate `cutover worker` processes (bench/scale/worker.ts,
 * the CLI's `workerCommand` with the synthetic kind registered); the first pass copies every item once, the
 * unchanged delta pass copies nothing, the API server opens the same database, and a database that already
 * holds a ledger is refused. No mail server is involved: the source is generated and the destination throws
 * the bytes away.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import pg from 'pg';
import { enqueueRun, waitForRun } from '../../src/services/shared-runs.js';
import { DATABASE_URL_ENV } from '../../src/store/store-target.js';
import { registerSynthetic } from '../../bench/scale/synthetic-connector.js';
import { createProject } from '../../bench/scale/synthetic-project.js';
import { openApiServer, openRuntime } from '../../bench/scale/runtime.js';
import { startPostgres, type PgTestServer } from '../harness/postgres.js';
import { SECRET_KEY_ENV } from '../../src/security/secret-key.js';

const shape = { folders: 3, items: 40 };
const unregister = registerSynthetic(shape);
let server: PgTestServer;

before(async () => {
  server = await startPostgres();
});
after(async () => {
  unregister();
  await server?.stop();
});

test('two worker processes on PostgreSQL: the first pass copies all, the delta nothing, the API reads it', async () => {
  const databaseUrl = await server.createDatabase();
  const rt = await openRuntime({ workers: 2, concurrency: 2, shape, keep: false, databaseUrl });
  try {
    assert.equal(rt.store.dialect, 'postgres');
    assert.equal(rt.env[DATABASE_URL_ENV], databaseUrl);
    const id = await createProject(rt.deps, 6, 4);
    const first = await waitForRun(rt.store, await enqueueRun({ ...rt.deps, queue: rt.queue }, id), {
      everyMs: 100,
    });
    assert.equal(first.run.state, 'done');
    assert.deepEqual(
      first.mailboxes.map((m) => [m.state, m.counters?.copied]),
      Array.from({ length: 6 }, () => ['done', 40]),
    );
    // The mailboxes were run by the worker processes, not by this one.
    for (const m of first.mailboxes) assert.ok(rt.workers.includes(m.worker ?? ''), String(m.worker));
    const rows = await rt.store.db.selectFrom('ledger').select(['status', 'dest_uid']).execute();
    assert.equal(rows.length, 6 * 40);
    assert.ok(rows.every((r) => r.status === 'copied' && r.dest_uid !== null));
    const delta = await waitForRun(rt.store, await enqueueRun({ ...rt.deps, queue: rt.queue }, id), {
      everyMs: 100,
    });
    assert.deepEqual(
      delta.mailboxes.map((m) => [m.state, m.counters?.copied]),
      Array.from({ length: 6 }, () => ['done', 0]),
    );
    assert.ok((await rt.databaseBytes()) > 1e6);
    const rss = rt.workerPeakRssMb?.() ?? [];
    assert.equal(rss.length, 2);
    assert.ok(
      rss.every((mb) => mb > 10),
      rss.join(', '),
    );
    // The API process's server, as api-probe.ts opens it: the same database through CUTOVER_DATABASE_URL,
    // and the run's secret key (a server with another key would refuse the shared database).
    process.env[DATABASE_URL_ENV] = databaseUrl;
    const savedKey = process.env[SECRET_KEY_ENV];
    process.env[SECRET_KEY_ENV] = rt.env[SECRET_KEY_ENV];
    const app = await openApiServer(rt.location);
    try {
      const setup = await app.inject({
        method: 'POST',
        url: '/api/setup',
        payload: { user: 'bench', password: 'scale benchmark operator' },
      });
      assert.equal(setup.statusCode, 201, setup.body);
    } finally {
      delete process.env[DATABASE_URL_ENV];
      if (savedKey === undefined) delete process.env[SECRET_KEY_ENV];
      else process.env[SECRET_KEY_ENV] = savedKey;
      await app.close();
    }
    const operators = await rt.store.db
      .selectFrom('users')
      .select((e) => e.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(operators.n), 1, 'the API wrote to the benchmark database');
  } finally {
    await rt.close();
  }
  assert.equal(existsSync(rt.location), false, 'close() removes the data directory');
  // The worker processes stopped cleanly on SIGTERM: each marked itself stopped.
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const live = await client.query<{ n: string }>(
    'select count(*) as n from workers where stopped_at is null',
  );
  await client.end();
  assert.equal(Number(live.rows[0]!.n), 0);
  const again = await openRuntime({ workers: 1, concurrency: 1, shape, keep: false, databaseUrl }).then(
    async (r) => {
      await r.close();
      return 'opened';
    },
    (err: unknown) => String(err),
  );
  assert.match(again, /already has ledger rows/);
});
