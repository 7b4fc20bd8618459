/**
 * Passes any worker can run: a pass of a stored project is recorded in the store (the run, its mailboxes in
 * order) with one 'mailbox-pass' job per mailbox, and a worker that takes such a job builds what the run's
 * mailboxes share (the project, plan, stored logins, the engine's repositories) from the store. Nothing of a
 * run lives only in the process that started it: a worker killed mid-pass loses nothing, and another one
 * takes its mailbox over from the ledger.
 */
import { randomUUID } from 'node:crypto';
import { concurrencyAt, type PlanConfig } from '../config/plan.js';
import type { RateLimits } from '../config/types.js';
import type { ConnectorContext } from '../connectors/contract.js';
import type { MessageRate } from '../runner/message-rate.js';
import type { Slots } from '../runner/slots.js';
import type { ProgressSink } from '../engine/progress.js';
import { retryPolicy } from '../engine/retry.js';
import type { JobQueue } from '../runner/job.js';
import type { PassRun, SharedRun } from '../runner/handlers/mailbox-pass.js';
import { ConnectionSlots, RateLimiter } from '../runner/limits.js';
import { RunGate } from '../runner/run-gate.js';
import type { SecretBox } from '../security/secret-box.js';
import { AlertRepo } from '../store/alert-repo.js';
import type { Store } from '../store/db.js';
import { ItemLedgerRepo } from '../store/item-ledger-repo.js';
import { LedgerRepo } from '../store/ledger-repo.js';
import { MailboxRepo } from '../store/mailbox-repo.js';
import type { MemberFilter, ProjectMailboxRepo } from '../store/project-mailbox-repo.js';
import { RunRepo, type RunMailboxRow, type RunRow } from '../store/run-repo.js';
import { loadStoredAuths } from './credential-auth.js';
import { requeueThrottledMs } from './migration-service.js';
import type { Phase } from './phases.js';
import type { ProjectService } from './project-service.js';
import { runProject, schedule } from './run-project.js';
import { FOLLOW_TIMING, RunWake } from './run-wake.js';
import { ConflictError } from '../errors.js';

export interface SharedRunDeps {
  store: Store;
  projects: ProjectService;
  members: ProjectMailboxRepo;
  box: SecretBox;
}

/**
 * Limits that hold over every worker (runner/pg/ on PostgreSQL): connection slots, each project's message
 * rate, and the hooks connectors use for theirs (Microsoft 365's permits per mailbox, its token cache).
 * Without them, each worker counts for itself.
 */
export interface ClusterLimits {
  slots: Slots;
  rate(projectKey: string, limits: RateLimits): MessageRate;
  hooks: Pick<ConnectorContext, 'sharedLimits' | 'keptSecrets'>;
}

/** How a shared run's mailboxes keep their place in its window. */
export interface SharedTiming {
  heartbeatMs: number;
  leaseMs: number;
  recheckMs: number;
}

export const SHARED_TIMING: SharedTiming = { heartbeatMs: 5_000, leaseMs: 30_000, recheckMs: 2_000 };

/**
 * How long a worker's hold on a job or a mailbox lasts without a heartbeat: CUTOVER_LEASE_SECONDS (default
 * 30). A worker that died is taken over after this long; shorter means quicker takeovers, more heartbeats.
 */
export function leaseMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env.CUTOVER_LEASE_SECONDS);
  return Number.isFinite(v) && v >= 1 ? v * 1000 : SHARED_TIMING.leaseMs;
}

/** The shared timing with the lease of the environment (heartbeats at a sixth of it, at most 5 s). */
export function sharedTiming(env: NodeJS.ProcessEnv = process.env): SharedTiming {
  const lease = leaseMs(env);
  return { ...SHARED_TIMING, leaseMs: lease, heartbeatMs: Math.min(SHARED_TIMING.heartbeatMs, lease / 6) };
}

function runsOf(store: Store): RunRepo {
  return new RunRepo(store.db, store.dialect);
}

/** The refusal of a second pass while `run` of the same project is not over. */
export function passRunning(run: RunRow): ConflictError {
  return new ConflictError(
    `A migration pass of this project is already running (started ${run.origin ?? 'by another process'} at ${run.createdAt}).`,
    'Wait for it to end, or pause it (from any server, or Ctrl-C in the command that runs it), then start again.',
  );
}

