/**
 * The worker processes that share a queue (scale-out on PostgreSQL): each announces itself when it starts
 * taking jobs, renews its heartbeat and load every few seconds, and marks itself stopped when it closes. A
 * worker killed without a word keeps its last heartbeat, which is how a reader tells it is gone.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, WorkerTable } from './schema.js';

/** A worker as read back (numbers normalised: pg may hand back integers as strings). */
export type WorkerRow = Selectable<WorkerTable>;

/** What a worker says about itself at each heartbeat. */
export interface WorkerLoad {
  concurrency: number;
  running: number;
}

export class WorkerRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Record a worker that starts taking jobs (again, if its id is known: a restart of the same process). */
  async announce(w: { id: string; host: string; pid: number; at: Date } & WorkerLoad): Promise<void> {
    const at = w.at.toISOString();
    const row = {
      host: w.host,
      pid: w.pid,
      heartbeat_at: at,
      concurrency: w.concurrency,
      running: w.running,
    };
    await this.db
      .insertInto('workers')
      .values({ id: w.id, started_at: at, stopped_at: null, ...row })
      .onConflict((oc) => oc.column('id').doUpdateSet({ ...row, stopped_at: null }))
      .execute();
  }

  /** Renew a worker's heartbeat and load; false when it is not announced (then announce it). */
  async beat(id: string, load: WorkerLoad, at: Date): Promise<boolean> {
    const r = await this.db
      .updateTable('workers')
      .set({ heartbeat_at: at.toISOString(), concurrency: load.concurrency, running: load.running })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** A worker stopped cleanly: it runs nothing and takes nothing more. */
  async stopped(id: string, at: Date): Promise<void> {
    await this.db
      .updateTable('workers')
      .set({ stopped_at: at.toISOString(), heartbeat_at: at.toISOString(), running: 0 })
      .where('id', '=', id)
      .execute();
  }

  /** Every worker known, the most recently heard from first. */
  async list(): Promise<WorkerRow[]> {
    const rows = await this.db.selectFrom('workers').selectAll().orderBy('heartbeat_at', 'desc').execute();
    return rows.map((r) => ({
      ...r,
      pid: Number(r.pid),
      concurrency: Number(r.concurrency),
      running: Number(r.running),
    }));
  }
}
