/**
 * LOCAL EMULATOR of Microsoft Graph (test code, not the real service): the Outlook budgets per app and mailbox
 * from the throttling-limits page — 10,000 requests in a 10-minute period and 150 MB uploaded (PATCH, POST,
 * PUT bodies) in a 5-minute period. A request over either gets 429 ApplicationThrottled with a Retry-After
 * of the seconds until the window has room again (minutes with the documented windows). The windows and
 * amounts are options so that a test can spend them in seconds.
 */

/** One mailbox's budgets (documented defaults in GRAPH_BUDGETS). */
export interface EmBudgetLimits {
  requests: number;
  requestWindowMs: number;
  uploadBytes: number;
  uploadWindowMs: number;
}

/** The documented Outlook limits. */
export const GRAPH_BUDGETS: EmBudgetLimits = {
  requests: 10_000,
  requestWindowMs: 10 * 60_000,
  uploadBytes: 150 * 1024 * 1024,
  uploadWindowMs: 5 * 60_000,
};

type Entry = { at: number; amount: number };

/** Seconds until `amount` more fits into a window holding `entries` (0 = fits now). */
function waitSeconds(entries: Entry[], limit: number, spanMs: number, amount: number, now: number): number {
  while (entries.length && entries[0]!.at + spanMs <= now) entries.shift();
  let over = entries.reduce((s, e) => s + e.amount, 0) + amount - limit;
  if (over <= 0 || entries.length === 0) return 0; // fits, or goes alone into an empty window
  for (const e of entries) {
    over -= e.amount;
    if (over <= 0) return Math.max(1, Math.ceil((e.at + spanMs - now) / 1000));
  }
  return Math.ceil(spanMs / 1000);
}

/** The budgets of every mailbox, by user id. */
export class EmBudgets {
  private readonly requests = new Map<string, Entry[]>();
  private readonly uploads = new Map<string, Entry[]>();
  /** Requests refused for a spent budget. */
  refused = 0;

  constructor(public limits: EmBudgetLimits = GRAPH_BUDGETS) {}

  /** Count one request carrying `uploaded` bytes, or the Retry-After seconds when it does not fit. */
  take(userId: string, uploaded: number, now = Date.now()): number {
    const reqs = this.requests.get(userId) ?? [];
    const ups = this.uploads.get(userId) ?? [];
    const l = this.limits;
    const wait = Math.max(
      waitSeconds(reqs, l.requests, l.requestWindowMs, 1, now),
      uploaded ? waitSeconds(ups, l.uploadBytes, l.uploadWindowMs, uploaded, now) : 0,
    );
    if (wait > 0) {
      this.refused++;
      return wait;
    }
    reqs.push({ at: now, amount: 1 });
    if (uploaded) ups.push({ at: now, amount: uploaded });
    this.requests.set(userId, reqs);
    this.uploads.set(userId, ups);
    return 0;
  }

  /** Forget what was spent (between tests). */
  reset(): void {
    this.requests.clear();
    this.uploads.clear();
  }
}
