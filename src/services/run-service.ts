/**
 * Migration passes started from the API: one run per project at a time, its mailboxes jobs on the service's
 * queue (the in-process one unless another is given), each run with its own AbortController (pause = cancel
 * its jobs and abort the running ones; the engine is checkpointed, so resume = a new pass that skips what
 * is done), a live throttling schedule that edits take effect on within seconds, and live events.
 * On a shared store (`stored`), nothing that matters is this process's alone: a pass it runs is a run row
 * (under the project's run lock), and a run another server or a CLI started is followed from the store — its
 * status, its mailboxes' events, a pause here that stops it everywhere, and a 409 for a second pass.
 */
import type { PlanConfig } from '../config/plan.js';
import type { ProgressSink } from '../engine/progress.js';
import type { Store } from '../store/db.js';
import type { ReleaseLock } from '../store/store.js';
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
import type { LocalRunRecord } from './local-run-record.js';
import type { RunRecord, StoredRuns } from './stored-runs.js';
import { count, idleStatus, mirrorInto, recordStatus, rowOutcomes, type RunStatus } from './run-status.js';

export type { RunStatus };

interface ProjectRun {
  status: RunStatus;
  /** Aborting it pauses the pass (for every process, when the pass is a run in the store). */
  controller: AbortController;
  /** Mutated in place by `reschedule`: the pool looks at it every 2 s (absent: not run by this process). */
  plan?: PlanConfig;
  done: Promise<void>;
  selection: MemberFilter;
  phase?: Phase;
  /** Its run in the store, when it is one. */
  runId?: string;
  /** Stops following a run of another process without pausing it (shutdown). */
  unfollow?: AbortController;
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
  /** Runs in the store this process started (never followed as another process's). */
  private readonly own = new Set<string>();
  /** Where the runs' mailbox passes go as jobs. */
  private readonly queue: JobQueue;
  private unwatch: (() => void) | undefined;
  private poll: NodeJS.Timeout | undefined;

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
      /** A shared store: passes are runs there, whichever process started them (see the file header). */
      stored?: StoredRuns;
    },
  ) {
    this.queue = deps.queue ?? localMailboxQueue();
  }

  /**
   * Passes left "running" by a server or CLI that was killed are marked interrupted, so the tracker does not
   * show them running for ever — only when no other process holds the run lock (a CLI `migrate` may be running)
   * and, on a shared store, no run is going (another server's or the workers' passes are not stale).
   */
  async closeStaleRuns(): Promise<void> {
    if (this.deps.stored && (await this.deps.stored.anyGoing().catch(() => true))) return;
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
    if (!hub) {
      this.hubs.set(projectId, (hub = new RunEvents(this.deps.eventIntervalMs)));
      this.watchStore();
      void this.sync(projectId).catch(() => undefined);
    }
    return hub;
  }

  /** Where the project's pass stands, whichever process runs it. */
  async status(projectId: number): Promise<RunStatus> {
    await this.sync(projectId).catch(() => undefined); // the store unreachable: what this process knows
    return this.known(projectId);
  }

  private known(projectId: number): RunStatus {
    const r = this.runs.get(projectId);
    if (!r) return idleStatus(projectId);
    return { ...r.status, throttledMailboxIds: this.events(projectId).throttledNow() };
  }

  /** Start a pass over the selected mailboxes (all by default), optionally one phase. 409 while one is going. */
  async start(projectId: number, selection: MemberFilter = {}, phase?: Phase): Promise<RunStatus> {
    // Checked and claimed before the first await: two requests at once cannot both start a pass.
    if (this.busy(projectId) || this.starting.has(projectId)) throw this.running(projectId);
    if (this.deps.verifying?.(projectId))
      throw new ConflictError(
        "The project's destination is being verified: a pass now would change what is compared.",
        'Wait for the verification to finish.',
      );
    this.starting.add(projectId);
    try {
      await this.sync(projectId); // a pass of another process is followed from here on
      if (this.busy(projectId)) throw this.running(projectId);
      return await this.begin(projectId, selection, phase);
    } finally {
      this.starting.delete(projectId);
    }
  }

  /** The refusal of a second pass: where and when the running one was started, and what to do. */
  private running(projectId: number): ConflictError {
    const s = this.runs.get(projectId)?.status;
    const where = s?.startedBy ?? 'by this server';
    return new ConflictError(
      `A migration pass of this project is already running (started ${where}${s?.startedAt ? ` at ${s.startedAt}` : ''}).`,
      'Wait for it to end, or pause it first (Pause pauses it wherever it runs).',
    );
  }

  private async begin(projectId: number, selection: MemberFilter, phase?: Phase): Promise<RunStatus> {
    const { project, plan, rows } = await runProject(this.deps, projectId, selection, phase);
    const controller = new AbortController();
    const status: RunStatus = {
      ...idleStatus(projectId),
      state: 'running',
      startedAt: new Date().toISOString(),
      mailboxIds: rows.map((m) => m.id),
      phase: phase ?? null,
    };
    const toWorkers = this.deps.shared && (await this.deps.shared.workersWorking().catch(() => false));
    const { stored } = this.deps;
    // The project's run lock in the store: a CLI `migrate` of the project running now makes this Busy (409).
    // Held while the pass runs here; for the workers it is only checked (they do not hold it).
    let release: ReleaseLock | undefined = stored && (await stored.lock(project.name));
    let record: LocalRunRecord | undefined;
    try {
      if (toWorkers) await release?.();
      else if (stored)
        record = await stored.record(
          projectId,
          rows.map((r) => ({ mailboxId: r.id, sourceUser: r.sourceUser })),
          phase,
          () => this.stop(projectId, record?.runId),
        );
    } catch (err) {
      await release?.();
      throw err;
    }
    if (toWorkers) release = undefined;
    const unlock = this.holdLock();
    const hub = this.events(projectId);
    hub.begin();
    hub.emit({
      type: 'run-started',
      data: { projectId, mailboxIds: status.mailboxIds, at: status.startedAt! },
    });
    if (record) this.pausesEverywhere(record.runId, controller.signal);
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
          progress: record ? recorded(hub, record) : hub,
          signal: controller.signal,
          queue: this.queue,
          ...(phase ? { phase } : {}),
        });
    const done = (async () => {
      let outcomes: MailboxOutcome[] = [];
      try {
        outcomes = await run;
        status.outcome = count(outcomes);
      } catch (err) {
        status.error = err instanceof Error ? err.message : String(err);
      } finally {
        await record?.end(outcomes).catch(() => undefined);
        await release?.();
        status.finishedAt = new Date().toISOString();
        status.state = controller.signal.aborted ? 'paused' : 'idle';
        hub.end();
        unlock();
        const o = status.outcome ?? { done: 0, failed: 0, stopped: 0 };
        hub.emit({ type: 'run-finished', data: { projectId, at: status.finishedAt, ...o } });
      }
    })();
    const entry: ProjectRun = { status, controller, plan, done, selection, ...(phase ? { phase } : {}) };
    if (record) {
      entry.runId = record.runId;
      this.own.add(record.runId);
    }
    this.runs.set(projectId, entry);
    return this.known(projectId);
  }

  /** A pause of the run `runId` (here) reaches every process through the store. */
  private pausesEverywhere(runId: string, signal: AbortSignal): void {
    signal.addEventListener('abort', () => void this.deps.stored?.cancel(runId).catch(() => undefined), {
      once: true,
    });
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
    this.own.add(runId);
    const entry = this.runs.get(projectId);
    if (entry) entry.runId = runId;
    const onAbort = () => void shared.cancel(runId).catch(() => undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    try {
      return rowOutcomes(await shared.follow(runId, mirrorInto(hub)));
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Catch up with the store: when the project's newest run is another process's (another server, a CLI
   * `migrate --enqueue`), show it, and while it goes, follow it (its events reach this server's hub).
   */
  private async sync(projectId: number): Promise<void> {
    const { stored } = this.deps;
    if (!stored || this.busy(projectId)) return;
    const rec = await stored.latest(projectId);
    if (!rec || this.own.has(rec.run.id)) return;
    const now = this.runs.get(projectId);
    if (this.busy(projectId) || now?.runId === rec.run.id) return;
    if (now?.status.startedAt && now.status.startedAt > rec.run.createdAt) return; // ours is newer
    this.follow(projectId, stored, rec);
  }

  /** Show another process's run, and follow it until it ends. */
  private follow(projectId: number, stored: StoredRuns, rec: RunRecord): void {
    const status = recordStatus(projectId, rec);
    const controller = new AbortController();
    const unfollow = new AbortController();
    const entry: ProjectRun = {
      status,
      controller,
      done: Promise.resolve(),
      selection: { ids: status.mailboxIds },
      ...(rec.run.phase ? { phase: rec.run.phase as Phase } : {}),
      runId: rec.run.id,
      unfollow,
    };
    this.runs.set(projectId, entry);
    if (rec.run.finishedAt) return;
    const hub = this.events(projectId);
    hub.begin();
    hub.emit({
      type: 'run-started',
      data: { projectId, mailboxIds: status.mailboxIds, at: status.startedAt! },
    });
    this.pausesEverywhere(rec.run.id, controller.signal);
    const mirror = mirrorInto(hub);
    mirror(rec.mailboxes);
    entry.done = stored
      .follow(rec.run.id, mirror, unfollow.signal)
      .then((last) => void Object.assign(status, recordStatus(projectId, last)))
      .catch((err: unknown) => void (status.error = err instanceof Error ? err.message : String(err)))
      .finally(() => {
        if (status.state === 'running' || status.state === 'pausing') status.state = 'idle'; // unfollowed
        status.finishedAt ??= new Date().toISOString();
        hub.end();
        const o = status.outcome ?? { done: 0, failed: 0, stopped: 0 };
        hub.emit({ type: 'run-finished', data: { projectId, at: status.finishedAt, ...o } });
      });
  }

  /** Follow the store's runs for the projects someone watches: woken by its signals, else every so often. */
  private watchStore(): void {
    const { stored } = this.deps;
    if (!stored || this.unwatch) return;
    const look = (projectId: number | null) => {
      for (const id of projectId === null ? [...this.hubs.keys()] : [projectId])
        if (this.hubs.has(id)) void this.sync(id).catch(() => undefined);
    };
    this.unwatch = stored.watch(look);
    this.poll = setInterval(() => look(null), stored.timing.fallbackMs);
    this.poll.unref();
  }

  /** True while a pass of the project is running or stopping (here, or followed from the store). */
  busy(projectId: number): boolean {
    const s = this.runs.get(projectId)?.status.state;
    return s === 'running' || s === 'pausing';
  }

  /** Pause: in-flight work stops promptly (writes in flight finish or are discarded); nothing is lost. */
  async pause(projectId: number): Promise<RunStatus> {
    await this.sync(projectId).catch(() => undefined);
    const r = this.runs.get(projectId);
    this.stop(projectId);
    // A run in the store is paused there before this answers, so every server and worker sees it.
    if (r?.runId && r.status.state === 'pausing') await this.deps.stored?.cancel(r.runId);
    return this.known(projectId);
  }

  /** Stop the project's running pass (only run `runId`, when given: a pause seen in the store). */
  private stop(projectId: number, runId?: string): void {
    const r = this.runs.get(projectId);
    if (!r || r.status.state !== 'running' || (runId && r.runId !== runId)) return;
    r.status.state = 'pausing';
    r.controller.abort();
  }

  /** Resume a paused project: a new pass over the same selection and phase (what is done is skipped). */
  async resume(projectId: number): Promise<RunStatus> {
    await this.sync(projectId).catch(() => undefined);
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
    if (!r?.plan || r.status.state !== 'running') return; // another process's pass reads the windows itself
    schedule(r.plan, (await this.deps.projects.settings(projectId)).settings);
  }

  /** Stop every run of this process; stop following the others' (server shutdown). */
  async close(): Promise<void> {
    this.unwatch?.();
    clearInterval(this.poll);
    for (const r of this.runs.values()) (r.unfollow ?? r.controller).abort();
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

/** The hub's progress, with each mailbox's start and end also written to the pass's run in the store. */
function recorded(hub: RunEvents, record: LocalRunRecord): ProgressSink {
  return {
    planned: (id, label, n) => hub.planned(id, label, n),
    advanced: (id, items, bytes) => hub.advanced(id, items, bytes),
    note: (id, level, text) => hub.note(id, level, text),
    started: (id, label) => {
      hub.started(id, label);
      record.started(id);
    },
    finished: (id, status) => {
      hub.finished(id, status);
      record.finished(id, status);
    },
  };
}
