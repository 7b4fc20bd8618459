/**
 * Graph's per-mailbox limits held for every process of the application together, through the hook it
 * hands the connector (ConnectorContext.sharedLimits): the 4 concurrent requests (mailbox-gate.ts) and the
 * request and upload budgets (graph-budget.ts). A request first takes this process's gate, so a process
 * never asks the hook for more than the mailbox allows, then the shared permits; the budgets are counted
 * only by the hook (it sees every process's requests, this one's included), with the same share and
 * clock-skew margin as the local windows, and a budget spent is thrown as the same RateLimitError.
 */
import type { SharedLimits } from '../context-hooks.js';
import { BUDGET_SHARE, budgetSpent, SKEW_MS, type BudgetLimits } from './graph-budget.js';
import { MAILBOX_CONCURRENCY, type MailboxGate } from './mailbox-gate.js';

/** What a Graph request takes before it is sent: permits of the mailbox's concurrency. */
export interface MailboxPermits {
  /** Wait for `n` permits (n ≤ 4); resolves with the function that gives them back. */
  acquire(n?: number, signal?: AbortSignal): Promise<() => void>;
}

/** What a Graph request is counted against: the mailbox's budgets (throws a RateLimitError when spent). */
export interface MailboxBudgets {
  take(requests: number, bytes: number, where: string): void | Promise<void>;
}

/** The mailbox's 4 concurrent requests: this process's gate, then the shared permits. */
export class SharedMailboxGate implements MailboxPermits {
  constructor(
    private readonly local: MailboxGate,
    private readonly shared: SharedLimits,
    private readonly mailboxKey: string,
  ) {}

  async acquire(n = 1, signal?: AbortSignal): Promise<() => void> {
    const want = Math.min(Math.max(n, 1), MAILBOX_CONCURRENCY);
    const releaseLocal = await this.local.acquire(want, signal);
    try {
      const releaseShared = await this.shared.concurrency(
        `graph:${this.mailboxKey}`,
        MAILBOX_CONCURRENCY,
        want,
        signal,
      );
      return () => {
        releaseShared();
        releaseLocal();
      };
    } catch (err) {
      releaseLocal();
      throw err;
    }
  }
}

/** The mailbox's request and upload budgets, counted by the hook for every process. */
export class SharedMailboxBudget implements MailboxBudgets {
  constructor(
    private readonly shared: SharedLimits,
    private readonly mailboxKey: string,
    readonly limits: BudgetLimits,
  ) {}

  async take(requests: number, bytes: number, where: string): Promise<void> {
    const l = this.limits;
    const [waitRequests = 0, waitBytes = 0] = await this.shared.windows(`graph:${this.mailboxKey}`, [
      {
        key: `graph:${this.mailboxKey}:requests`,
        amount: requests,
        limit: Math.floor(l.requests * BUDGET_SHARE),
        windowMs: l.requestWindowMs + SKEW_MS,
      },
      {
        key: `graph:${this.mailboxKey}:upload`,
        amount: bytes,
        limit: Math.floor(l.uploadBytes * BUDGET_SHARE),
        windowMs: l.uploadWindowMs + SKEW_MS,
      },
    ]);
    if (waitRequests > 0 || waitBytes > 0) throw budgetSpent(l, where, waitRequests, waitBytes);
  }
}
