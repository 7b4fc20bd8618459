/**
 * Runs as data (tables runs, run_mailboxes): a pass's project, phase and mailboxes, and each mailbox's state,
 * so a worker in any process can run a mailbox of it. A mailbox is admitted into the run's window by one
 * statement that counts the running mailboxes whose heartbeat is fresh, under a lock on the run's row, so
 * two workers never overfill the window; a worker that died stops counting once its heartbeat is stale.
 * On PostgreSQL every state change also notifies RUN_CHANNEL in its own transaction (pg-run-signals.ts), so
 * followers wake at its commit instead of at their next poll. A pass a server runs in its own process is a
 * run too (`local`): its row carries a heartbeat, and one whose process died is closed as interrupted.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { PassCounters } from './mailbox-repo.js';

export type RunState = 'running' | 'cancelled' | 'done';
export type RunMailboxState = 'queued' | 'running' | 'done' | 'failed' | 'stopped';

export interface RunRow {
  id: string;
  projectId: number | null;
  phase: string | null;
  dryRun: boolean;
  state: RunState;
  createdAt: string;
  finishedAt: string | null;
  /** Where it was started; null when not recorded. */
  origin: string | null;
  /** Run inside one process (its heartbeat, epoch ms); null: run by the workers. */
  heartbeatAt: number | null;
}

export interface RunMailboxRow {
  mailboxId: number;
  sourceUser: string;
  position: number;
  state: RunMailboxState;
  worker: string | null;
  heartbeatAt: number | null;
  counters: PassCounters | null;
  error: string | null;
}

/** What `admit` answers: in the window, not now (the window is full), or the mailbox has already ended. */
export type Admission = 'admitted' | 'full' | 'ended' | 'cancelled';

type Db = Kysely<Database> | Transaction<Database>;

/** The channel run changes are notified on (PostgreSQL), payload '<run id> <project id or empty> <run|mailbox>'. */
export const RUN_CHANNEL = 'cutover_runs';

/** The first key of the transaction lock `claim` takes per project ('CUTR'). */
const CLAIM_CLASS = 0x43555452;

