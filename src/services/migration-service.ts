/**
 * Runs a migration: registers the mailboxes, orders them (starred first, then largest first), and runs a
 * pass over each within the project's parallelism and limits, each a 'mailbox-pass' job on a queue. The
 * CLI, the scheduler and the run service call this.
 */
import { randomUUID } from 'node:crypto';
import type { MailboxSpec, ProjectConfig } from '../config/types.js';
import { ErrorCode, PermanentError } from '../errors.js';
import type { ProgressSink } from '../engine/progress.js';
import { retryPolicy, type RetryPolicy } from '../engine/retry.js';
import type { Store } from '../store/db.js';
import { LedgerRepo } from '../store/ledger-repo.js';
import { ItemLedgerRepo } from '../store/item-ledger-repo.js';
import { MailboxRepo } from '../store/mailbox-repo.js';
import { ConnectionSlots, RateLimiter } from '../runner/limits.js';
import { LocalQueue } from '../runner/local/local-queue.js';
import { RunGate } from '../runner/run-gate.js';
import type { JobInfo, JobQueue, MailboxPassData } from '../runner/job.js';
import { mailboxPass, passRuns, type PassRun } from '../runner/handlers/mailbox-pass.js';
import { concurrencyAt, defaultPlan } from '../config/plan.js';
import { phaseOptions, type Phase } from './phases.js';
import { loadStoredAuths, type StoredAuths } from './credential-auth.js';
import { AlertRepo } from '../store/alert-repo.js';
import { mailboxKey, type MailboxOutcome } from './mailbox-endpoints.js';

export { authFor, endpointsFor, labelOf, mailboxKey, type MailboxOutcome } from './mailbox-endpoints.js';

export interface RunOptions {
  /** Only these mailboxes (source logins). */
  only?: string[];
  dryRun?: boolean;
  /** Narrow the pass to a phase of the plan (pre-stage, recent…); default: everything. */
  phase?: Phase;
  progress: ProgressSink;
  signal?: AbortSignal;
  /** How long and how often to retry (default: from the environment, see engine/retry.ts). */
  retry?: RetryPolicy;
  /** The queue the mailbox passes go to (its 'mailbox-pass' handler registered); default: one of its own. */
  queue?: JobQueue;
  /**
   * The stored logins to use instead of those this store keeps for the mailboxes (the archive reads the
   * source with the logins the migration's store holds); the caller closes them.
   */
  stored?: StoredAuths;
}

/**
 * The project's mailboxes (or those named by source login) registered in the store, starred first, then
 * largest first (a large mailbox started late decides the finish time). Unknown names are an error.
 */
export async function registerMailboxes(
  mailboxes: MailboxRepo,
  project: ProjectConfig,
  only?: string[],
): Promise<Array<{ id: number; spec: MailboxSpec }>> {
  const selected = project.mailboxes.filter((m) => !only?.length || only.includes(m.sourceUser));
  if (only?.length) {
    const unknown = only.filter((u) => !project.mailboxes.some((m) => m.sourceUser === u));
    if (unknown.length)
      throw new PermanentError(
        ErrorCode.ConfigInvalid,
        `Unknown mailbox: ${unknown.join(', ')}.`,
        'Use the source login exactly as in the mailboxes CSV (`cutover status` lists them).',
      );
  }
  const entries: Array<{ id: number; spec: MailboxSpec }> = [];
  for (const spec of selected)
    entries.push({
      id: await mailboxes.upsert({
        key: mailboxKey(project.source, project.destination, spec),
        sourceUser: spec.sourceUser,
        destUser: spec.destUser,
        starred: spec.starred,
      }),
      spec,
    });
  const sizes = new Map((await mailboxes.list()).map((r) => [r.id, r.sourceBytes]));
  entries.sort(
    (a, b) =>
      Number(b.spec.starred) - Number(a.spec.starred) || (sizes.get(b.id) ?? 0) - (sizes.get(a.id) ?? 0),
  );
  return entries;
}

