/**
 * The scale benchmark on what issue 18 asks for: the store in PostgreSQL (`openStoreAt({ databaseUrl })`),
 * passes enqueued on the pg-boss queue (`PgQueue`: enqueueRun commits the run and its jobs together) and W
 * separate worker PROCESSES (bench/scale/worker.ts: the code of `cutover worker` with the synthetic kind
 * registered), stopped with SIGTERM by PID. The database is the one given (`--database-url`, which must be
 * empty) or a throwaway server of test/harness/postgres.ts (`--postgres`), stopped and dropped at the end.
 * Every process gets the same CUTOVER_SECRET_KEY, CUTOVER_DATABASE_URL and CUTOVER_DATA_DIR.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { PgQueue } from '../../src/runner/pg/pg-queue.js';
import { SECRET_KEY_ENV, openSecretBox } from '../../src/security/secret-key.js';
import { ProjectService } from '../../src/services/project-service.js';
import { leaseMs } from '../../src/services/shared-runs.js';
import { openStoreAt, type Store } from '../../src/store/db.js';
import { ProjectMailboxRepo } from '../../src/store/project-mailbox-repo.js';
import { ProjectRepo } from '../../src/store/project-repo.js';
import { DATABASE_URL_ENV } from '../../src/store/store-target.js';
import { startPostgres, type PgTestServer } from '../../test/harness/postgres.js';
import type { RuntimeOptions, ScaleRuntime } from './runtime.js';

/** How long W workers may take to load and announce themselves (tsx compiles on first start). */
const READY_MS = 120_000;

interface WorkerProcess {
  child: ChildProcess;
  log: string;
  exited: Promise<number | null>;
}

const tail = (file: string) => {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
};

/** A live process's peak resident set (VmHWM in /proc), in MB; NaN when it is gone. */
function peakRssMb(pid: number): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** Open the PostgreSQL runtime (see the file header). */
export async function openPgRuntime(opts: RuntimeOptions & { databaseUrl?: string }): Promise<ScaleRuntime> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cutover-scale-'));
  let server: PgTestServer | undefined;
  let store: Store | undefined;
  let queue: PgQueue | undefined;
  const workers: WorkerProcess[] = [];
  const lost = new AbortController();
  let closing = false;
  const close = async () => {
    closing = true;
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGTERM');
    const stopped = await Promise.race([
      Promise.all(workers.map((w) => w.exited)),
      new Promise<'late'>((r) => setTimeout(() => r('late'), 35_000).unref()),
    ]);
    if (stopped === 'late') {
      process.stderr.write('  workers still running 35 s after SIGTERM: killed\n');
      for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    } else if (stopped.some((code) => code !== 0)) {
      process.stderr.write(`  workers exited with ${stopped.join(', ')} after SIGTERM (expected 0)\n`);
    }
    await queue?.close().catch(() => undefined);
    await store?.close().catch(() => undefined);
    await server?.stop();
    if (!opts.keep) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    server = opts.databaseUrl ? undefined : await startPostgres();
    const url = opts.databaseUrl ?? (await server!.createDatabase('cutover_scale'));
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      [SECRET_KEY_ENV]: process.env[SECRET_KEY_ENV]?.trim() || randomBytes(32).toString('base64'),
      [DATABASE_URL_ENV]: url,
      CUTOVER_DATA_DIR: dataDir,
    };
    store = await openStoreAt({ databaseUrl: url, dataDir });
    const used = await sql<{ n: string }>`SELECT count(*) AS n FROM ledger`.execute(store.db);
    if (Number(used.rows[0]?.n) > 0)
      throw new Error(
        'The database given with --database-url already has ledger rows: the figures (rows, size) would count them. Give an empty database (createdb), or --postgres for a throwaway server.',
      );
    const box = openSecretBox(dataDir, env);
    const members = new ProjectMailboxRepo(store.db);
    const projects = new ProjectService({ projects: new ProjectRepo(store.db), box, members });
    queue = new PgQueue({ url, leaseMs: leaseMs(env), presence: false });
    await queue.start();

    const script = path.join(import.meta.dirname, 'worker.ts');
    for (let i = 0; i < opts.workers; i++) {
      const log = path.join(dataDir, `worker-${i + 1}.log`);
      const fd = openSync(log, 'a');
      const profile = opts.profileDir ? ['--cpu-prof', '--cpu-prof-dir', opts.profileDir] : [];
      const child = spawn(
        process.execPath,
        [
          ...profile,
          '--import',
          'tsx',
          script,
          ...['--folders', String(opts.shape.folders), '--items', String(opts.shape.items)],
          ...['--concurrency', String(opts.concurrency)],
        ],
        { env, stdio: ['ignore', fd, fd] },
      );
      closeSync(fd);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      void exited.then((code) => {
        if (closing) return;
        process.stderr.write(`  worker ${child.pid} exited (${code}) during the run:\n${tail(log)}\n`);
        if (workers.every((w) => w.child.exitCode !== null || w.child.signalCode !== null)) lost.abort();
      });
      workers.push({ child, log, exited });
    }
    // Timing starts at the first enqueue: wait until every worker process takes jobs.
    const pids = workers.map((w) => w.child.pid!);
    for (const deadline = Date.now() + READY_MS; ;) {
      const rows = await store.db
        .selectFrom('workers')
        .select(['id', 'pid'])
        .where('stopped_at', 'is', null)
        .where('pid', 'in', pids)
        .execute();
      if (rows.length === pids.length) break;
      if (lost.signal.aborted || Date.now() > deadline)
        throw new Error(
          `${pids.length - rows.length} of ${pids.length} worker processes did not start taking jobs:\n${workers.map((w) => tail(w.log)).join('\n')}`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
    const where = opts.databaseUrl
      ? 'the database given'
      : 'a throwaway server of test/harness/postgres.ts (fsync off)';
    const s = store;
    return {
      store: s,
      deps: { store: s, projects, members, box },
      queue,
      workers: pids.map((pid) => `${os.hostname()}:${pid}`),
      location: dataDir,
      env,
      lost: lost.signal,
      describe: `PostgreSQL (${where}), pg-boss queue, ${opts.workers} \`cutover worker\` processes (bench/scale/worker.ts) × ${opts.concurrency} mailboxes`,
      async databaseBytes() {
        const r = await sql<{ bytes: string }>`SELECT pg_database_size(current_database()) AS bytes`.execute(
          s.db,
        );
        return Number(r.rows[0]?.bytes ?? 0);
      },
      workerPeakRssMb: () => workers.map((w) => peakRssMb(w.child.pid!)),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
