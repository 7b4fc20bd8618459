/**
 * The JobQueue over PostgreSQL (pg-boss 10): every process that opens it on the same database shares one
 * queue, so worker processes on several machines take jobs from it. pg-boss keeps the tables (its own
 * schema), the inserts (singleton keys, start-after, inside a caller's transaction) and the maintenance;
 * this file adds what the job seam needs beyond it:
 * - leases: a running job's lease is renewed at every heartbeat while its handler runs; a worker that dies
 *   stops renewing, and after the lease any worker's heartbeat has pg-boss expire the job back into the
 *   queue (up to `takeovers` times), where another worker takes it over;
 * - a run is fenced by its start time, so a worker that lost its lease can no longer end or continue it;
 * - cancel marks rows cancelled; the running handler sees its signal abort at once in this process, and at
 *   its worker's next heartbeat elsewhere (the renewal finds the row no longer its own);
 * - a handler's `retry` ends the run and queues its continuation in one statement, keeping its place;
 * - close hands running jobs back at once (their handlers return their slice) instead of after the lease.
 * Nothing waits in a worker: throttling is a continuation with a start time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { Kysely, PostgresDialect } from 'kysely';
import { ErrorCode, PermanentError, TransientError } from '../../errors.js';
import type { Database } from '../../store/schema.js';
import { WorkerRepo } from '../../store/worker-repo.js';
import type { EnqueueOptions, JobData, JobHandler, JobInfo, JobMatch, JobName, JobQueue } from '../job.js';
import { checkSchema, statements, type Statements } from './pg-queue-sql.js';
import { bossDb, type SqlExecutor } from './tx-executor.js';
import { WorkerPresence } from './worker-presence.js';
import { infoOf, JobRuns, messageOf, type Handler, type JobRow } from './job-runs.js';

/** How the queue is opened. */
export interface PgQueueOptions {
  /** postgres://USER:PASS@HOST:PORT/DB */
  url: string;
  /** The schema of pg-boss's tables (default `pgboss`). */
  schema?: string;
  /** How long a running job stays held without a heartbeat before another worker may take it (30 s). */
  leaseMs?: number;
  /**
   * How often leases are renewed, cancels made elsewhere noticed, expired leases reclaimed and this worker's
   * presence renewed (2 s; never more than a third of the lease).
   */
  heartbeatMs?: number;
  /** How often due jobs are looked for (1 s); a job enqueued in this process is looked for at once. */
  pollMs?: number;
  /** How often a job whose lease expired passes to another worker before it fails instead (5). */
  takeovers?: number;
  /** Connections of this process's pool (10). */
  poolSize?: number;
  /** Keep this process's row in the store's `workers` table while it takes jobs (default true). */
  presence?: boolean;
  /** A handler threw (a bug: the job fails, no retry). Default: a process warning. */
  onFailed?: (job: JobInfo, err: unknown) => void;
  /** A background step failed (the database went away); it is tried again. Default: a process warning. */
  onError?: (err: unknown) => void;
}

/** An enqueue that may ride on the caller's open transaction. */
export interface PgEnqueueOptions extends EnqueueOptions {
  /** The job is queued only if this transaction (of the same database) commits. */
  tx?: SqlExecutor;
}

/** The shared queue; see the file header. */
export class PgQueue implements JobQueue {
  private readonly pool: pg.Pool;
  private readonly boss: PgBoss;
  private readonly sql: Statements;
  private readonly leaseS: number;
  private readonly heartbeatMs: number;
  private readonly pollMs: number;
  private readonly presence?: WorkerPresence;
  private readonly handlers = new Map<JobName, Handler>();
  private readonly runs: JobRuns;
  private readonly queues = new Map<JobName, Promise<void>>();
  private phase: 'new' | 'started' | 'closing' | 'closed' = 'new';
  private heartbeat?: NodeJS.Timeout;
  private poller?: NodeJS.Timeout;
  private pumping?: Promise<void>;
  private pumpAgain = false;
  private beating?: Promise<void>;
  private closing?: Promise<void>;

