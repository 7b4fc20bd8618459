/**
 * How many mailboxes of one run work at once: the run's throttling window, a limit that can change while
 * mailboxes wait (it is looked at when one finishes and every few seconds), served in the order asked, so
 * the run keeps its order (starred first, then largest first) whatever the queue's own concurrency.
 */
import { AbortError } from '../errors.js';

/** How often waiting mailboxes look at a changing limit (a window that opens or closes). */
const RECHECK_MS = 2000;

/** A first-come, first-served gate of a changing size. */
export class RunGate {
  private active = 0;
  private readonly queue: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly limit: number | (() => number),
    private readonly recheckMs = RECHECK_MS,
  ) {}

  /** Until this mailbox may start; rejects when `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortError());
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject,
      };
      const onAbort = () => {
        const i = this.queue.indexOf(waiter);
        if (i >= 0) this.queue.splice(i, 1);
        reject(new AbortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
      this.admit();
    });
  }

  /** A mailbox has finished. */
  release(): void {
    this.active--;
    this.admit();
  }

  private current(): number {
    return Math.max(0, Math.floor(typeof this.limit === 'number' ? this.limit : this.limit()));
  }

  private admit(): void {
    while (this.queue.length && this.active < this.current()) {
      this.active++;
      this.queue.shift()!.resolve();
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length && typeof this.limit === 'function')
      this.timer = setTimeout(() => this.admit(), this.recheckMs);
  }
}
