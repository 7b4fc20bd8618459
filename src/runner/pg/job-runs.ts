/**
 * The jobs this process runs from the PostgreSQL queue: each run's handler and abort signal, its lease
 * (renewed at every heartbeat; a run whose row is no longer its own — cancelled, or expired and taken by
 * another worker — is aborted), and how it ends: done, a continuation (`retry`), a failure (a bug: never
 * retried) or, when the worker stops, handed back. Every end is fenced by the run's token (the row's
 * started_on), so a run that lost its row changes nothing.
 */
import type pg from 'pg';
import { AbortError } from '../../errors.js';
import type { JobData, JobHandler, JobInfo, JobName, JobResult } from '../job.js';
import type { Statements } from './pg-queue-sql.js';

/** A registered handler and its room. */
export interface Handler {
  handler: JobHandler<JobName>;
  concurrency: number | (() => number);
  running: number;
}

/** A job row as the queue reads it. */
export interface JobRow {
  id: string;
  name: string;
  data: unknown;
  singleton_key: string | null;
}

interface Run {
  info: JobInfo;
  /** The run's fence: the job's started_on as PostgreSQL wrote it. */
  token: string;
  controller: AbortController;
  /** Cancelled, or its lease went to another worker: this run may no longer touch the row. */
  lost: boolean;
}

export class JobRuns {
  private readonly runs = new Map<string, Run>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      pool: pg.Pool;
      sql: Statements;
      leaseS: number;
      /** The worker is stopping: a handler that throws after its abort hands its job back. */
      stopping: () => boolean;
      onFailed: (job: JobInfo, err: unknown) => void;
      report: (err: unknown) => void;
      /** A run ended (its handler has room again). */
      ended: () => void;
    },
  ) {}

  /** Jobs running in this process. */
  get size(): number {
    return this.runs.size;
  }

  /** Run the job just fetched (`token` from the fetch) with `h`. */
  start(h: Handler, row: JobRow, token: string): void {
    const run: Run = { info: infoOf(row), token, controller: new AbortController(), lost: false };
    this.runs.set(row.id, run);
    h.running++;
    const done = (async () => {
      let result: JobResult | undefined;
      let failure: { err: unknown } | undefined;
      try {
        result = await h.handler(run.info.data, { signal: run.controller.signal, id: row.id });
      } catch (err) {
        failure = { err };
      }
      try {
        await this.finish(run, result, failure);
      } catch (err) {
        // The row stays active: its lease runs out and another worker runs the job again (handlers resume).
        this.deps.report(err);
      }
      this.runs.delete(row.id);
      h.running--;
      this.deps.ended();
    })();
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done));
  }

  /** Abort the run of job `id` here, if any: its row was cancelled. */
  lose(id: string): void {
    const run = this.runs.get(id);
    if (!run) return;
    run.lost = true;
    run.controller.abort(new AbortError('The job was cancelled, or another worker took it over.'));
  }

  /** Renew every run's lease; abort the runs whose rows are no longer theirs. */
  async renew(): Promise<void> {
    const runs = [...this.runs.values()].filter((r) => !r.lost);
    if (!runs.length) return;
    const { rows } = await this.deps.pool.query<{ id: string }>(this.deps.sql.renew, [
      runs.map((r) => r.info.name),
      runs.map((r) => r.info.id),
      runs.map((r) => r.token),
      this.deps.leaseS,
    ]);
    const held = new Set(rows.map((r) => r.id));
    for (const run of runs) if (!held.has(run.info.id)) this.lose(run.info.id);
  }

  /** Abort every run (the worker stops) and wait until their handlers have returned and they are ended. */
  async stop(): Promise<void> {
    for (const run of this.runs.values())
      run.controller.abort(new AbortError('The worker is stopping; the job goes back to the queue.'));
    await Promise.allSettled([...this.inFlight]);
  }

  /** Record how a run ended, unless the row is no longer this run's. */
  private async finish(run: Run, result: JobResult | undefined, failure?: { err: unknown }): Promise<void> {
    if (run.lost) return;
    const { pool, sql } = this.deps;
    const key = [run.info.name, run.info.id, run.token];
    if (failure && this.deps.stopping() && run.controller.signal.aborted) {
      await pool.query(sql.handBack, key);
    } else if (failure) {
      await pool.query(sql.fail, [...key, { message: messageOf(failure.err) }]);
      this.deps.onFailed(run.info, failure.err);
    } else if (result?.status === 'retry') {
      const data = result.data ?? run.info.data;
      await pool.query(sql.continueWith, [...key, data, result.startAfter.toISOString(), this.deps.leaseS]);
    } else {
      await pool.query(sql.complete, key);
    }
  }
}

/** A row as cancel predicates and handlers see it. */
export function infoOf(r: JobRow): JobInfo {
  return {
    id: r.id,
    name: r.name as JobName,
    data: r.data as JobData[JobName],
    ...(r.singleton_key ? { singletonKey: r.singleton_key } : {}),
  };
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
