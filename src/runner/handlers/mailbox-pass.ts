/**
 * The 'mailbox-pass' job: one mailbox of a run, synced by the engine and recorded (status, alerts, stored
 * credentials). Its data is JSON (run id, mailbox id, login, the give-up clock); what a run shares between
 * its mailboxes (the project, progress sink, connection slots, limiter, the mailbox window) is found by the
 * run id: in `passRuns` for a run of this process, else by the resolver a worker gives (built from the store).
 * A run kept in the store (`shared`) is admitted into its window by the store, over every worker; a full
 * window or a throttling server that asks for a long wait ends the slice: the job comes back later and
 * resumes from the ledger, with its give-up clock.
 */
import type { MailboxSpec, ProjectConfig } from '../../config/types.js';
import { ErrorCode, asCutoverError, throwIfAborted } from '../../errors.js';
import { ThrottledSlice, syncMailbox, type EngineDeps, type MailboxJob } from '../../engine/mailbox-sync.js';
import type { PassCounters } from '../../store/mailbox-repo.js';
import type { AlertRepo } from '../../store/alert-repo.js';
import type { JobHandler } from '../job.js';
import { phaseOptions, type Phase } from '../../services/phases.js';
import type { StoredAuths } from '../../services/credential-auth.js';
import { alertFor, clearPassAlerts, raisePassAlert, sideOf } from '../../services/mailbox-alerts.js';
import { endpointsFor, labelOf, type MailboxOutcome } from '../../services/mailbox-endpoints.js';
import type { PlanConfig } from '../../config/plan.js';
import type { RunGate } from '../run-gate.js';
import type { RunRepo } from '../../store/run-repo.js';
import type { RunSignals } from '../../store/store.js';

/** A run kept in the store, whose mailboxes any worker may run. */
export interface SharedRun {
  runs: RunRepo;
  /** This worker's id (recorded on the mailbox it runs). */
  worker: string;
  /** How many mailboxes of the run at once, over every worker (its throttling window now). */
  window: () => number;
  /** How often a running mailbox says so (ms); a heartbeat older than `leaseMs` no longer counts. */
  heartbeatMs: number;
  leaseMs: number;
  /** When a full window is looked at again (ms). */
  recheckMs: number;
  /** The store's run changes (PostgreSQL): a pause is looked at when signalled, not only at a heartbeat. */
  signals?: RunSignals;
}

/** What the mailboxes of one run share in this process. */
export interface PassRun {
  project: ProjectConfig;
  plan: PlanConfig;
  phase?: Phase;
  dryRun: boolean;
  stored: StoredAuths;
  alerts: AlertRepo;
  engine: EngineDeps;
  /** The run's signal: aborted, every mailbox stops (pause). */
  signal?: AbortSignal;
  /** How many mailboxes of the run at once (its throttling window). */
  gate: RunGate;
  /** Each mailbox's outcome, when its pass has ended. */
  outcomes: Map<number, MailboxOutcome>;
  /** Kept in the store: admitted, heartbeated and recorded there (`gate` is not used). */
  shared?: SharedRun;
}

/** The runs of this process, by id (migration-service registers and removes them). */
export const passRuns = new Map<string, PassRun>();

/** Runs one slice of a mailbox's pass, for runs of this process; see the file header. */
export const mailboxPass: JobHandler<'mailbox-pass'> = mailboxPassHandler(async (id) => passRuns.get(id));

/** The handler, finding runs that are not this process's with `resolve` (a worker reads them from the store). */
export function mailboxPassHandler(
  resolve: (runId: string) => Promise<PassRun | undefined>,
): JobHandler<'mailbox-pass'> {
  return async (data, ctx) => {
    const run = passRuns.get(data.runId) ?? (await resolve(data.runId));
    if (!run) return { status: 'done' }; // the run has ended (its jobs were cancelled): nothing to do
    return run.shared ? sharedSlice(run, run.shared, data, ctx) : slice(run, data, ctx);
  };
}

/**
 * A slice of a run kept in the store: admitted into the run's window over every worker, heartbeated while it
 * runs (a pause seen there aborts it), and its outcome recorded for whoever waits on the run.
 */
const sharedSlice = async (
  run: PassRun,
  shared: SharedRun,
  data: Parameters<JobHandler<'mailbox-pass'>>[0],
  ctx: Parameters<JobHandler<'mailbox-pass'>>[1],
): ReturnType<JobHandler<'mailbox-pass'>> => {
  const { runs, worker } = shared;
  const now = Date.now();
  const admitted = await runs.admit(
    data.runId,
    data.mailboxId,
    shared.window(),
    worker,
    now,
    now - shared.leaseMs,
  );
  if (admitted === 'full') return { status: 'retry', startAfter: new Date(now + shared.recheckMs), data };
  if (admitted !== 'admitted') return { status: 'done' };
  const paused = new AbortController();
  const beat = () =>
    void runs
      .heartbeat(data.runId, data.mailboxId, worker)
      .then((state) => state === 'cancelled' && paused.abort())
      .catch(() => undefined); // a lost heartbeat only makes the lease run out; the next one tries again
  const beating = setInterval(beat, shared.heartbeatMs);
  // A change of the run itself (a pause) is looked at as soon as it is signalled.
  const unsubscribe =
    shared.signals?.subscribe((c) => {
      if (c.kind === 'run' && (c.runId === data.runId || c.runId === '')) beat();
    }) ?? (() => undefined);
  try {
    run.outcomes.delete(data.mailboxId); // an earlier slice's, in a worker that keeps the run
    const result = await slice(run, data, { ...ctx, signal: AbortSignal.any([ctx.signal, paused.signal]) });
    const o = run.outcomes.get(data.mailboxId);
    // The worker is closing (not a pause): the mailbox goes back to the queue and another worker resumes it.
    const handBack = ctx.signal.aborted && !paused.signal.aborted;
    if (result.status === 'retry' || handBack) {
      await runs.requeued(data.runId, data.mailboxId);
      return handBack ? { status: 'retry', startAfter: new Date(), data } : result;
    }
    await runs.ended(data.runId, data.mailboxId, {
      state: o?.status ?? 'stopped',
      ...(o?.counters ? { counters: o.counters } : {}),
      ...(o?.error ? { error: o.error } : {}),
    });
    return result;
  } finally {
    clearInterval(beating);
    unsubscribe();
  }
};

