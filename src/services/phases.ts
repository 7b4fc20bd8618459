/**
 * Migration phases. Each is a normal pass over the ledger (what is already there is skipped); a phase
 * only narrows the date range for that pass:
 *
 * - prestage: items older than plan.prestageOlderThanDays (default 30) — the bulk, weeks ahead;
 * - recent:   items of the last plan.recentMonths months before the cutover (the rest in a later pass);
 * - delta:    everything (repeat as often as wanted before the cutover);
 * - final:    everything, at the cutover;
 * - catchup:  everything, in the plan.catchUpDays after the cutover (mail that still reached the old system).
 *
 * Items outside a phase's range are recorded as skipped with the reason and are looked at again by the
 * next pass, so a later phase picks them up.
 */
import type { PlanConfig } from '../config/plan.js';
import type { MailboxOptions } from '../config/types.js';
import { ErrorCode, PermanentError } from '../errors.js';

export type Phase = 'prestage' | 'recent' | 'delta' | 'final' | 'catchup';
export const PHASES: readonly Phase[] = ['prestage', 'recent', 'delta', 'final', 'catchup'];

const DAY = 24 * 3600 * 1000;

/** `options` narrowed to what `phase` copies at time `now`. */
export function phaseOptions(
  phase: Phase,
  options: MailboxOptions,
  plan: PlanConfig,
  now = new Date(),
): MailboxOptions {
  if (phase === 'prestage') {
    const cut = new Date(now.getTime() - (plan.prestageOlderThanDays ?? 30) * DAY);
    return { ...options, before: options.before && options.before < cut ? options.before : cut };
  }
  if (phase === 'recent') {
    const anchor = plan.cutoverAt ?? now;
    const from = new Date(anchor);
    from.setUTCMonth(from.getUTCMonth() - (plan.recentMonths ?? 6));
    return { ...options, since: options.since && options.since > from ? options.since : from };
  }
  if (phase === 'catchup' && plan.cutoverAt) {
    const until = new Date(plan.cutoverAt.getTime() + plan.catchUpDays * DAY);
    if (now > until)
      throw new PermanentError(
        ErrorCode.ConfigInvalid,
        `The catch-up period ended on ${until.toISOString().slice(0, 16)} (cutover + ${plan.catchUpDays} days).`,
        'Run a normal pass (--phase delta) if you really want another sync, or raise plan.catchUpDays.',
      );
  }
  return options;
}

/** A phase in a schedule: when it is due and what it does. */
export interface ScheduledPhase {
  phase: Phase;
  at: Date;
  /** Stable name, recorded when it has run (so a restart does not run it twice). */
  key: string;
}

/**
 * The default schedule from the plan's dates: pre-stage now; a delta pass every night at 02:00 UTC until
 * the cutover; the final sync at the cutover; a catch-up pass each day after it for plan.catchUpDays.
 */
export function defaultSchedule(plan: PlanConfig, now = new Date()): ScheduledPhase[] {
  const out: ScheduledPhase[] = [];
  const add = (phase: Phase, at: Date) => out.push({ phase, at, key: `${phase}@${at.toISOString()}` });
  // Pre-stage once, whenever the schedule first runs.
  out.push({ phase: 'prestage', at: new Date(Math.floor(now.getTime() / 60_000) * 60_000), key: 'prestage' });
  if (!plan.cutoverAt) return out;
  const night = new Date(now);
  night.setUTCHours(2, 0, 0, 0);
  if (night <= now) night.setTime(night.getTime() + DAY);
  for (let t = night.getTime(); t < plan.cutoverAt.getTime(); t += DAY) add('delta', new Date(t));
  add('final', plan.cutoverAt);
  for (let d = 1; d <= plan.catchUpDays; d++) add('catchup', new Date(plan.cutoverAt.getTime() + d * DAY));
  return out;
}
