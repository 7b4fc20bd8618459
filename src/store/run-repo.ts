/**
 * Runs as data (tables runs, run_mailboxes): a pass's project, phase and mailboxes, and each mailbox's state,
 * so a worker in any process can run a mailbox of it. A mailbox is admitted into the run's window by one
 * statement that counts the running mailboxes whose heartbeat is fresh, under a lock on the run's row, so
 * two workers never overfill the window; a worker that died stops counting once its heartbeat is stale.
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

export class RunRepo {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: 'sqlite' | 'postgres' = 'sqlite',
  ) {}

  /** Record a run and its mailboxes in their order (inside the caller's transaction when given). */
  async create(
    run: { id: string; projectId: number | null; phase?: string; dryRun: boolean },
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
    await this.db
      .updateTable('run_mailboxes')
      .set({ state: 'queued', worker: null, heartbeat_at: null })
      .where('run_id', '=', runId)
      .where('mailbox_id', '=', mailboxId)
      .where('state', '=', 'running')
      .execute();
  }

  /** The mailbox's pass ended; when every mailbox has, the run is done. */
  async ended(
    runId: string,
    mailboxId: number,
    outcome: { state: 'done' | 'failed' | 'stopped'; counters?: PassCounters; error?: string },
  ): Promise<void> {
    await this.db
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
    await this.finishIfEnded(runId);
  }

  /** Mark the run done once no mailbox is queued or running. */
  async finishIfEnded(runId: string): Promise<boolean> {
    const open = await this.db
      .selectFrom('run_mailboxes')
      .select('mailbox_id')
      .where('run_id', '=', runId)
      .where('state', 'in', ['queued', 'running'])
      .limit(1)
      .executeTakeFirst();
    if (open) return false;
    // A paused run stays 'cancelled' (it did not finish its mailboxes); it is over all the same.
    await this.db
      .updateTable('runs')
      .set({ state: 'done', finished_at: new Date().toISOString() })
      .where('id', '=', runId)
      .where('state', '=', 'running')
      .execute();
    await this.db
      .updateTable('runs')
      .set({ finished_at: new Date().toISOString() })
      .where('id', '=', runId)
      .where('finished_at', 'is', null)
      .execute();
    return true;
  }

  /** Pause: every worker sees it at its next heartbeat; mailboxes not started are stopped. */
  async cancel(runId: string): Promise<void> {
    await this.db.updateTable('runs').set({ state: 'cancelled' }).where('id', '=', runId).execute();
    await this.db
      .updateTable('run_mailboxes')
      .set({ state: 'stopped', error: 'stopped before it started', finished_at: new Date().toISOString() })
      .where('run_id', '=', runId)
      .where('state', '=', 'queued')
      .execute();
    await this.finishIfEnded(runId);
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
  };
}
