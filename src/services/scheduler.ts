/**
 * Runs the plan's phases when they are due: each a normal pass (runMigration with the phase's range), from
 * a tick job that comes again when the next phase is due.
 * What has run is recorded in the store, so a restarted scheduler neither repeats nor loses a phase; when
 * several passes of one kind are overdue (the machine was off for three nights), only the latest runs and
 * the others are recorded as superseded.
 */
import { defaultPlan } from '../config/plan.js';
import type { ProjectConfig } from '../config/types.js';
import type { ProgressSink } from '../engine/progress.js';
import type { Store } from '../store/db.js';
import { PhaseRunRepo } from '../store/phase-run-repo.js';
import type { JobHandler, JobQueue } from '../runner/job.js';
import { LocalQueue } from '../runner/local/local-queue.js';
import { runMigration, type MailboxOutcome } from './migration-service.js';
import { PHASES, defaultSchedule, type ScheduledPhase } from './phases.js';

export interface PhaseStatus extends ScheduledPhase {
  status: 'pending' | 'running' | 'done' | 'failed' | 'superseded';
  startedAt?: string;
  finishedAt?: string;
  note?: string;
}

/** The schedule with what has happened to each phase. */
export async function scheduleStatus(
  store: Store,
  project: ProjectConfig,
  now = new Date(),
): Promise<PhaseStatus[]> {
  const runs = await new PhaseRunRepo(store.db).byKey();
  return defaultSchedule(project.plan ?? defaultPlan(), now).map((p) => {
    const r = runs.get(p.key);
    return {
      ...p,
      status: (r?.status as PhaseStatus['status'] | undefined) ?? 'pending',
      startedAt: r?.started_at ?? undefined,
      finishedAt: r?.finished_at ?? undefined,
      note: r?.note ?? undefined,
    };
  });
}

async function record(
  store: Store,
  p: ScheduledPhase,
  values: { status: string; started?: string; finished?: string; note?: string },
) {
  const row = {
    key: p.key,
    phase: p.phase,
    due_at: p.at.toISOString(),
    started_at: values.started ?? null,
    finished_at: values.finished ?? null,
    status: values.status,
    note: values.note ?? null,
  };
  await new PhaseRunRepo(store.db).record(row);
}

export interface SchedulerOptions {
  progress: ProgressSink;
  signal?: AbortSignal;
  /** Called after each phase with its outcomes. */
  onPhase?: (p: ScheduledPhase, outcomes: MailboxOutcome[] | undefined, error?: unknown) => void;
  /** Return when nothing is due instead of waiting for the next phase (tests, cron). */
  once?: boolean;
  now?: () => Date;
  /** The queue the ticks go to (default: one of its own); it must have no other 'schedule-tick' handler. */
  queue?: JobQueue;
}

/**
 * Run due phases until the schedule is exhausted (or, with `once`, until nothing is due now): a
 * 'schedule-tick' job (one per project, by singleton key) runs what is due and queues itself again for when
 * the next phase is (at most a minute ahead, at least a second), instead of a loop that sleeps.
 */
export async function runSchedule(
  store: Store,
  project: ProjectConfig,
  opts: SchedulerOptions,
): Promise<number> {
  const queue = opts.queue ?? new LocalQueue();
  const ticks = { ran: 0 };
  if (opts.signal?.aborted) return 0;
  queue.work('schedule-tick', scheduleTick(store, project, opts, ticks), { concurrency: 1 });
  const key = `schedule-tick:${project.name}`;
  const stop = () => void queue.cancel(key);
  opts.signal?.addEventListener('abort', stop, { once: true });
  try {
    await queue.enqueue('schedule-tick', { project: project.name }, { singletonKey: key });
    await queue.settled(key);
  } finally {
    opts.signal?.removeEventListener('abort', stop);
    if (!opts.queue) await queue.close();
  }
  return ticks.ran;
}

/** The 'schedule-tick' handler of a project: the due phase (if any), then when to come again. */
function scheduleTick(
  store: Store,
  project: ProjectConfig,
  opts: SchedulerOptions,
  ticks: { ran: number },
): JobHandler<'schedule-tick'> {
  const now = opts.now ?? (() => new Date());
  return async (_data, ctx) => {
    const signal = opts.signal ? AbortSignal.any([opts.signal, ctx.signal]) : ctx.signal;
    for (;;) {
      if (signal.aborted) return { status: 'done' };
      const all = await scheduleStatus(store, project, now());
      const pending = all.filter((p) => p.status === 'pending' || p.status === 'running');
      if (pending.length === 0) return { status: 'done' };
      const due = pending.filter((p) => p.at <= now());
      if (due.length === 0) {
        if (opts.once) return { status: 'done' };
        const wait = Math.min(60_000, pending[0]!.at.getTime() - now().getTime());
        return { status: 'retry', startAfter: new Date(Date.now() + Math.max(1000, wait)) };
      }
      if (!(await runDue(store, project, opts, due, signal))) return { status: 'done' };
      ticks.ran++;
    }
  };
}

/** Run the first of the due phases; false when the run was stopped. */
async function runDue(
  store: Store,
  project: ProjectConfig,
  opts: SchedulerOptions,
  due: PhaseStatus[],
  signal: AbortSignal,
): Promise<boolean> {
  // Of several overdue passes of one kind only the latest is worth running.
  const latest = new Map<string, PhaseStatus>();
  for (const p of due) latest.set(p.phase, p);
  for (const p of due)
    if (latest.get(p.phase) !== p)
      await record(store, p, { status: 'superseded', note: `superseded by ${latest.get(p.phase)!.key}` });
  // Several kinds due at once (the scheduler starts after the cutover): in the plan's order.
  const p = [...latest.values()].sort(
    (a, b) => PHASES.indexOf(a.phase) - PHASES.indexOf(b.phase) || a.at.getTime() - b.at.getTime(),
  )[0]!;
  const started = new Date().toISOString();
  await record(store, p, { status: 'running', started });
  try {
    const outcomes = await runMigration(store, project, {
      phase: p.phase,
      progress: opts.progress,
      signal,
    });
    if (signal.aborted) {
      await record(store, p, {
        status: 'pending',
        started,
        note: 'stopped; runs again when the scheduler restarts',
      });
      return false;
    }
    const failed = outcomes.filter((o) => o.status !== 'done').length;
    await record(store, p, {
      status: 'done',
      started,
      finished: new Date().toISOString(),
      note: failed ? `${failed} mailbox(es) did not finish; see the report` : undefined,
    });
    opts.onPhase?.(p, outcomes);
  } catch (err) {
    await record(store, p, {
      status: 'failed',
      started,
      finished: new Date().toISOString(),
      note: err instanceof Error ? err.message : String(err),
    });
    opts.onPhase?.(p, undefined, err);
  }
  return true;
}
