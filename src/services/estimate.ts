/**
 * How long the migration will take, per mailbox and overall, and a cutover date that leaves room for it.
 *
 * Per mailbox: max(items ÷ item rate, bytes ÷ byte rate), with the rates measured on this project's own
 * finished passes when there are enough of them, else the documented defaults below. Overall: mailboxes
 * run in the migration's order (starred, then largest first) on as many lanes as the throttling window
 * in force allows (project concurrency outside any window) and the servers' connection caps permit, with
 * the project's message/byte caps shared between the lanes; simulated in 5-minute steps. The per-mailbox
 * rates are capped by the documented budgets of either side (estimate-pace.ts).
 */
import type { ProjectConfig } from '../config/types.js';
import { concurrencyAt, localClock, type PlanConfig } from '../config/plan.js';
import type { Store } from '../store/db.js';
import { MailboxRepo } from '../store/mailbox-repo.js';
import { pacedRates, type Rates } from './estimate-pace.js';

/** Throughput of ONE mailbox (defined with the pacing, which needs it too). */
export type { Rates };

/**
 * Defaults when nothing has been measured yet: one mailbox over the internet between two production IMAP
 * servers typically moves 10–30 messages/s and 1–3 MB/s (our loopback benchmark is 10× faster, real
 * servers are farther, busier and throttle). The lower ends are used so that a plan errs late.
 */
export const DEFAULT_RATES: Rates = {
  messagesPerSecond: 10,
  bytesPerSecond: 1 * 1024 * 1024,
  basis: 'defaults (10 messages/s and 1 MB/s per mailbox; nothing measured yet)',
};

/** Passes that copied at least this much count as a measurement. */
const MIN_MEASURED = 200;

/** Passes a measurement is taken over: the latest ones, so a poll costs the same at any size. */
const MEASURED_PASSES = 1000;

/**
 * Rates measured on the latest finished passes (per mailbox) of the project's mailboxes (of the whole
 * store when no project is given), or the defaults.
 */
export async function measuredRates(store: Store, projectId?: number): Promise<Rates> {
  const rows = await new MailboxRepo(store.db).measuredPasses(MIN_MEASURED, MEASURED_PASSES, projectId);
  let seconds = 0;
  let messages = 0;
  let bytes = 0;
  for (const r of rows) {
    const s = (Date.parse(r.finishedAt) - Date.parse(r.startedAt)) / 1000;
    if (!(s > 0)) continue;
    seconds += s;
    messages += Number(r.copied);
    bytes += Number(r.bytes);
  }
  if (seconds === 0 || messages === 0) return DEFAULT_RATES;
  return {
    messagesPerSecond: messages / seconds,
    bytesPerSecond: Math.max(bytes / seconds, 1),
    basis: `measured on the latest ${rows.length} pass(es) ${projectId === undefined ? 'in this store' : 'of this project'} (${messages} messages in ${Math.round(seconds)} s of mailbox time)`,
  };
}

export interface MailboxWork {
  mailbox: string;
  messages: number;
  bytes: number;
  starred?: boolean;
}

export interface MailboxEstimate extends MailboxWork {
  /** Time the mailbox needs alone, at full speed. */
  seconds: number;
  start?: Date;
  end?: Date;
}

export interface Estimate {
  rates: Rates;
  start: Date;
  /** When the last mailbox finishes; undefined when the windows never let it finish within a year. */
  finish?: Date;
  /** Wall-clock hours from start to finish. */
  hours?: number;
  mailboxes: MailboxEstimate[];
  /** A cutover date that leaves room: see suggestCutover. */
  suggestedCutover?: Date;
}

const STEP_S = 300;
const HORIZON_S = 366 * 24 * 3600;

