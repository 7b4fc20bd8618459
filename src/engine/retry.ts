/**
 * The engine's one retry policy, for planning a pass and for syncing a folder alike. A transient failure
 * the connector could name — throttling, a server saying it is unavailable, a connection refused, reset,
 * cut or timed out — is retried with exponential backoff and jitter for as long as the mailbox keeps making
 * progress somewhere: the pass gives up only after `giveUpAfterMs` (default 10 minutes) without any. A
 * throttling server's own wait is honoured as asked. A transient failure nobody could name (an unexpected
 * NO, an internal error) rarely heals: it gets a few attempts. Anything permanent is never retried.
 */
import { ErrorCode, RateLimitError, TransientError, type CutoverError } from '../errors.js';
import type { PassCounters } from '../store/mailbox-repo.js';
import { backoffMs } from '../runner/limits.js';
import type { ProgressSink } from './progress.js';

/** Attempts for a transient failure of no known kind. */
export const MAX_UNNAMED_ATTEMPTS = 5;

/** How long and how often to retry. */
export interface RetryPolicy {
  /** Give up after this long without progress in the mailbox (ms). */
  giveUpAfterMs: number;
  /** First backoff (ms); it doubles with each failure in a row, with jitter, up to `capMs`. */
  baseMs: number;
  capMs: number;
}

/**
 * The policy from the environment, else the defaults (10 minutes; 1 s doubling to 1 minute):
 * CUTOVER_GIVE_UP_AFTER_MS, CUTOVER_RETRY_BASE_MS, CUTOVER_RETRY_CAP_MS. Read when a run starts.
 */
export function retryPolicy(env: NodeJS.ProcessEnv = process.env): RetryPolicy {
  const ms = (v: string | undefined, d: number) => (Number(v) > 0 ? Number(v) : d);
  return {
    giveUpAfterMs: ms(env.CUTOVER_GIVE_UP_AFTER_MS, 10 * 60_000),
    baseMs: ms(env.CUTOVER_RETRY_BASE_MS, 1000),
    capMs: ms(env.CUTOVER_RETRY_CAP_MS, 60_000),
  };
}

/** Failures the connector named as passing: these are retried for as long as the mailbox progresses. */
const NAMED = new Set<string>([
  ErrorCode.Throttled,
  ErrorCode.ServerUnavailable,
  ErrorCode.ConnectionLost,
  ErrorCode.ConnectionTimeout,
  ErrorCode.ConnectionRefused,
  ErrorCode.ConnectionLimit,
  ErrorCode.SourceReadFailed,
  ErrorCode.Busy,
  ErrorCode.DnsQueryFailed,
]);

/** Messages settled in a pass so far: what "progress" means to the retry budget. */
export function progressOf(c: PassCounters): number {
  return c.copied + c.present + c.skipped + c.failed + c.flagsSynced;
}

/** The retry budget of one operation; `what` names it in the notes ('"Inbox"', 'Listing folders'). */
export class RetryBudget {
  /** Failures in a row since the mailbox last progressed (the backoff exponent). */
  private inARow = 0;
  /** Failures of no known kind, in all. */
  private unnamed = 0;
  private seen: number;
  private since: number;

  constructor(
    private readonly mailboxId: number,
    private readonly what: string,
    private readonly progress: ProgressSink,
    /** The mailbox's counters: any of its folders progressing keeps every budget alive. */
    private readonly counters: PassCounters,
    private readonly policy: RetryPolicy = retryPolicy(),
    /** When the mailbox last progressed, carried over from an earlier slice of the pass (epoch ms). */
    stalledSince?: number,
  ) {
    this.seen = progressOf(counters);
    this.since = stalledSince ?? Date.now();
  }

  /** Since when the mailbox has made no progress, as this budget counts it (epoch ms). */
  get stalledSince(): number {
    return this.since;
  }

  /** How long to wait before retrying after `err`, said and counted; undefined: give up. */
  next(err: CutoverError): number | undefined {
    if (!(err instanceof TransientError)) return undefined;
    const now = Date.now();
    const done = progressOf(this.counters);
    if (done !== this.seen) {
      this.seen = done;
      this.since = now;
      this.inARow = 0;
    }
    const stalled = now - this.since;
    if (stalled >= this.policy.giveUpAfterMs) return undefined;
    if (!NAMED.has(err.code) && ++this.unnamed >= MAX_UNNAMED_ATTEMPTS) return undefined;
    const backoff = backoffMs(this.inARow++, this.policy.baseMs, this.policy.capMs);
    if (err instanceof RateLimitError) {
      const wait = err.retryAfterMs > 0 ? err.retryAfterMs : backoff;
      this.counters.throttledMs += wait;
      this.progress.note(
        this.mailboxId,
        'warn',
        `${this.what}: throttled by the server, waiting ${seconds(wait)}.`,
      );
      return wait;
    }
    const left = this.policy.giveUpAfterMs - stalled;
    this.progress.note(
      this.mailboxId,
      'warn',
      `${this.what}: ${err.message} — retrying in ${seconds(backoff)} (gives up after ${seconds(left)} more without progress).`,
    );
    return backoff;
  }

  /** Progress was made by this operation itself (a message failed alone): start counting afresh. */
  restart(): void {
    this.inARow = 0;
    this.unnamed = 0;
    this.since = Date.now();
    this.seen = progressOf(this.counters);
  }
}

const seconds = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);