  constructor(private readonly opts: PgQueueOptions) {
    const schema = checkSchema(opts.schema ?? 'pgboss');
    this.sql = statements(schema);
    this.leaseS = (opts.leaseMs ?? 30_000) / 1000;
    this.heartbeatMs = Math.min(opts.heartbeatMs ?? 2000, (this.leaseS * 1000) / 3);
    this.pollMs = opts.pollMs ?? 1000;
    this.pool = new pg.Pool({
      connectionString: opts.url,
      max: opts.poolSize ?? 10,
      application_name: 'cutover-queue',
    });
    this.pool.on('error', (err) => this.report(err));
    this.boss = new PgBoss({
      db: { executeSql: (text: string, values?: unknown[]) => this.pool.query(text, values) },
      schema,
      schedule: false,
    });
    this.boss.on('error', (err) => this.report(err));
    this.runs = new JobRuns({
      pool: this.pool,
      sql: this.sql,
      leaseS: this.leaseS,
      stopping: () => this.phase !== 'started',
      onFailed: opts.onFailed ?? warnFailed,
      report: (err) => this.report(err),
      ended: () => this.pump(),
    });
    if (opts.presence !== false)
      this.presence = new WorkerPresence(
        new WorkerRepo(new Kysely<Database>({ dialect: new PostgresDialect({ pool: this.pool }) })),
      );
  }

  /** Create or update pg-boss's tables and start the heartbeat and polling. */
  async start(): Promise<void> {
    if (this.phase !== 'new')
      throw new PermanentError(ErrorCode.Internal, 'This job queue was started already.', 'Open a new one.');
    try {
      await this.boss.start();
      await this.pool.query(this.sql.singletonIndex);
    } catch (err) {
      this.phase = 'closed';
      await this.boss.stop({ graceful: false }).catch(() => undefined);
      await this.pool.end().catch(() => undefined);
      throw new TransientError(
        ErrorCode.ServerUnavailable,
        `The job queue cannot open its tables in PostgreSQL at ${where(this.opts.url)}: ${messageOf(err)}`,
        'Check --database-url (or CUTOVER_DATABASE_URL), and that the server is up and takes this login.',
        { cause: err },
      );
    }
    this.phase = 'started';
    this.heartbeat = setInterval(() => void this.tick(), this.heartbeatMs).unref();
    this.poller = setInterval(() => this.pump(), this.pollMs).unref();
    this.pump();
  }

  async enqueue<N extends JobName>(
    name: N,
    data: JobData[N],
    opts: PgEnqueueOptions = {},
  ): Promise<string | undefined> {
    if (this.phase === 'closed') return undefined;
    this.assertStarted();
    await this.ensureQueue(name);
    const id = await this.boss.send(name, data, {
      retryLimit: this.opts.takeovers ?? 5,
      expireInSeconds: Math.max(1, Math.ceil(this.leaseS)),
      ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
      ...(opts.singletonKey ? { singletonKey: opts.singletonKey } : {}),
      ...(opts.tx ? { db: bossDb(opts.tx) } : {}),
    });
    // A job in a transaction is not there before it commits: polling finds it.
    if (id && !opts.tx && this.handlers.has(name)) this.pump();
    return id ?? undefined;
  }

  work<N extends JobName>(
    name: N,
    handler: JobHandler<N>,
    opts: { concurrency: number | (() => number) },
  ): void {
    if (this.handlers.has(name))
      throw new PermanentError(
        ErrorCode.Internal,
        `A handler for "${name}" jobs is already registered on this queue.`,
        'Register one handler per job kind.',
      );
    this.handlers.set(name, {
      handler: handler as unknown as JobHandler<JobName>,
      concurrency: opts.concurrency,
      running: 0,
    });
    this.pump();
  }

  async cancel(match: JobMatch): Promise<number> {
    this.assertStarted();
    const rows = await this.matchRows(match);
    const { rows: done } = await this.pool.query<{ id: string }>(this.sql.cancel, [
      rows.map((r) => r.name),
      rows.map((r) => r.id),
    ]);
    for (const { id } of done) this.runs.lose(id);
    return done.length;
  }

  async settled(match?: JobMatch): Promise<void> {
    for (;;) {
      this.assertStarted();
      if (!(await this.matchRows(match)).length) return;
      await sleep(this.pollMs);
    }
  }