/** Close the runs whose process died (a local run without a heartbeat for `staleMs`): they are not running. */
export async function closeDeadRuns(store: Store, staleMs = SHARED_TIMING.leaseMs): Promise<void> {
  await runsOf(store).closeStale(Date.now() - staleMs);
}

/**
 * Refuse (ConflictError) when the project has a run not over, inside `tx` after `claim` ordered the callers
 * (call `closeDeadRuns` before the transaction, so a run whose process died does not count).
 */
export async function refuseWhileRunning(
  store: Store,
  projectId: number,
  tx: Parameters<RunRepo['claim']>[1],
): Promise<void> {
  const [open] = await runsOf(store).claim(projectId, tx);
  if (open) throw passRunning(open);
}

/**
 * Record a pass over the project's selected mailboxes (starred first, then largest first) and queue one
 * 'mailbox-pass' job per mailbox; the run's id. Where the queue can enqueue inside the store's transaction,
 * the run and its jobs commit together. `exclusive`: refuse while another run of the project is not over;
 * `origin`: where it was started, shown to whoever is refused meanwhile.
 */
export async function enqueueRun(
  deps: SharedRunDeps & { queue: JobQueue },
  projectId: number,
  opts: {
    selection?: MemberFilter;
    phase?: Phase;
    dryRun?: boolean;
    exclusive?: boolean;
    origin?: string;
  } = {},
): Promise<string> {
  const { rows } = await runProject(deps, projectId, opts.selection ?? {}, opts.phase);
  const sizes = new Map((await new MailboxRepo(deps.store.db).list()).map((r) => [r.id, r.sourceBytes]));
  rows.sort(
    (a, b) => Number(b.starred) - Number(a.starred) || (sizes.get(b.id) ?? 0) - (sizes.get(a.id) ?? 0),
  );
  const runId = randomUUID();
  const mailboxes = rows.map((r) => ({ mailboxId: r.id, sourceUser: r.sourceUser }));
  const run = {
    id: runId,
    projectId,
    ...(opts.phase ? { phase: opts.phase } : {}),
    ...(opts.origin ? { origin: opts.origin } : {}),
    dryRun: opts.dryRun ?? false,
  };
  if (opts.exclusive) await closeDeadRuns(deps.store);
  await deps.store.db.transaction().execute(async (tx) => {
    if (opts.exclusive) await refuseWhileRunning(deps.store, projectId, tx);
    await runsOf(deps.store).create(run, mailboxes, tx);
    for (const m of mailboxes)
      await deps.queue.enqueue(
        'mailbox-pass',
        { runId, mailboxId: m.mailboxId, sourceUser: m.sourceUser, slice: 0 },
        { singletonKey: `mailbox-pass:${m.mailboxId}`, tx },
      );
  });
  return runId;
}

/** Where a run stands: its row and its mailboxes. */
export async function runProgress(
  store: Store,
  runId: string,
): Promise<{ run: RunRow; mailboxes: RunMailboxRow[] } | undefined> {
  const runs = runsOf(store);
  const run = await runs.get(runId);
  return run && { run, mailboxes: await runs.mailboxes(runId) };
}

/**
 * Until the run is over (every mailbox done, failed or stopped). Looked at again when the store signals a
 * change of the run (PostgreSQL NOTIFY), else every `fallbackMs` (default 10 s); where the store signals
 * nothing (SQLite), every `everyMs` (default 1 s).
 */
export async function waitForRun(
  store: Store,
  runId: string,
  opts: {
    everyMs?: number;
    fallbackMs?: number;
    signal?: AbortSignal;
    onProgress?: (mailboxes: RunMailboxRow[]) => void;
  } = {},
): Promise<{ run: RunRow; mailboxes: RunMailboxRow[] }> {
  const wake = new RunWake(store, (c) => c.runId === runId);
  const every = wake.every({ pollMs: opts.everyMs, fallbackMs: opts.fallbackMs });
  try {
    for (;;) {
      const p = await runProgress(store, runId);
      if (!p) throw new Error(`run ${runId} is not in the store`);
      opts.onProgress?.(p.mailboxes);
      if (p.run.finishedAt) return p;
      if (opts.signal?.aborted) return p;
      // Each look reads every mailbox of the run: at most one per `everyMs` (1 s), however busy it is.
      await wake.wait(every, opts.signal, opts.everyMs ?? FOLLOW_TIMING.pollMs);
    }
  } finally {
    wake.close();
  }
}

