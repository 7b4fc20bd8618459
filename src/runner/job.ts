/**
 * The job seam: what runs in the background is a named job with plain JSON data, handled by a function and
 * queued by a JobQueue. The in-process queue (local/local-queue.ts) implements it today; a queue over a
 * database (several worker processes) implements the same interface, which is why job data is JSON only
 * (no closures, no connections) and handlers are idempotent: a job may run again after a crash or a
 * requeue, and resumes from what the store (the ledger) already records.
 */

/** A mailbox pass: one mailbox of a run, resumed from the ledger (handlers/mailbox-pass.ts). */
export interface MailboxPassData {
  /** The run this pass belongs to (its selection, phase and progress live with the run). */
  runId: string;
  mailboxId: number;
  /** Source login: finds the mailbox in the run's project. */
  sourceUser: string;
  /**
   * When the mailbox last made progress (epoch ms), carried over a requeue so that "gives up after no
   * progress for CUTOVER_GIVE_UP_AFTER_MS" counts across slices; absent on the first slice.
   */
  stalledSince?: number;
  /** Counters of the earlier slices (the outcome adds them up). */
  carried?: Record<string, number>;
  /** Slices this pass has had so far (0 on the first). */
  slice: number;
}

/** The data of each job, by name. Add a name here, with its handler, to add a kind of job. */
export interface JobData {
  'mailbox-pass': MailboxPassData;
  /** Run the plan's phases that are due for a project, then come again when the next one is. */
  'schedule-tick': { project: string };
  /** Send the communications that are due, then come again after the interval. */
  'comms-tick': { intervalMs: number };
}

/** The closed set of job kinds. */
export type JobName = keyof JobData;

/** How a job ended: done, or to run again at `startAfter` (throttling, a window closed), with new data. */
export type JobResult<N extends JobName = JobName> =
  { status: 'done' } | { status: 'retry'; startAfter: Date; data?: JobData[N] };

/** What a handler gets besides its data. */
export interface JobContext {
  /** Aborted when the job is cancelled (a paused run) or the queue closes: stop promptly, nothing lost. */
  signal: AbortSignal;
  /** The job's id in its queue. */
  id: string;
}

/**
 * Runs one job. Returns how it ended; it throws only for a bug (the queue records the job as failed and
 * does not retry it): expected failures are the handler's to record, like a failed mailbox in the store.
 */
export type JobHandler<N extends JobName> = (data: JobData[N], ctx: JobContext) => Promise<JobResult<N>>;

/** Options of one enqueue. */
export interface EnqueueOptions {
  /** Not before this time (a tick's next run, a throttled slice). */
  startAfter?: Date;
  /** While a job with this key is queued or running, another enqueue with it is dropped. */
  singletonKey?: string;
  /**
   * The store's transaction to enqueue in, so the job commits (or not) with the state it depends on; a queue
   * that cannot join it (the in-process one) enqueues at once.
   */
  tx?: unknown;
}

/** A job as cancel predicates see it. */
export interface JobInfo<N extends JobName = JobName> {
  id: string;
  name: N;
  data: JobData[N];
  singletonKey?: string;
}

/** Which jobs: a singleton key, or a predicate over the job. */
export type JobMatch = string | ((job: JobInfo) => boolean);

/** Queues jobs and runs them with registered handlers. */
export interface JobQueue {
  /** Queue a job; its id, or undefined when its singleton key is taken (the job was dropped). */
  enqueue<N extends JobName>(name: N, data: JobData[N], opts?: EnqueueOptions): Promise<string | undefined>;
  /**
   * Handle jobs of `name`, at most `concurrency` at once (a function is looked at before each start, so a
   * throttling window can lower it; 0 holds jobs back). One handler per name.
   */
  work<N extends JobName>(
    name: N,
    handler: JobHandler<N>,
    opts: { concurrency: number | (() => number) },
  ): void;
  /**
   * Drop the matching queued jobs and abort the running ones (in every process that shares the queue); how
   * many were matched. The matching jobs are out of the queue when it resolves; running handlers see their
   * signal abort then (in this process) or within seconds (elsewhere).
   */
  cancel(match: JobMatch): Promise<number>;
  /** Until no matching job (every job when none given) is queued or running. */
  settled(match?: JobMatch): Promise<void>;
  /** Cancel everything and stop; until running handlers have returned. */
  close(): Promise<void>;
}
