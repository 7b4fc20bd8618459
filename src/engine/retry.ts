/**
 * The engine's one retry policy, for planning a pass and for syncing a folder alike: the wait a throttling
 * server asked for (up to MAX_THROTTLE_WAITS times, counted as throttled time), else exponential backoff for
 * a transient failure (up to MAX_TRANSIENT_ATTEMPTS); anything else, or a spent budget, gives up.
 */
import { ErrorCode, RateLimitError, TransientError, type CutoverError } from '../errors.js';
import type { PassCounters } from '../store/mailbox-repo.js';
import { backoffMs } from '../runner/limits.js';
import type { ProgressSink } from './progress.js';

export const MAX_TRANSIENT_ATTEMPTS = 5;
export const MAX_THROTTLE_WAITS = 50;

/** The retry budget of one operation; `what` names it in the notes ('"Inbox"', 'Listing folders'). */
export class RetryBudget {
  private attempt = 0;
  private waits = 0;

  constructor(
    private readonly mailboxId: number,
    private readonly what: string,
    private readonly progress: ProgressSink,
    private readonly counters: PassCounters,
  ) {}

  /** The wait a throttling server asked for, said and counted; undefined when `err` is not that or too often. */
  throttled(err: CutoverError): number | undefined {
    if (!(err instanceof RateLimitError) || ++this.waits > MAX_THROTTLE_WAITS) return undefined;
    this.progress.note(
      this.mailboxId,
      'warn',
      `${this.what}: throttled by the server, waiting ${Math.round(err.retryAfterMs / 1000)} s.`,
    );
    this.counters.throttledMs += err.retryAfterMs;
    return err.retryAfterMs;
  }

  /** A backoff before the next attempt, said; undefined when `err` is not worth retrying or the attempts are spent. */
  backoff(err: CutoverError): number | undefined {
    if (
      !(err instanceof TransientError) ||
      err.code === ErrorCode.Throttled ||
      ++this.attempt >= MAX_TRANSIENT_ATTEMPTS
    )
      return undefined;
    const wait = backoffMs(this.attempt);
    this.progress.note(
      this.mailboxId,
      'warn',
      `${this.what}: ${err.message} — retrying in ${Math.round(wait / 1000)} s (attempt ${this.attempt + 1} of ${MAX_TRANSIENT_ATTEMPTS}).`,
    );
    return wait;
  }

  /** Progress was made: the attempts start again. */
  restart(): void {
    this.attempt = 0;
  }
}