/** Pause a shared run: its queued mailboxes are stopped, running ones stop at their next heartbeat. */
export async function cancelRun(store: Store, runId: string): Promise<void> {
  await runsOf(store).cancel(runId);
}

/**
 * A worker's view of shared runs: the PassRun of a run id, built from the store on first use and kept while
 * the run goes on (its plan's windows read again every few seconds, so a window edit reaches every worker).
 */
export class SharedRuns {
  private readonly cache = new Map<string, Promise<PassRun | undefined>>();
  /** The connection slots of every run this worker runs (shared with the other workers when given). */
  private readonly slots: Slots;

  constructor(
    private readonly deps: SharedRunDeps & {
      worker: string;
      progress: ProgressSink;
      timing?: SharedTiming;
      cluster?: ClusterLimits;
    },
  ) {
    this.slots = deps.cluster?.slots ?? new ConnectionSlots();
  }

  /** The run's PassRun, or undefined when it is over (or not a shared run). */
  resolve = async (runId: string): Promise<PassRun | undefined> => {
    const row = await runsOf(this.deps.store).get(runId);
    if (!row || row.state !== 'running' || row.projectId === null) {
      void this.forget(runId);
      return undefined;
    }
    let entry = this.cache.get(runId);
    if (!entry) {
      entry = this.build(row, row.projectId);
      this.cache.set(runId, entry);
      entry.catch(() => this.cache.delete(runId));
    }
    return entry;
  };

  private async build(row: RunRow, projectId: number): Promise<PassRun> {
    const { store } = this.deps;
    const timing = this.deps.timing ?? SHARED_TIMING;
    const phase = (row.phase ?? undefined) as Phase | undefined;
    const { project, plan } = await runProject(this.deps, projectId, {}, phase);
    const ids = (await runsOf(store).mailboxes(row.id)).map((m) => m.mailboxId);
    const stored = await loadStoredAuths(store, ids, this.deps.box);
    Object.assign(stored.connectors, this.deps.cluster?.hooks ?? {});
    const mailboxes = new MailboxRepo(store.db);
    const window = this.liveWindow(projectId, plan, project.concurrency.mailboxes, timing.recheckMs);
    const shared: SharedRun = {
      runs: runsOf(store),
      worker: this.deps.worker,
      window,
      ...timing,
      ...(store.runSignals ? { signals: store.runSignals } : {}),
    };
    return {
      project,
      plan,
      ...(phase ? { phase } : {}),
      dryRun: row.dryRun,
      stored,
      alerts: new AlertRepo(store.db),
      engine: {
        ledger: new LedgerRepo(store.db),
        items: new ItemLedgerRepo(store.db),
        mailboxes,
        slots: this.slots,
        limiter:
          this.deps.cluster?.rate(`project:${projectId}`, project.limits) ?? new RateLimiter(project.limits),
        progress: this.deps.progress,
        retry: retryPolicy(),
        requeueThrottledMs: requeueThrottledMs(),
      },
      gate: new RunGate(1), // not used: the store admits a shared run's mailboxes
      outcomes: new Map(),
      shared,
    };
  }

  /** The run's window now; the project's windows are read again in the background every `everyMs`. */
  private liveWindow(projectId: number, plan: PlanConfig, fallback: number, everyMs: number): () => number {
    let last = Date.now();
    let concurrency = fallback;
    return () => {
      if (Date.now() - last >= everyMs) {
        last = Date.now();
        this.deps.projects
          .settings(projectId)
          .then(({ settings }) => {
            schedule(plan, settings);
            concurrency = settings.concurrency.mailboxes;
          })
          .catch(() => undefined); // the last plan stays until the store answers again
      }
      return concurrencyAt(new Date(), plan, concurrency);
    };
  }

  private async forget(runId: string): Promise<void> {
    const entry = this.cache.get(runId);
    this.cache.delete(runId);
    const run = await entry?.catch(() => undefined);
    run?.stored.close();
  }

  /** Let go of every run (the worker stops). */
  async close(): Promise<void> {
    await Promise.all([...this.cache.keys()].map((id) => this.forget(id)));
  }
}
