/**
 * THE ONE SEAM of the scale benchmark: everything that opens the store, the job queue, the workers and the
 * API server is here, in `openRuntime` and `openApiServer`; the rest of bench/scale/ sees only a Store,
 * the shared-run dependencies, an `enqueue`, a database size and the arguments that let a child process
 * open the same store.
 *
 * TODAY (what main has): the embedded SQLite store in a fresh data directory; `--workers W` in-process
 * workers, each a LocalQueue with its own `startWorker` (own SharedRuns, connection slots and limiter, as
 * separate processes would have), jobs dealt to them by turns as processes taking from one queue would
 * take them; the run's window is admitted over all of them by the store. The API runs in a child process
 * (bench/scale/api-probe.ts) over the same SQLite file. Database size = the SQLite file (after a WAL
 * checkpoint).
 *
 * TO SWITCH TO WHAT ISSUE 18 ASKS (PostgreSQL + `cutover worker` processes), change only this file:
 * - store: `openStoreAt({ databaseUrl })` on the URL from `--database-url` (or a database of
 *   test/harness/postgres.ts) instead of `openStore(dataDir)`; `location` = that URL;
 * - queue: one pg-boss JobQueue for `enqueue` (enqueueRun then commits the run and its jobs together);
 * - workers: spawn W processes of a bench-only worker (`node --import tsx bench/scale/worker.ts
 *   --database-url URL --concurrency C --folders F --items M`) that calls `registerSynthetic(shape)` and then
 *   what `cutover worker` calls (`startWorker` over the pg-boss queue) — the real `cutover worker` cannot
 *   know the bench-only `synthetic` kind; stop them with SIGTERM by PID;
 * - size: `SELECT pg_database_size(current_database())` (the query is in `databaseBytes` below);
 * - API: `openApiServer` builds the server with `{ databaseUrl }` instead of `{ dataDir }`.
 * The secret box (sealed admin passwords) is read from the data directory in both cases; with PostgreSQL
 * every process must be given the same CUTOVER_SECRET_KEY.
 */
import { statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { silentProgress } from '../../src/engine/progress.js';
import type { JobQueue } from '../../src/runner/job.js';
import { LocalQueue } from '../../src/runner/local/local-queue.js';
import { openSecretBox } from '../../src/security/secret-key.js';
import { buildServer } from '../../src/server/app.js';
import { ProjectService } from '../../src/services/project-service.js';
import type { SharedRunDeps } from '../../src/services/shared-runs.js';
import { startWorker } from '../../src/services/worker-service.js';
import { openStore, type Store } from '../../src/store/db.js';
import { ProjectMailboxRepo } from '../../src/store/project-mailbox-repo.js';
import { ProjectRepo } from '../../src/store/project-repo.js';

/** What the benchmark runs on. */
export interface ScaleRuntime {
  /** The bench's own handle on the store (set-up, enqueue, figures). */
  store: Store;
  /** What enqueueRun and the workers need. */
  deps: SharedRunDeps;
  /** Where runs are enqueued (every worker takes from it). */
  queue: JobQueue;
  /** The workers' ids. */
  workers: string[];
  /** How a child process opens the same store (handed to `openApiServer`). */
  location: string;
  /** In words, for the results: which store, queue and workers. */
  describe: string;
  /** Bytes the database takes now. */
  databaseBytes(): Promise<number>;
  /** Stop the workers and close the store. */
  close(): Promise<void>;
}

/** Open the store and start `workers` workers taking `concurrency` mailboxes each; see the file header. */
export async function openRuntime(opts: { workers: number; concurrency: number }): Promise<ScaleRuntime> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cutover-scale-'));
  const store = await openStore(dataDir, { onTightened: () => undefined });
  const box = openSecretBox(dataDir);
  const members = new ProjectMailboxRepo(store.db);
  const projects = new ProjectService({ projects: new ProjectRepo(store.db), box, members });
  const deps: SharedRunDeps = { store, projects, members, box };
  const running = Array.from({ length: opts.workers }, (_, i) => {
    const queue = new LocalQueue();
    const w = startWorker({
      ...deps,
      queue,
      concurrency: opts.concurrency,
      worker: `bench-worker-${i + 1}`,
      progress: silentProgress,
    });
    return { queue, ...w };
  });
  const queue = dealt(running.map((w) => w.queue));
  return {
    store,
    deps,
    queue,
    workers: running.map((w) => w.worker),
    location: dataDir,
    describe: `embedded SQLite (one file), ${opts.workers} in-process workers × ${opts.concurrency} mailboxes (LocalQueue each, one process)`,
    async databaseBytes() {
      if (store.dialect === 'postgres') {
        const r = await sql<{
          bytes: string;
        }>`SELECT pg_database_size(current_database()) AS bytes`.execute(store.db);
        return Number(r.rows[0]?.bytes ?? 0);
      }
      await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(store.db);
      const size = (f: string) => {
        try {
          return statSync(f).size;
        } catch {
          return 0;
        }
      };
      return size(store.location) + size(`${store.location}-wal`);
    },
    async close() {
      await Promise.all(running.map((w) => w.stop()));
      await store.close();
    },
  };
}

/**
 * One queue over the in-process workers' queues: each job goes to the next worker by turns, as W processes
 * taking from one shared queue would share them out; the rest is asked of all of them.
 */
function dealt(queues: LocalQueue[]): JobQueue {
  let turn = 0;
  return {
    enqueue: (name, data, o) => queues[turn++ % queues.length]!.enqueue(name, data, o),
    work: () => {
      throw new Error('The benchmark workers take jobs from their own queues; register handlers there.');
    },
    cancel: async (match) =>
      (await Promise.all(queues.map((q) => q.cancel(match)))).reduce((sum, n) => sum + n, 0),
    settled: async (match) => void (await Promise.all(queues.map((q) => q.settled(match)))),
    close: async () => void (await Promise.all(queues.map((q) => q.close()))),
  };
}

/** The API server over the store at `location` (what `openRuntime` gave as `location`), not listening. */
export function openApiServer(location: string): Promise<FastifyInstance> {
  return buildServer({ dataDir: location });
}
