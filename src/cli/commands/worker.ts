/**
 * `cutover worker --database-url URL [--concurrency N]`: takes mailbox jobs of the runs queued on the
 * database (`cutover migrate --enqueue`, or a server) until stopped. SIGTERM or Ctrl-C hands the running
 * mailboxes back to the queue (the ledger has every write; another worker goes on from there) and exits 0.
 */
import pg from 'pg';
import { ErrorCode, PermanentError } from '../../errors.js';
import { PgKeptSecrets } from '../../runner/pg/pg-kept-secrets.js';
import { PgRateLimiter } from '../../runner/pg/pg-rate-limiter.js';
import { PgSharedLimits } from '../../runner/pg/pg-shared-limits.js';
import { PgSlots } from '../../runner/pg/pg-slots.js';
import { PgQueue } from '../../runner/pg/pg-queue.js';
import { SECRET_KEY_ENV, openSecretBox } from '../../security/secret-key.js';
import { leaseMs, sharedTiming } from '../../services/shared-runs.js';
import { startWorker, workerLog } from '../../services/worker-service.js';
import { ProjectService } from '../../services/project-service.js';
import { openStoreAt, storeTarget } from '../../store/db.js';
import { ProjectMailboxRepo } from '../../store/project-mailbox-repo.js';
import { ProjectRepo } from '../../store/project-repo.js';
import { resolveDataDir } from '../context.js';
import { checkStoreKey } from '../../services/store-key-check.js';

export interface WorkerOptions {
  databaseUrl?: string;
  dataDir?: string;
  concurrency: string;
}

/** The database a command that shares work with workers needs, and the key every machine must share. */
export function sharedDatabase(o: { databaseUrl?: string; dataDir?: string }, what: string) {
  const target = storeTarget({
    ...(o.databaseUrl ? { databaseUrl: o.databaseUrl } : {}),
    dataDir: resolveDataDir(o),
  });
  if (!('databaseUrl' in target))
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `${what} needs the PostgreSQL database the workers share.`,
      'Give --database-url postgres://USER:PASS@HOST:PORT/DB (or set CUTOVER_DATABASE_URL).',
    );
  if (!process.env[SECRET_KEY_ENV])
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `${what} needs ${SECRET_KEY_ENV}: the stored passwords are sealed with it, and every machine must use the same key.`,
      `Generate one once (openssl rand -base64 32) and set ${SECRET_KEY_ENV} to it on every machine that runs Cutover on this database.`,
    );
  return target;
}

export async function workerCommand(o: WorkerOptions): Promise<void> {
  const concurrency = Number(o.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `--concurrency ${o.concurrency} is not a number of mailboxes.`,
      'Give 1–256 (mailboxes this worker runs at once).',
    );
  const target = sharedDatabase(o, 'cutover worker');
  const store = await openStoreAt(target);
  const queue = new PgQueue({ url: target.databaseUrl, leaseMs: leaseMs() });
  // One pool for the limits every worker counts together (runner/pg/).
  const pool = new pg.Pool({
    connectionString: target.databaseUrl,
    max: 4,
    application_name: 'cutover-limits',
  });
  pool.on('error', () => undefined); // a dropped idle connection: the next query opens another
  const slots = new PgSlots(pool, { leaseMs: leaseMs() });
  const sharedLimits = new PgSharedLimits(pool, { leaseMs: leaseMs() });
  const rates: PgRateLimiter[] = [];
  await queue.start();
  const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  const members = new ProjectMailboxRepo(store.db);
  const box = openSecretBox(store.dataDir);
  await checkStoreKey(store, box);
  const projects = new ProjectService({ projects: new ProjectRepo(store.db), box, members });
  const worker = startWorker({
    store,
    projects,
    members,
    box,
    queue,
    concurrency,
    progress: workerLog(log),
    timing: sharedTiming(),
    cluster: {
      slots,
      rate: (key, limits) => {
        const r = new PgRateLimiter(pool, key, limits);
        rates.push(r);
        return r;
      },
      hooks: { sharedLimits, keptSecrets: new PgKeptSecrets(pool, box) },
    },
  });
  log(`worker ${worker.worker} taking jobs (${concurrency} mailboxes at once); stop with SIGTERM or Ctrl-C`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  log('stopping: running mailboxes go back to the queue');
  // Whatever happens, exit within 30 s: a slice still running then is taken over after its lease.
  setTimeout(() => process.exit(0), 25_000).unref();
  await worker.stop();
  await Promise.all([slots.close(), sharedLimits.close(), ...rates.map((r) => r.close())]);
  await pool.end().catch(() => undefined);
  await store.close();
  log('stopped');
}
