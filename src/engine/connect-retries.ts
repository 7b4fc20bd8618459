/**
 * Opening an endpoint of a pass that is not the mail's (filters, groupware): up to three tries when the
 * connection drops or the server is busy, then the error. The mail pass has its own, longer policy
 * (retry.ts); these endpoints open once per mailbox, and a failure is recorded for the next pass.
 */
import { TransientError, throwIfAborted } from '../errors.js';

export async function withRetries<T>(f: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal);
    try {
      return await f();
    } catch (err) {
      if (!(err instanceof TransientError) || attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 1000 * attempt));
    }
  }
}
