/**
 * THE ONE SEAM of the scale benchmark: everything that opens the store, the job queue, the workers and the
 * API server is here (and in pg-runtime.ts, which it picks); the rest of bench/scale/ sees only a Store,
 * the shared-run dependencies, an `enqueue`, a database size, and the data directory and environment that
 * let a child process open the same store.
 *
 * Two runtimes:
 * - PostgreSQL (`--database-url URL` or `--postgres`): pg-runtime.ts — the store in PostgreSQL, the pg-boss
 *   queue, W `cutover worker` processes (bench/scale/worker.ts). What issue 18 asks for.
 * - Embedded (the default, no database given): the SQLite store in a fresh data directory; `--workers W`
 *   in-process workers, each a LocalQueue with its own `startWorker` (own SharedRuns, connection slots and
 *   limiter, as separate processes would have), jobs dealt to them by turns as processes taking from one
 *   queue would take them; the run's window is admitted over all of them by the store. Database size = the
 *   SQLite file (after a WAL checkpoint).
 * In both, the API runs in a child process (bench/scale/api-probe.ts) over the same store: `openApiServer`
 * with the data directory, and the database URL when the child's environment has CUTOVER_DATABASE_URL.
 * The secret box (sealed admin passwords) takes CUTOVER_SECRET_KEY, which every process is given alike.
 */
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
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
import { DATABASE_URL_ENV } from '../../src/store/store-target.js';
import type { SyntheticShape } from './synthetic-messages.js';

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
  /** The data directory every process of the run uses (handed to `openApiServer`). */
  location: string;
  /** The environment of the run's child processes (the API process): the store's URL and key, if any. */
  env: NodeJS.ProcessEnv;
  /** Aborted when every worker process died: nothing will finish the pass. */
  lost?: AbortSignal;
  /** In words, for the results: which store, queue and workers. */
  describe: string;
  /** Bytes the database takes now. */
  databaseBytes(): Promise<number>;
  /** Peak RSS (MB) of each worker process so far, where the workers are processes of their own. */
  workerPeakRssMb?(): number[];
  /** Stop the workers, close the store, remove the data directory (unless kept) and a throwaway server. */
  close(): Promise<void>;
}

/** What every runtime is opened with. */
export interface RuntimeOptions {
  workers: number;
  concurrency: number;
  /** The synthetic mailboxes' shape, which worker processes register too. */
  shape: SyntheticShape;
  /** Keep the data directory (and a given database's contents, which are never dropped). */
  keep: boolean;
  /** Worker processes write CPU profiles (`node --cpu-prof`) here. */
  profileDir?: string;
}

/**
 * Open the store and start `workers` workers taking `concurrency` mailboxes each: on PostgreSQL when
 * `databaseUrl` or `postgres` is given (pg-runtime.ts), else embedded; see the file header.
 */
export async function openRuntime(
  opts: RuntimeOptions & { databaseUrl?: string; postgres?: boolean },
): Promise<ScaleRuntime> {
  if (opts.databaseUrl || opts.postgres) {
    const { openPgRuntime } = await import('./pg-runtime.js');
    return openPgRuntime(opts);
  }
  if (opts.profileDir)
    throw new Error('--cpu-prof-dir needs worker processes: give --postgres or --database-url.');
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
    env: withoutDatabaseUrl(process.env),
    describe: `embedded SQLite (one file), ${opts.workers} in-process workers × ${opts.concurrency} mailboxes (LocalQueue each, one process)`,
    async databaseBytes() {
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
      if (!opts.keep) await rm(dataDir, { recursive: true, force: true });
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

/** The embedded runtime's children must not pick up a database URL of the shell that started the bench. */
function withoutDatabaseUrl(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  delete out[DATABASE_URL_ENV];
  return out;
}

/**
 * The API server over the run's store (`location` = the runtime's data directory; the database of
 * CUTOVER_DATABASE_URL when the runtime put it in this process's environment), not listening.
 */
export function openApiServer(location: string): Promise<FastifyInstance> {
  const databaseUrl = process.env[DATABASE_URL_ENV];
  return buildServer({ dataDir: location, ...(databaseUrl ? { databaseUrl } : {}) });
}