/** Estimate every mailbox and the whole run starting at `start`. */
export function estimate(
  work: MailboxWork[],
  project: Pick<ProjectConfig, 'concurrency' | 'limits'> &
    Partial<Pick<ProjectConfig, 'source' | 'destination'>>,
  plan: Pick<PlanConfig, 'windows' | 'timezone'>,
  measured: Rates,
  start = new Date(),
): Estimate {
  // No mailbox goes faster than the budgets of the systems on either side allow.
  const rates = pacedRates(measured, project);
  const mailboxes: MailboxEstimate[] = work.map((w) => ({
    ...w,
    seconds: Math.max(w.messages / rates.messagesPerSecond, w.bytes / rates.bytesPerSecond),
  }));
  // The migration's own order: starred first, then largest first.
  const queue = [...mailboxes].sort(
    (a, b) => Number(b.starred ?? false) - Number(a.starred ?? false) || b.bytes - a.bytes,
  );
  const remaining = new Map(queue.map((m) => [m, m.seconds]));
  const active: MailboxEstimate[] = [];
  // The servers' connection caps bound the mailboxes that can run at once: each folder lane of a mailbox
  // holds two connections per side.
  const perMailbox = 2 * Math.max(1, project.concurrency.foldersPerMailbox);
  const caps = [project.source?.maxConnections, project.destination?.maxConnections].filter(
    (n): n is number => n !== undefined,
  );
  const serverLanes = caps.length ? Math.max(1, Math.floor(Math.min(...caps) / perMailbox)) : Infinity;
  // The queue is read from `next` on (shifting a 25,000-entry array at every start cost seconds); mailboxes
  // paused by a narrower window wait in `paused` and go first, the last paused first.
  let next = 0;
  const paused: MailboxEstimate[] = [];
  const waiting = () => paused.length + queue.length - next;
  let t = 0;
  while ((waiting() || active.length) && t < HORIZON_S) {
    const now = new Date(start.getTime() + t * 1000);
    const lanes = Math.min(serverLanes, concurrencyAt(now, plan, project.concurrency.mailboxes));
    // A window with fewer lanes pauses the most recently started mailboxes (they resume later).
    while (active.length > lanes) paused.push(active.pop()!);
    while (active.length < lanes && waiting()) {
      const m = paused.pop() ?? queue[next++]!;
      m.start ??= now;
      active.push(m);
    }
    // Project-wide caps are shared by the lanes running now.
    const share = (cap: number | undefined, perMailbox: number) =>
      cap && active.length ? Math.min(1, cap / (perMailbox * active.length)) : 1;
    const speed = Math.min(
      share(project.limits.messagesPerSecond, rates.messagesPerSecond),
      share(project.limits.bytesPerSecond, rates.bytesPerSecond),
    );
    for (const m of [...active]) {
      const left = remaining.get(m)! - STEP_S * speed;
      if (left <= 0) {
        m.end = new Date(now.getTime() + Math.max(0, (STEP_S * speed + left) / speed) * 1000);
        active.splice(active.indexOf(m), 1);
      } else remaining.set(m, left);
    }
    t += STEP_S;
  }
  const ends = mailboxes.map((m) => m.end);
  const finish = ends.every((e): e is Date => e !== undefined)
    ? new Date(Math.max(start.getTime(), ...ends.map((e) => e.getTime())))
    : undefined;
  return {
    rates,
    start,
    finish,
    hours: finish ? (finish.getTime() - start.getTime()) / 3_600_000 : undefined,
    mailboxes,
    suggestedCutover: finish ? suggestCutover(start, finish, plan.timezone) : undefined,
  };
}

/**
 * The suggested cutover: a Friday at 18:00 local time (users are away over the weekend, the catch-up
 * passes run before Monday) no earlier than the estimated finish plus half the estimated duration and at
 * least three days from now (time for end users to hand over credentials and for DNS TTLs to run down).
 */
export function suggestCutover(start: Date, finish: Date, timeZone: string): Date {
  const margin = Math.max((finish.getTime() - start.getTime()) * 1.5, 3 * 24 * 3600 * 1000);
  let t = new Date(start.getTime() + margin);
  // Walk forward in 15-minute steps to the next Friday 18:00 in the project's time zone.
  for (let i = 0; i < 7 * 24 * 4 + 8; i++) {
    const { day, minutes } = localClock(t, timeZone);
    if (day === 5 && minutes >= 18 * 60 && minutes < 18 * 60 + 15) {
      return new Date(t.getTime() - (minutes - 18 * 60) * 60_000 - (t.getTime() % 60_000));
    }
    t = new Date(t.getTime() + 15 * 60_000);
  }
  return t;
}
