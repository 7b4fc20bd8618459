/**
 * Migration passes started from the API: one run per project at a time, its mailboxes jobs on the service's
 * queue (the in-process one unless another is given), each run with its own AbortController (pause = cancel
 * its jobs and abort the running ones; the engine is checkpointed, so resume = a new pass that skips what
 * is done), a live throttling schedule that edits take effect on within seconds, and live events.
 */
import type { PlanConfig } from '../config/plan.js';
import type { Store } from '../store/db.js';
import type { MemberFilter, ProjectMailboxRepo } from '../store/project-mailbox-repo.js';
import { localMailboxQueue, runMigration, type MailboxOutcome } from './migration-service.js';
import type { JobQueue } from '../runner/job.js';
import { MailboxRepo } from '../store/mailbox-repo.js';
import type { ProjectService } from './project-service.js';
import type { Phase } from './phases.js';
import { RunEvents } from './run-events.js';
import { ConflictError } from '../errors.js';
import type { RunMailboxRow } from '../store/run-repo.js';
import { runProject, schedule } from './run-project.js';

/** Where a project's run stands. */
export interface RunStatus {
  projectId: number;
  state: 'idle' | 'running' | 'pausing' | 'paused';
  startedAt: string | null;
  finishedAt: string | null;
  mailboxIds: number[];
  /** The phase of the pass (null = everything). */
  phase: Phase | null;
  outcome: { done: number; failed: number; stopped: number } | null;
  error: string | null;
  throttledMailboxIds: number[];
}

interface ProjectRun {
  status: RunStatus;
  controller: AbortController;
  /** Mutated in place by `reschedule`: the pool looks at it every 2 s. */
  plan: PlanConfig;
  done: Promise<void>;
  selection: MemberFilter;
  phase?: Phase;
}

/** Passes run by `cutover worker` processes on the shared database (services/shared-runs.ts). */
export interface SharedPasses {
  /** Whether any worker is taking jobs now. */
  workersWorking(): Promise<boolean>;
  /** Record the pass and queue its mailboxes; the run's id. */
  enqueue(projectId: number, selection: MemberFilter, phase?: Phase): Promise<string>;
  /** Until the run is over; `onProgress` sees its mailboxes at every look. */
  follow(runId: string, onProgress: (rows: RunMailboxRow[]) => void): Promise<RunMailboxRow[]>;
  cancel(runId: string): Promise<void>;
}

/** Runs the engine; the real one unless a test gives another. */
export type Runner = typeof runMigration;

export class RunService {
  private readonly runs = new Map<number, ProjectRun>();
  private readonly hubs = new Map<number, RunEvents>();
  private readonly starting = new Set<number>();
  /** Where the runs' mailbox passes go as jobs. */
  private readonly queue: JobQueue;

  constructor(
    private readonly deps: {
      store: Store;
      projects: ProjectService;
      members: ProjectMailboxRepo;
      /** Take the data directory's run lock while any run is going (a CLI `migrate` then says Busy). */
      lock?: () => () => void;
      eventIntervalMs?: number;
      runner?: Runner;
      /** Whether the project's destination is being verified (no pass starts meanwhile). */
      verifying?: (projectId: number) => boolean;
      /** The queue the mailbox passes go to, its 'mailbox-pass' handler registered (default: in-process). */
      queue?: JobQueue;
      /** Workers on a shared database: a pass goes to them while any is working (else it runs here). */
      shared?: SharedPasses;
    },
  ) {
    this.queue = deps.queue ?? localMailboxQueue();
  }

  /**
   * Passes left "running" by a server or CLI that was killed are marked interrupted, so the tracker does not
   * show them running for ever — only when no other process holds the run lock (a CLI `migrate` may be running).
   */
  async closeStaleRuns(): Promise<void> {
    let release: () => void;
    try {
      release = this.deps.lock?.() ?? (() => undefined);
    } catch {
      return; // another process is migrating: its passes are not stale
    }
    try {
      await new MailboxRepo(this.deps.store.db).closeStalePasses();
    } finally {
      release();
    }
  }

  /** The project's live event hub (exists before and after runs, for SSE subscribers). */
  events(projectId: number): RunEvents {
    let hub = this.hubs.get(projectId);
    if (!hub) this.hubs.set(projectId, (hub = new RunEvents(this.deps.eventIntervalMs)));
    return hub;
  }

  status(projectId: number): RunStatus {
    const r = this.runs.get(projectId);
    if (!r)
      return {
        projectId,
        state: 'idle',
        startedAt: null,
        finishedAt: null,
        mailboxIds: [],
        phase: null,
        outcome: null,
        error: null,
        throttledMailboxIds: [],
      };
    return { ...r.status, throttledMailboxIds: this.events(projectId).throttledNow() };
  }

  /** Start a pass over the selected mailboxes (all by default), optionally one phase. 409 while one is going. */
  async start(projectId: number, selection: MemberFilter = {}, phase?: Phase): Promise<RunStatus> {
    // Checked and claimed before the first await: two requests at once cannot both start a pass.
    if (this.busy(projectId) || this.starting.has(projectId))
      throw new ConflictError(
        'A migration pass is already running for this project.',
        'Wait for it, or pause it first.',
      );
    if (this.deps.verifying?.(projectId))
      throw new ConflictError(
        "The project's destination is being verified: a pass now would change what is compared.",
        'Wait for the verification to finish.',
      );
    this.starting.add(projectId);
    try {
      return await this.begin(projectId, selection, phase);
    } finally {
      this.starting.delete(projectId);
    }
  }

