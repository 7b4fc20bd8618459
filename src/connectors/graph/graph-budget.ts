/**
 * Graph's budgets per app and mailbox, paced before Graph has to say 429. The throttling-limits page
 * (Outlook service limits, "per app ID and mailbox combination") documents 10,000 API requests in a 10-minute
 * period and 150 MB uploaded (PATCH, POST, PUT) in a 5-minute period, besides 4 concurrent requests
 * (mailbox-gate.ts). Every request Cutover sends to one mailbox in this process is counted here in sliding
 * windows; one that would overrun a window is not sent: a RateLimitError says how long until it fits, and the
 * scheduler waits (connectors never sleep). A small margin is kept for clock skew and other tools of the app.
 * When the application hands a shared-limits hook (workers on several machines), the windows are counted
 * there instead, for all of them (graph-shared-limits.ts).
 */
import { RateLimitError } from '../../errors.js';

/** The budgets of one mailbox (per app). */
export interface BudgetLimits {
  requests: number;
  requestWindowMs: number;
  uploadBytes: number;
  uploadWindowMs: number;
}

/** Graph's documented Outlook limits per app and mailbox. */
export const GRAPH_BUDGET: BudgetLimits = {
  requests: 10_000,
  requestWindowMs: 10 * 60_000,
  uploadBytes: 150 * 1_000_000,
  uploadWindowMs: 5 * 60_000,
};

/** Share of each budget Cutover spends. */
export const BUDGET_SHARE = 0.95;
/** Entries closer than this are counted together (a window of 10,000 requests stays small). */
const BUCKET_MS = 250;
/**
 * Graph counts a request when it arrives, Cutover when it sends it: an entry is kept this much longer than
 * the window so that it never leaves Cutover's window before it leaves Graph's.
 */
export const SKEW_MS = 1000;

/** One sliding window: amounts by time. */
class Window {
  private readonly entries: Array<{ start: number; at: number; amount: number }> = [];
  private used = 0;

  private readonly spanMs: number;

  constructor(
    readonly limit: number,
    windowMs: number,
  ) {
    this.spanMs = windowMs + SKEW_MS;
  }

  /** Milliseconds until `amount` more fits (0 = now). */
  waitFor(amount: number, now: number): number {
    this.prune(now);
    let over = this.used + amount - this.limit;
    if (over <= 0 || this.used === 0) return 0; // fits, or goes alone into an empty window
    for (const e of this.entries) {
      over -= e.amount;
      if (over <= 0) return Math.max(1, e.at + this.spanMs - now);
    }
    return this.spanMs; // more than the whole window: wait a full window, then it goes alone
  }

  add(amount: number, now: number): void {
    if (amount <= 0) return;
    const last = this.entries.at(-1);
    // A bucket is stamped with its latest entry: it leaves the window no earlier than any of them.
    if (last && now - last.start < BUCKET_MS) {
      last.amount += amount;
      last.at = now;
    } else this.entries.push({ start: now, at: now, amount });
    this.used += amount;
  }

  private prune(now: number): void {
    while (this.entries.length && this.entries[0]!.at + this.spanMs <= now)
      this.used -= this.entries.shift()!.amount;
  }
}

/** The request and upload windows of one mailbox. */
export class MailboxBudget {
  private readonly requests: Window;
  private readonly uploads: Window;

  constructor(
    readonly limits: BudgetLimits = GRAPH_BUDGET,
    private readonly now: () => number = Date.now,
  ) {
    this.requests = new Window(Math.floor(limits.requests * BUDGET_SHARE), limits.requestWindowMs);
    this.uploads = new Window(Math.floor(limits.uploadBytes * BUDGET_SHARE), limits.uploadWindowMs);
  }

  /**
   * Count `requests` requests carrying `bytes` uploaded, or throw a RateLimitError with the wait until they
   * fit (nothing is counted then). `where` names the mailbox.
   */
  take(requests: number, bytes: number, where: string): void {
    const t = this.now();
    const waitRequests = this.requests.waitFor(requests, t);
    const waitBytes = this.uploads.waitFor(bytes, t);
    if (waitRequests > 0 || waitBytes > 0) throw budgetSpent(this.limits, where, waitRequests, waitBytes);
    this.requests.add(requests, t);
    this.uploads.add(bytes, t);
  }
}

/** The RateLimitError of a request that does not fit a budget yet: which budget, and the wait. */
export function budgetSpent(
  limits: BudgetLimits,
  where: string,
  waitRequests: number,
  waitBytes: number,
): RateLimitError {
  return new RateLimitError(
    waitBytes >= waitRequests
      ? `${where}: paced to Graph's upload budget (${Math.round(limits.uploadBytes / 1e6)} MB per ${limits.uploadWindowMs / 60_000} minutes per mailbox).`
      : `${where}: paced to Graph's request budget (${limits.requests} requests per ${limits.requestWindowMs / 60_000} minutes per mailbox).`,
    Math.max(waitRequests, waitBytes),
  );
}

const budgets = new Map<string, MailboxBudget>();

/** The process-wide budget of one mailbox (made with `limits` on first use). */
export function budgetFor(mailboxKey: string, limits: BudgetLimits = GRAPH_BUDGET): MailboxBudget {
  let b = budgets.get(mailboxKey);
  if (!b) budgets.set(mailboxKey, (b = new MailboxBudget(limits)));
  return b;
}

/**
 * Requests one message costs on average: its create (or `$value` read), plus its share of listings, flag
 * batches, folder look-ups and the occasional second request for a large attachment.
 */
const REQUESTS_PER_MESSAGE = 1.25;
/** JSON carries message bytes as base64 (4 bytes for 3) plus the JSON around them. */
const UPLOAD_EXPANSION = 4 / 3;

/** The sustained pace the budgets allow one mailbox (for estimates). */
export function paceOf(limits: BudgetLimits, side: 'source' | 'destination') {
  const requestsPerSecond = (limits.requests * BUDGET_SHARE) / (limits.requestWindowMs / 1000);
  const messagesPerSecond = requestsPerSecond / REQUESTS_PER_MESSAGE;
  const mb = Math.round(limits.uploadBytes / 1e6);
  if (side === 'source')
    return {
      messagesPerSecond,
      basis: `Microsoft 365's ${limits.requests} requests per ${limits.requestWindowMs / 60_000} minutes per mailbox`,
    };
  return {
    messagesPerSecond,
    bytesPerSecond: (limits.uploadBytes * BUDGET_SHARE) / (limits.uploadWindowMs / 1000) / UPLOAD_EXPANSION,
    basis: `Microsoft 365's ${limits.requests} requests per ${limits.requestWindowMs / 60_000} minutes and ${mb} MB uploaded per ${limits.uploadWindowMs / 60_000} minutes per mailbox`,
  };
}