/** One slice of the mailbox's pass (the body both kinds of run share). */
const slice = async (
  run: PassRun,
  data: Parameters<JobHandler<'mailbox-pass'>>[0],
  ctx: Parameters<JobHandler<'mailbox-pass'>>[1],
): ReturnType<JobHandler<'mailbox-pass'>> => {
  const spec = specOf(run, data.sourceUser);
  const id = data.mailboxId;
  const label = labelOf(spec);
  const signal = AbortSignal.any([ctx.signal, ...(run.signal ? [run.signal] : [])]);
  const outcome = (o: Omit<MailboxOutcome, 'mailboxId' | 'label'>) =>
    void run.outcomes.set(id, { mailboxId: id, label, ...o });
  const gate = run.shared ? undefined : run.gate;
  try {
    await gate?.acquire(signal);
  } catch {
    // Never started (the run was stopped while it waited): as the run names mailboxes it did not reach.
    run.outcomes.set(id, {
      mailboxId: id,
      label: spec.sourceUser,
      status: 'stopped',
      error: String(new Error('stopped before it started')),
    });
    return { status: 'done' };
  }
  try {
    throwIfAborted(signal);
    if (data.slice === 0) run.engine.progress.started?.(id, label);
    let job: MailboxJob;
    try {
      job = mailboxJob(run, spec, id, label);
    } catch (err) {
      const e = asCutoverError(err);
      await run.engine.mailboxes.setStatus(id, 'failed', e.describe());
      run.engine.progress.note(id, 'error', e.describe());
      if (!run.dryRun) await raisePassAlert(run.alerts, id, label, 'credentials-missing', e);
      outcome({ status: 'failed', error: e.describe() });
      return { status: 'done' };
    }
    try {
      const deps: EngineDeps = {
        ...run.engine,
        ...(data.stalledSince !== undefined ? { stalledSince: data.stalledSince } : {}),
      };
      const counters = add(data.carried, await syncMailbox(job, deps, signal));
      if (!run.dryRun) {
        await clearPassAlerts(run.alerts, id);
        await run.stored.worked(id);
      }
      outcome({ status: 'done', counters });
      return { status: 'done' };
    } catch (err) {
      if (err instanceof ThrottledSlice && !signal.aborted) {
        return {
          status: 'retry',
          startAfter: new Date(Date.now() + err.waitMs),
          data: {
            ...data,
            slice: data.slice + 1,
            stalledSince: err.stalledSince,
            ...(err.counters ? { carried: { ...add(data.carried, err.counters) } } : {}),
          },
        };
      }
      const e = asCutoverError(err);
      if (!signal.aborted) run.engine.progress.note(id, 'error', e.describe());
      // A password the user handed over stopped working: find which, and ask the user again.
      const refused =
        e.code === ErrorCode.AuthFailed
          ? await run.stored
              .rejected(id, { source: run.project.source, destination: run.project.destination })
              .catch(() => [])
          : [];
      const type = signal.aborted ? undefined : alertFor('sync', e, refused.length > 0);
      if (type && !run.dryRun) await raisePassAlert(run.alerts, id, label, type, e, sideOf(e, run.project));
      outcome({ status: signal.aborted ? 'stopped' : 'failed', error: e.describe() });
      return { status: 'done' };
    }
  } catch (err) {
    outcome({ status: 'stopped', error: String(err) });
    return { status: 'done' };
  } finally {
    gate?.release();
  }
};

const specs = new WeakMap<PassRun, Map<string, MailboxSpec>>();

/** The run's mailbox by source login (a map per run: a run of 25,000 mailboxes is not searched per job). */
function specOf(run: PassRun, sourceUser: string): MailboxSpec {
  let byUser = specs.get(run);
  if (!byUser) specs.set(run, (byUser = new Map(run.project.mailboxes.map((m) => [m.sourceUser, m]))));
  return byUser.get(sourceUser)!;
}

/** The engine's job for a mailbox of the run: both sides, the phase's options. */
function mailboxJob(run: PassRun, spec: MailboxSpec, id: number, label: string): MailboxJob {
  return {
    mailboxId: id,
    label,
    ...endpointsFor(run.project, spec, id, run.stored),
    options: run.phase ? phaseOptions(run.phase, spec.options, run.plan) : spec.options,
    foldersInParallel: run.project.concurrency.foldersPerMailbox,
    dryRun: run.dryRun,
    addressReplacements: run.plan.addressReplacements,
  };
}

/** Counters of earlier slices plus this one's. */
function add(a: Record<string, number> | undefined, b: PassCounters): PassCounters {
  if (!a) return b;
  const out = { ...b };
  for (const k of Object.keys(out) as Array<keyof PassCounters>) out[k] += a[k] ?? 0;
  return out;
}
