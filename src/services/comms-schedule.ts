/**
 * When each message is due, derived from the plan's dates (in the plan's time zone):
 * - announcement: from notifyFrom (default: at once) until the cutover;
 * - reminder: each evening at 18:00 from the day after notifyFrom until the cutover, while credentials are missing;
 * - pre-cutover: from 24 hours before the cutover until it;
 * - dns-change: from the cutover for two days;
 * - completion: once the final sync has finished, until the catch-up days are over.
 * A message missed by more than its window (the server was off) is not sent late.
 */
import { fromZonedWallTime, type PlanConfig } from '../config/plan.js';
import type { MessageKind } from '../notify/templates.js';

/** Local hour of the nightly reminder. */
export const REMINDER_HOUR = 18;
const DAY = 86_400_000;

/** One kind of message and its window. */
export interface CommsWindow {
  kind: MessageKind;
  from: Date;
  until?: Date;
  /** For reminders: the event key of the evening due now (one per day). */
  event: string;
}

/** The plan's date (YYYY-MM-DD) at instant `t` in its time zone. */
export function localDate(t: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(t);
}

/** The windows of the plan as a list (for the operator and for sending): reminders show the evening due now, or the next. */
export function commsSchedule(plan: PlanConfig, now: Date, finalDoneAt?: Date): CommsWindow[] {
  const start = plan.notifyFrom ?? now;
  const cut = plan.cutoverAt;
  const out: CommsWindow[] = [{ kind: 'announcement', from: start, until: cut, event: 'announcement' }];
  if (plan.mode === 'credentials') {
    // The first evening at least 20 hours after the announcement; each evening's reminder may go out for 6 hours.
    const first = nextEvening(plan, new Date(start.getTime() + 20 * HOUR));
    const latest = latestEvening(plan, now);
    let at = latest.getTime() + REMINDER_WINDOW_MS > now.getTime() ? latest : nextEvening(plan, now);
    if (at < first) at = first;
    const until = new Date(Math.min(at.getTime() + REMINDER_WINDOW_MS, cut?.getTime() ?? Infinity));
    if (!cut || at < cut)
      out.push({ kind: 'reminder', from: at, until, event: `reminder:${localDate(at, plan.timezone)}` });
  }
  if (cut) {
    out.push({ kind: 'pre-cutover', from: new Date(cut.getTime() - DAY), until: cut, event: 'pre-cutover' });
    out.push({
      kind: 'dns-change',
      from: cut,
      until: new Date(cut.getTime() + 2 * DAY),
      event: 'dns-change',
    });
  }
  if (finalDoneAt)
    out.push({
      kind: 'completion',
      from: finalDoneAt,
      until: new Date(Math.max(cut?.getTime() ?? 0, finalDoneAt.getTime()) + (plan.catchUpDays + 1) * DAY),
      event: 'completion',
    });
  return out;
}

const HOUR = 3_600_000;
const REMINDER_WINDOW_MS = 6 * HOUR;

function eveningOf(date: string, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return fromZonedWallTime([y, m, d, REMINDER_HOUR, 0], timeZone);
}

/** The latest reminder evening (18:00 local) at or before `t`. */
function latestEvening(plan: PlanConfig, t: Date): Date {
  const today = eveningOf(localDate(t, plan.timezone), plan.timezone);
  return today <= t
    ? today
    : eveningOf(localDate(new Date(today.getTime() - DAY), plan.timezone), plan.timezone);
}

/** The earliest reminder evening at or after `t` (after 18:00, t + 24 h is always on the next local date). */
function nextEvening(plan: PlanConfig, t: Date): Date {
  const today = eveningOf(localDate(t, plan.timezone), plan.timezone);
  return today >= t ? today : eveningOf(localDate(new Date(t.getTime() + DAY), plan.timezone), plan.timezone);
}

/** The windows open at `now`. */
export function dueWindows(plan: PlanConfig, now: Date, finalDoneAt?: Date): CommsWindow[] {
  return commsSchedule(plan, now, finalDoneAt).filter((w) => w.from <= now && (!w.until || now < w.until));
}