  /**
   * Stop taking jobs; running handlers are aborted and their jobs handed back at once (a handler's `retry`
   * is its continuation; one that throws because it was stopped puts the job back as it was), so another
   * worker continues them. Resolves when the handlers have returned and the pool is closed.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    const was = this.phase;
    if (was === 'closed') return; // a start that failed closed everything
    this.phase = 'closing';
    if (was === 'started') {
      clearInterval(this.poller);
      await this.pumping;
      await this.runs.stop(); // the heartbeat keeps their leases while they wind down
      clearInterval(this.heartbeat);
      await this.beating;
      await this.presence?.gone().catch((err: unknown) => this.report(err));
      await this.boss.stop({ graceful: false, close: false });
    }
    this.phase = 'closed';
    await this.pool.end();
  }

  /** The queued and running jobs that `match` matches (all when none given). */
  private async matchRows(match?: JobMatch): Promise<JobRow[]> {
    const { rows } = await this.pool.query<JobRow>(this.sql.openJobs, [
      typeof match === 'string' ? match : null,
    ]);
    return typeof match === 'function' ? rows.filter((r) => match(infoOf(r))) : rows;
  }

  private assertStarted(): void {
    if (this.phase === 'new' || this.phase === 'closed')
      throw new PermanentError(
        ErrorCode.Internal,
        `The PostgreSQL job queue is ${this.phase === 'new' ? 'not started' : 'closed'}.`,
        'Call start() before using it, and no method after close().',
      );
  }

  /** pg-boss needs a queue (its partition of the job table) per name before a job of it goes in. */
  private ensureQueue(name: JobName): Promise<void> {
    let p = this.queues.get(name);
    if (!p) {
      p = this.createQueue(name);
      this.queues.set(name, p);
      p.catch(() => this.queues.delete(name));
    }
    return p;
  }

  private async createQueue(name: JobName): Promise<void> {
    if (await this.boss.getQueue(name)) return;
    const lock = await this.pool.connect();
    try {
      await lock.query(this.sql.lockSetup);
      try {
        await this.boss.createQueue(name); // idempotent: a queue made meanwhile stays as it is
      } finally {
        await lock.query(this.sql.unlockSetup);
      }
    } finally {
      lock.release();
    }
  }

  /** Start due jobs while the handlers have room (one pass at a time per process, in queue order). */
  private pump(): void {
    if (this.phase !== 'started') return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    const pass = (async () => {
      try {
        do {
          this.pumpAgain = false;
          for (const [name, h] of this.handlers) {
            await this.ensureQueue(name);
            while (this.phase === 'started' && h.running < limitOf(h)) {
              const { rows } = await this.pool.query<JobRow & { token: string }>(this.sql.fetchNext, [
                name,
                this.leaseS,
              ]);
              const row = rows[0];
              if (!row) break;
              if (this.phase !== 'started') {
                await this.pool.query(this.sql.handBack, [name, row.id, row.token]);
                break;
              }
              this.runs.start(h, { ...row, name }, row.token);
            }
          }
        } while (this.pumpAgain && this.phase === 'started');
      } catch (err) {
        this.report(err);
      }
    })();
    // Cleared in a later microtask, never before it is set (a pass can end without awaiting anything).
    this.pumping = pass.finally(() => (this.pumping = undefined));
  }

  /** Every heartbeat: renew leases (and notice lost ones), reclaim expired leases, renew presence. */
  private tick(): Promise<void> {
    if (this.beating) return this.beating;
    const beat = (async () => {
      try {
        await this.runs.renew();
        if (this.handlers.size && this.phase === 'started') {
          await this.boss.expire();
          await this.presence?.beat(this.load());
        }
      } catch (err) {
        this.report(err);
      }
    })();
    this.beating = beat.finally(() => (this.beating = undefined));
    return this.beating;
  }

  private load(): { concurrency: number; running: number } {
    let concurrency = 0;
    for (const h of this.handlers.values()) concurrency += limitOf(h);
    return { concurrency, running: this.runs.size };
  }

  private report(err: unknown): void {
    (this.opts.onError ?? ((e: unknown) => process.emitWarning(`The job queue: ${messageOf(e)}`)))(err);
  }
}

const limitOf = (h: Handler): number =>
  Math.max(0, Math.floor(typeof h.concurrency === 'number' ? h.concurrency : h.concurrency()));

/** The URL without its password, for messages. */
function where(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return 'an unreadable URL';
  }
}

function warnFailed(job: JobInfo, err: unknown): void {
  process.emitWarning(
    `The ${job.name} job ${job.id} failed: ${err instanceof Error ? err.stack : String(err)}`,
  );
}