  private async begin(projectId: number, selection: MemberFilter, phase?: Phase): Promise<RunStatus> {
    const { project, plan, rows } = await runProject(this.deps, projectId, selection, phase);
    const controller = new AbortController();
    const status: RunStatus = {
      projectId,
      state: 'running',
      startedAt: new Date().toISOString(),
      finishedAt: null,
      mailboxIds: rows.map((m) => m.id),
      phase: phase ?? null,
      outcome: null,
      error: null,
      throttledMailboxIds: [],
    };
    const unlock = this.holdLock();
    const hub = this.events(projectId);
    hub.begin();
    hub.emit({
      type: 'run-started',
      data: { projectId, mailboxIds: status.mailboxIds, at: status.startedAt! },
    });
    const toWorkers = this.deps.shared && (await this.deps.shared.workersWorking().catch(() => false));
    const run = toWorkers
      ? this.onWorkers(
          this.deps.shared!,
          projectId,
          { ids: status.mailboxIds },
          phase,
          hub,
          controller.signal,
        )
      : (this.deps.runner ?? runMigration)(this.deps.store, project, {
          progress: hub,
          signal: controller.signal,
          queue: this.queue,
          ...(phase ? { phase } : {}),
        });
    const done = run
      .then((outcomes) => void (status.outcome = count(outcomes)))
      .catch((err: unknown) => void (status.error = err instanceof Error ? err.message : String(err)))
      .finally(() => {
        status.finishedAt = new Date().toISOString();
        status.state = controller.signal.aborted ? 'paused' : 'idle';
        hub.end();
        unlock();
        const o = status.outcome ?? { done: 0, failed: 0, stopped: 0 };
        hub.emit({ type: 'run-finished', data: { projectId, at: status.finishedAt, ...o } });
      });
    this.runs.set(projectId, { status, controller, plan, done, selection, ...(phase ? { phase } : {}) });
    return this.status(projectId);
  }

  /**
   * A pass run by the workers: recorded in the store and followed there (each mailbox's start and end become
   * live events); a pause cancels the run in the store, which every worker sees at its next heartbeat.
   */
  private async onWorkers(
    shared: SharedPasses,
    projectId: number,
    selection: MemberFilter,
    phase: Phase | undefined,
    hub: RunEvents,
    signal: AbortSignal,
  ): Promise<MailboxOutcome[]> {
    const runId = await shared.enqueue(projectId, selection, phase);
    const onAbort = () => void shared.cancel(runId).catch(() => undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    const seen = new Map<number, string>();
    try {
      const done = await shared.follow(runId, (rows) => {
        for (const r of rows) {
          if (seen.get(r.mailboxId) === r.state) continue;
          seen.set(r.mailboxId, r.state);
          if (r.state === 'running') hub.started(r.mailboxId, r.sourceUser);
          else if (r.state !== 'queued') hub.finished(r.mailboxId, r.state);
        }
      });
      return done.map((r) => ({
        mailboxId: r.mailboxId,
        label: r.sourceUser,
        status: r.state === 'done' || r.state === 'failed' ? r.state : 'stopped',
        ...(r.counters ? { counters: r.counters } : {}),
        ...(r.error ? { error: r.error } : {}),
      }));
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** True while a pass of the project is running or stopping. */
  busy(projectId: number): boolean {
    const s = this.runs.get(projectId)?.status.state;
    return s === 'running' || s === 'pausing';
  }

  /** Pause: in-flight work stops promptly (writes in flight finish or are discarded); nothing is lost. */
  pause(projectId: number): RunStatus {
    const r = this.runs.get(projectId);
    if (r && r.status.state === 'running') {
      r.status.state = 'pausing';
      r.controller.abort();
    }
    return this.status(projectId);
  }

  /** Resume a paused project: a new pass over the same selection and phase (what is done is skipped). */
  async resume(projectId: number): Promise<RunStatus> {
    const r = this.runs.get(projectId);
    return this.start(projectId, r?.selection ?? {}, r?.phase);
  }

  /** Until the pass has ended (tests, shutdown). */
  async settled(projectId: number): Promise<void> {
    await this.runs.get(projectId)?.done;
  }

  /** The project's windows, time zone or concurrency changed: a running pass follows within seconds. */
  async reschedule(projectId: number): Promise<void> {
    const r = this.runs.get(projectId);
    if (!r || r.status.state !== 'running') return;
    schedule(r.plan, (await this.deps.projects.settings(projectId)).settings);
  }

  /** Stop every run (server shutdown). */
  async close(): Promise<void> {
    for (const r of this.runs.values()) r.controller.abort();
    await Promise.all([...this.runs.values()].map((r) => r.done));
    if (!this.deps.queue) await this.queue.close();
  }

  private active = 0;
  private release: (() => void) | undefined;
  /** Hold the data directory's run lock while this process runs anything (passes, verifications). */
  holdLock(): () => void {
    // A CLI `migrate` holding the lock makes lock() throw Busy (409); nothing is counted then.
    if (this.active === 0 && this.deps.lock) this.release = this.deps.lock();
    this.active++;
    let once = false;
    return () => {
      if (once) return;
      once = true;
      if (--this.active === 0) this.release?.();
    };
  }
}

function count(outcomes: MailboxOutcome[]) {
  const c = { done: 0, failed: 0, stopped: 0 };
  for (const o of outcomes) c[o.status]++;
  return c;
}