export class RunRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres' = 'sqlite',
  ) {}

  /**
   * Record a run and its mailboxes in their order (inside the caller's transaction when given); `local`: run
   * inside the recording process, which keeps its heartbeat (`touch`).
   */
  async create(
    run: {
      id: string;
      projectId: number | null;
      phase?: string;
      dryRun: boolean;
      origin?: string;
      local?: boolean;
    },
    mailboxes: Array<{ mailboxId: number; sourceUser: string }>,
    db: Db = this.db,
  ): Promise<void> {
    await db
      .insertInto('runs')
      .values({
        id: run.id,
        project_id: run.projectId,
        phase: run.phase ?? null,
        dry_run: run.dryRun ? 1 : 0,
        state: 'running',
        created_at: new Date().toISOString(),
        finished_at: null,
        origin: run.origin ?? null,
        heartbeat_at: run.local ? Date.now() : null,
      })
      .execute();
    for (let i = 0; i < mailboxes.length; i += 500)
      await db
        .insertInto('run_mailboxes')
        .values(
          mailboxes.slice(i, i + 500).map((m, j) => ({
            run_id: run.id,
            mailbox_id: m.mailboxId,
            source_user: m.sourceUser,
            position: i + j,
            state: 'queued',
            worker: null,
            heartbeat_at: null,
            counters: null,
            error: null,
            started_at: null,
            finished_at: null,
          })),
        )
        .execute();
    await this.notify(db, run.id, 'run');
  }

  /** The project's newest run, over or not. */
  async latest(projectId: number): Promise<RunRow | undefined> {
    const r = await this.db
      .selectFrom('runs')
      .selectAll()
      .where('project_id', '=', projectId)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r && toRun(r);
  }

  /**
   * Inside `tx`, the project's runs not over yet: on PostgreSQL after taking the project's transaction lock,
   * so two processes that check and then record a run of one project do it one after the other.
   */
  async claim(projectId: number, tx: Transaction<Database>): Promise<RunRow[]> {
    if (this.dialect === 'postgres')
      await sql`select pg_advisory_xact_lock(${CLAIM_CLASS}, ${projectId})`.execute(tx);
    const rows = await tx
      .selectFrom('runs')
      .selectAll()
      .where('project_id', '=', projectId)
      .where('finished_at', 'is', null)
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toRun);
  }

  /** A local run's process still runs it; the run's state (a pause from elsewhere shows as 'cancelled'). */
  async touch(runId: string, now = Date.now()): Promise<RunState> {
    await this.db
      .updateTable('runs')
      .set({ heartbeat_at: now })
      .where('id', '=', runId)
      .where('heartbeat_at', 'is not', null)
      .where('finished_at', 'is', null)
      .execute();
    return (await this.get(runId))?.state ?? 'cancelled';
  }

  /** A mailbox of a local run started (no window to be admitted to: its process runs its own pool). */
  async started(runId: string, mailboxId: number, worker: string, now = Date.now()): Promise<void> {
    await this.changing(runId, (tx) =>
      tx
        .updateTable('run_mailboxes')
        .set({ state: 'running', worker, heartbeat_at: now, started_at: new Date(now).toISOString() })
        .where('run_id', '=', runId)
        .where('mailbox_id', '=', mailboxId)
        .where('state', 'in', ['queued', 'running'])
        .execute(),
    );
  }

  /**
   * Local runs whose process stopped renewing their heartbeat before `staleBefore` (killed, lost machine):
   * their open mailboxes are stopped and the run is over. How many were closed.
   */
  async closeStale(staleBefore: number): Promise<number> {
    const stale = await this.db
      .selectFrom('runs')
      .select('id')
      .where('finished_at', 'is', null)
      .where('heartbeat_at', 'is not', null)
      .where('heartbeat_at', '<', staleBefore)
      .execute();
    for (const { id } of stale)
      await this.changing(
        id,
        async (tx) => {
          await tx
            .updateTable('run_mailboxes')
            .set({
              state: 'stopped',
              error: 'interrupted: the process running the pass stopped',
              finished_at: new Date().toISOString(),
              heartbeat_at: null,
            })
            .where('run_id', '=', id)
            .where('state', 'in', ['queued', 'running'])
            .execute();
          await tx
            .updateTable('runs')
            .set({ state: 'cancelled', finished_at: new Date().toISOString() })
            .where('id', '=', id)
            .where('finished_at', 'is', null)
            .execute();
        },
        'run',
      );
    return stale.length;
  }

  async get(id: string): Promise<RunRow | undefined> {
    const r = await this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toRun(r);
  }

  /** The project's runs still going, newest first. */
  async active(projectId?: number): Promise<RunRow[]> {
    let q = this.db.selectFrom('runs').selectAll().where('state', '=', 'running');
    if (projectId !== undefined) q = q.where('project_id', '=', projectId);
    return (await q.orderBy('created_at', 'desc').execute()).map(toRun);
  }

  async mailboxes(runId: string): Promise<RunMailboxRow[]> {
    const rows = await this.db
      .selectFrom('run_mailboxes')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('position')
      .execute();
    return rows.map((r) => ({
      mailboxId: r.mailbox_id,
      sourceUser: r.source_user,
      position: r.position,
      state: r.state as RunMailboxState,
      worker: r.worker,
      heartbeatAt: r.heartbeat_at === null ? null : Number(r.heartbeat_at),
      counters: r.counters ? (JSON.parse(r.counters) as PassCounters) : null,
      error: r.error,
    }));
  }

  /**
   * Let the mailbox start if the run's window has room: running mailboxes with a heartbeat newer than
   * `staleBefore` count (the mailbox itself does not). Checked and taken under a lock on the run's row.
   */
  async admit(
    runId: string,
    mailboxId: number,
    window: number,
    worker: string,
    now = Date.now(),
    staleBefore = now - 30_000,
  ): Promise<Admission> {
    return this.db.transaction().execute(async (tx) => {
      const run = await (
        this.dialect === 'postgres'
          ? tx.selectFrom('runs').select('state').where('id', '=', runId).forUpdate()
          : tx.selectFrom('runs').select('state').where('id', '=', runId)
      ).executeTakeFirst();
      if (!run || run.state !== 'running') return 'cancelled';
      const me = await tx
        .selectFrom('run_mailboxes')
        .select('state')
        .where('run_id', '=', runId)
        .where('mailbox_id', '=', mailboxId)
        .executeTakeFirst();
      if (!me || ['done', 'failed', 'stopped'].includes(me.state)) return 'ended';
      const { n } = await tx
        .selectFrom('run_mailboxes')
        .select(sql<number>`count(*)`.as('n'))
        .where('run_id', '=', runId)
        .where('state', '=', 'running')
        .where('mailbox_id', '!=', mailboxId)
        .where('heartbeat_at', '>=', staleBefore)
        .executeTakeFirstOrThrow();
      if (Number(n) >= Math.max(0, window)) return 'full';
      await tx
        .updateTable('run_mailboxes')
        .set({ state: 'running', worker, heartbeat_at: now, started_at: new Date(now).toISOString() })
        .where('run_id', '=', runId)
        .where('mailbox_id', '=', mailboxId)
        .execute();
      await this.notify(tx, runId);
      return 'admitted';
    });
  }

  /** The worker still runs the mailbox; the run's state (a pause shows as 'cancelled'). */
  async heartbeat(runId: string, mailboxId: number, worker: string, now = Date.now()): Promise<RunState> {
    await this.db
      .updateTable('run_mailboxes')
      .set({ heartbeat_at: now })
      .where('run_id', '=', runId)
      .where('mailbox_id', '=', mailboxId)
      .where('worker', '=', worker)
      .where('state', '=', 'running')
      .execute();
    return (await this.get(runId))?.state ?? 'cancelled';
  }

  /** The mailbox's slice ended without finishing it (throttled, handed back): out of the window, queued. */
  async requeued(runId: string, mailboxId: number): Promise<void> {
    await this.changing(runId, (tx) =>
      tx
        .updateTable('run_mailboxes')
        .set({ state: 'queued', worker: null, heartbeat_at: null })
        .where('run_id', '=', runId)
        .where('mailbox_id', '=', mailboxId)
        .where('state', '=', 'running')
        .execute(),
    );
  }

  /** The mailbox's pass ended; when every mailbox has, the run is done. */
  async ended(
    runId: string,
    mailboxId: number,
    outcome: { state: 'done' | 'failed' | 'stopped'; counters?: PassCounters; error?: string },
  ): Promise<void> {
    await this.changing(runId, async (tx) => {
      await tx
        .updateTable('run_mailboxes')
        .set({
          state: outcome.state,
          counters: outcome.counters ? JSON.stringify(outcome.counters) : null,
          error: outcome.error ?? null,
          finished_at: new Date().toISOString(),
          heartbeat_at: null,
        })
        .where('run_id', '=', runId)
        .where('mailbox_id', '=', mailboxId)
        .execute();
      await this.finishIfEnded(runId, tx);
    });
  }

  /** Mark the run done once no mailbox is queued or running. */
  async finishIfEnded(runId: string, db: Db = this.db): Promise<boolean> {
    const open = await db
      .selectFrom('run_mailboxes')
      .select('mailbox_id')
      .where('run_id', '=', runId)
      .where('state', 'in', ['queued', 'running'])
      .limit(1)
      .executeTakeFirst();
    if (open) return false;
    // A paused run stays 'cancelled' (it did not finish its mailboxes); it is over all the same.
    await db
      .updateTable('runs')
      .set({ state: 'done', finished_at: new Date().toISOString() })
      .where('id', '=', runId)
      .where('state', '=', 'running')
      .execute();
    await db
      .updateTable('runs')
      .set({ finished_at: new Date().toISOString() })
      .where('id', '=', runId)
      .where('finished_at', 'is', null)
      .execute();
    return true;
  }

  /** Pause: every worker sees it at its next heartbeat; mailboxes not started are stopped. */
  async cancel(runId: string): Promise<void> {
    await this.changing(
      runId,
      async (tx) => {
        await tx
          .updateTable('runs')
          .set({ state: 'cancelled' })
          .where('id', '=', runId)
          .where('finished_at', 'is', null)
          .execute();
        await tx
          .updateTable('run_mailboxes')
          .set({
            state: 'stopped',
            error: 'stopped before it started',
            finished_at: new Date().toISOString(),
          })
          .where('run_id', '=', runId)
          .where('state', '=', 'queued')
          .execute();
        await this.finishIfEnded(runId, tx);
      },
      'run',
    );
  }

  /**
   * `change` and the run's notification in one transaction: followers hear of it when it commits. On
   * PostgreSQL the run's row is locked first, so two mailboxes ending at once are counted one after the other
   * (each would otherwise miss the other's uncommitted end, and the run would never be marked over).
   */
  private async changing(
    runId: string,
    change: (tx: Transaction<Database>) => Promise<unknown>,
    kind: 'run' | 'mailbox' = 'mailbox',
  ): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      if (this.dialect === 'postgres')
        await tx.selectFrom('runs').select('id').where('id', '=', runId).forUpdate().execute();
      await change(tx);
      await this.notify(tx, runId, kind);
    });
  }

  /** Tell the run's followers (PostgreSQL; delivered when the surrounding transaction commits). */
  private async notify(db: Db, runId: string, kind: 'run' | 'mailbox' = 'mailbox'): Promise<void> {
    if (this.dialect !== 'postgres') return;
    await sql`select pg_notify(${RUN_CHANNEL}, id || ' ' || coalesce(project_id::text, '') || ' ' || ${kind}) from runs where id = ${runId}`.execute(
      db,
    );
  }
}

function toRun(r: Database['runs']): RunRow {
  return {
    id: r.id,
    projectId: r.project_id,
    phase: r.phase,
    dryRun: Boolean(r.dry_run),
    state: r.state as RunState,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    origin: r.origin,
    heartbeatAt: r.heartbeat_at === null ? null : Number(r.heartbeat_at),
  };
}
