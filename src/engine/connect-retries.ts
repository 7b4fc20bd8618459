/**
 * Opening an endpoint of a pass that is not the mail's (filters, groupware): tried again when the
 * connection drops or the system throttles — after the wait it asked for (at most five minutes at a time),
 * else a growing pause — up to six tries, then the error. The mail pass has its own, longer policy
 * (retry.ts); these endpoints open once per mailbox, and a failure is recorded for the next pass.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimitError, TransientError, throwIfAborted } from '../errors.js';

const TRIES = 6;
const MAX_WAIT_MS = 5 * 60_000;

export async function withRetries<T>(f: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal);
    try {
      return await f();
    } catch (err) {
      if (!(err instanceof TransientError) || attempt >= TRIES) throw err;
      const wait = err instanceof RateLimitError && err.retryAfterMs > 0 ? err.retryAfterMs : 1000 * attempt;
      await sleep(Math.min(wait, MAX_WAIT_MS), undefined, signal ? { signal } : undefined);
    }
  }
}
