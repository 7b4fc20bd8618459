/**
 * Limits shared by every worker of a run: connection slots per server (connection-slots.ts) and
 * message/byte rates, and the backoff between retries. Waiting is done here (the scheduler), never inside
 * connectors.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { throwIfAborted } from '../errors.js';
import type { MessageRate } from './message-rate.js';

export { ConnectionSlots } from './connection-slots.js';
export type { Slots } from './slots.js';
export type { MessageRate } from './message-rate.js';

/** A counting semaphore whose permits can be taken several at once (FIFO, so big requests do not starve). */
export class Semaphore {
  private waiting: Array<{ n: number; go: () => void }> = [];
  private free: number;
  constructor(private readonly capacity: number) {
    this.free = capacity;
  }

  /** Take `n` permits (capped at the capacity, so a request can always be met); returns the release function. */
  async acquire(signal?: AbortSignal, want = 1): Promise<() => void> {
    throwIfAborted(signal);
    const n = Math.min(want, this.capacity);
    if (this.waiting.length === 0 && this.free >= n) this.free -= n;
    else
      await new Promise<void>((resolve, reject) => {
        const entry = {
          n,
          go: () => {
            signal?.removeEventListener('abort', stop);
            resolve();
          },
        };
        const stop = () => {
          this.waiting = this.waiting.filter((w) => w !== entry);
          reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
        };
        signal?.addEventListener('abort', stop, { once: true });
        this.waiting.push(entry);
      });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.free += n;
      while (this.waiting[0] && this.waiting[0].n <= this.free) {
        const next = this.waiting.shift()!;
        this.free -= next.n;
        next.go();
      }
    };
  }
}

/** Token bucket over messages and bytes per second in this process; absent rates mean unlimited. */
export class RateLimiter implements MessageRate {
  private msgTokens: number;
  private byteTokens: number;
  private last = Date.now();
  constructor(private readonly rates: { messagesPerSecond?: number; bytesPerSecond?: number }) {
    this.msgTokens = rates.messagesPerSecond ?? 0;
    this.byteTokens = rates.bytesPerSecond ?? 0;
  }

  /**
   * Wait until `messages` and `bytes` may be sent, then charge them in full. A batch bigger than a second's
   * budget waits for a full bucket and leaves the bucket in debt, so the requests after it wait until the
   * debt is paid: the average stays at the rate whatever the batch size.
   */
  async take(messages: number, bytes: number, signal?: AbortSignal): Promise<void> {
    const { messagesPerSecond: mps, bytesPerSecond: bps } = this.rates;
    if (!mps && !bps) return;
    for (;;) {
      throwIfAborted(signal);
      const now = Date.now();
      const dt = (now - this.last) / 1000;
      this.last = now;
      if (mps) this.msgTokens = Math.min(mps, this.msgTokens + dt * mps);
      if (bps) this.byteTokens = Math.min(bps, this.byteTokens + dt * bps);
      const needM = mps ? Math.min(messages, mps) : 0;
      const needB = bps ? Math.min(bytes, bps) : 0;
      if ((!mps || this.msgTokens >= needM) && (!bps || this.byteTokens >= needB)) {
        if (mps) this.msgTokens -= messages;
        if (bps) this.byteTokens -= bytes;
        return;
      }
      const waitM = mps ? ((needM - this.msgTokens) / mps) * 1000 : 0;
      const waitB = bps ? ((needB - this.byteTokens) / bps) * 1000 : 0;
      await sleep(Math.max(10, waitM, waitB), undefined, { signal });
    }
  }
}

/** Exponential backoff with jitter: `baseMs` doubling per attempt (from 0), capped; each wait drawn from [half, whole]. */
export function backoffMs(attempt: number, baseMs = 1000, capMs = 60_000): number {
  const full = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(full / 2 + Math.random() * (full / 2));
}