/** An in-process queue with the mailbox-pass handler (a run given no queue makes one of its own). */
export function localMailboxQueue(): JobQueue {
  const queue = new LocalQueue();
  queue.work('mailbox-pass', mailboxPass, { concurrency: MAILBOX_JOBS_AT_ONCE });
  return queue;
}

/**
 * How many mailbox jobs a queue of this process runs at once, whatever the run: each run's own window
 * (its mailbox concurrency) is kept by its gate inside the handler.
 */
export const MAILBOX_JOBS_AT_ONCE = 64;

/**
 * Throttling that asks for this long or more (ms) ends the mailbox's slice and requeues it instead of
 * being waited out in it: CUTOVER_REQUEUE_THROTTLED_MS, default 30 s. Shorter waits stay in the slice: a
 * requeue lists the folders again.
 */
export function requeueThrottledMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.CUTOVER_REQUEUE_THROTTLED_MS;
  return v && Number(v) >= 0 ? Number(v) : 30_000;
}

/**
 * Run one pass over the project's mailboxes: one 'mailbox-pass' job each, queued in order (starred first,
 * then largest first) on `opts.queue` (else a queue of its own); until every one has ended.
 */
export async function runMigration(
  store: Store,
  project: ProjectConfig,
  opts: RunOptions,
): Promise<MailboxOutcome[]> {
  const mailboxes = new MailboxRepo(store.db);
  const ledger = new LedgerRepo(store.db);
  const plan = project.plan ?? defaultPlan();
  if (opts.phase) phaseOptions(opts.phase, project.defaults, plan); // a phase out of its time fails here, once
  await mailboxes.closeStalePasses();

  const entries = await registerMailboxes(mailboxes, project, opts.only);

  // Passwords users handed over on their credential page (mailboxes CSV first, admin login last).
  const stored =
    opts.stored ??
    (await loadStoredAuths(
      store,
      entries.map((e) => e.id),
    ));
  // Throttling windows (project time zone) decide how many mailboxes start at once, looked at every few seconds.
  const limit = plan.windows.length
    ? () => concurrencyAt(new Date(), plan, project.concurrency.mailboxes)
    : project.concurrency.mailboxes;
  const runId = randomUUID();
  const run: PassRun = {
    project,
    plan,
    ...(opts.phase ? { phase: opts.phase } : {}),
    dryRun: opts.dryRun ?? false,
    stored,
    alerts: new AlertRepo(store.db),
    engine: {
      ledger,
      items: new ItemLedgerRepo(store.db),
      mailboxes,
      slots: new ConnectionSlots(),
      limiter: new RateLimiter(project.limits),
      progress: opts.progress,
      retry: opts.retry ?? retryPolicy(),
      requeueThrottledMs: requeueThrottledMs(),
    },
    ...(opts.signal ? { signal: opts.signal } : {}),
    gate: new RunGate(limit),
    outcomes: new Map(),
  };
  passRuns.set(runId, run);
  const queue = opts.queue ?? localMailboxQueue();
  const ours = (j: JobInfo) => j.name === 'mailbox-pass' && (j.data as MailboxPassData).runId === runId;
  // Pause: the run's queued mailboxes are dropped and its running ones stop.
  const stop = () => void queue.cancel(ours);
  opts.signal?.addEventListener('abort', stop, { once: true });
  try {
    for (const { id, spec } of entries) {
      if (opts.signal?.aborted) break;
      await queue.enqueue(
        'mailbox-pass',
        { runId, mailboxId: id, sourceUser: spec.sourceUser, slice: 0 },
        { singletonKey: `mailbox-pass:${id}` },
      );
    }
    await queue.settled(ours);
  } finally {
    opts.signal?.removeEventListener('abort', stop);
    passRuns.delete(runId);
    if (!opts.queue) await queue.close();
    if (!opts.stored) stored.close();
  }
  // Mailboxes never started (the run was stopped, or another run had them) count as stopped.
  return entries.map(
    ({ id, spec }) =>
      run.outcomes.get(id) ?? {
        mailboxId: id,
        label: spec.sourceUser,
        status: 'stopped' as const,
        error: String(new Error('stopped before it started')),
      },
  );
}
