/**
 * The runs of a shared store as a server (`serve --database-url`, one of several) sees them: the project's
 * newest run whoever started it, a pass this server runs itself recorded as a run (refused while another is
 * not over), following a run until it ends, pausing it for every process, the project's run lock, and a
 * call on every change the store signals. Runs whose process died are closed before they are looked at.
 */
import { randomUUID } from 'node:crypto';
import type { ReleaseLock, Store } from '../store/store.js';
import { RunRepo, type RunMailboxRow, type RunRow } from '../store/run-repo.js';
import { LocalRunRecord } from './local-run-record.js';
import type { Phase } from './phases.js';
import { SHARED_TIMING, cancelRun, closeDeadRuns, refuseWhileRunning, waitForRun } from './shared-runs.js';

/** A run and its mailboxes as the store has them. */
export interface RunRecord {
  run: RunRow;
  mailboxes: RunMailboxRow[];
}

/** How a server keeps up with the store's runs. */
export interface StoredRunTiming {
  /** A local run's heartbeat (and, without signals, how soon a pause from elsewhere is seen). */
  heartbeatMs: number;
  /** A local run without a heartbeat for this long is a dead process's. */
  leaseMs: number;
  /** Followers look again this often when no signal wakes them (where the store signals). */
  fallbackMs: number;
}

export class StoredRuns {
  private readonly runs: RunRepo;
  readonly timing: StoredRunTiming;

  constructor(
    readonly store: Store,
    /** Where this server runs, recorded on the runs it starts ("serve on HOST (pid N)"). */
    readonly origin: string,
    timing: Partial<StoredRunTiming> = {},
  ) {
    this.runs = new RunRepo(store.db, store.dialect);
    this.timing = {
      heartbeatMs: SHARED_TIMING.heartbeatMs,
      leaseMs: SHARED_TIMING.leaseMs,
      fallbackMs: 10_000,
      ...timing,
    };
  }

  /** The project's newest run, over or not, with its mailboxes. */
  async latest(projectId: number): Promise<RunRecord | undefined> {
    await closeDeadRuns(this.store, this.timing.leaseMs);
    const run = await this.runs.latest(projectId);
    return run && { run, mailboxes: await this.runs.mailboxes(run.id) };
  }

  /** Whether any run in the store is going (a server starting must not close another's passes). */
  async anyGoing(): Promise<boolean> {
    await closeDeadRuns(this.store, this.timing.leaseMs);
    return (await this.runs.active()).length > 0;
  }

  /**
   * Record a pass this server runs in its own process; refused (ConflictError) while another run of the
   * project is not over. `onCancelled` is called when the run is paused from elsewhere.
   */
  async record(
    projectId: number,
    mailboxes: Array<{ mailboxId: number; sourceUser: string }>,
    phase: Phase | undefined,
    onCancelled: () => void,
  ): Promise<LocalRunRecord> {
    const id = randomUUID();
    await closeDeadRuns(this.store, this.timing.leaseMs);
    await this.store.db.transaction().execute(async (tx) => {
      await refuseWhileRunning(this.store, projectId, tx);
      await this.runs.create(
        { id, projectId, ...(phase ? { phase } : {}), dryRun: false, origin: this.origin, local: true },
        mailboxes,
        tx,
      );
    });
    const record = new LocalRunRecord(this.store, id, {
      worker: this.origin,
      heartbeatMs: this.timing.heartbeatMs,
      onCancelled,
    });
    record.start();
    return record;
  }

  /** Until the run is over; `onProgress` sees its mailboxes at every look (woken by the store's signals). */
  async follow(
    runId: string,
    onProgress: (rows: RunMailboxRow[]) => void,
    signal?: AbortSignal,
  ): Promise<RunRecord> {
    return waitForRun(this.store, runId, {
      onProgress,
      fallbackMs: this.timing.fallbackMs,
      ...(signal ? { signal } : {}),
    });
  }

  /** Pause the run for every process: queued mailboxes stop, running ones stop at their next look. */
  cancel(runId: string): Promise<void> {
    return cancelRun(this.store, runId);
  }

  /** Call `fn` with the project of every run change the store signals (none where it signals nothing). */
  watch(fn: (projectId: number | null) => void): () => void {
    return this.store.runSignals?.subscribe((c) => fn(c.projectId)) ?? (() => undefined);
  }

  /** The project's run lock (a CLI `migrate` of the project meanwhile says Busy, and the other way round). */
  lock(projectName: string): Promise<ReleaseLock> {
    return this.store.lockRun(projectName);
  }
}
