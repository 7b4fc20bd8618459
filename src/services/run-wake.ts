/**
 * How a follower of runs in the store waits for its next look: woken by a change it cares about (the store's
 * run signals, PostgreSQL LISTEN/NOTIFY) with a slow poll kept as the fallback, or by the poll alone where the
 * store sends none (SQLite). It listens from its creation, so a change committed while the follower was
 * reading the store is not missed: the next wait returns at once.
 */
import type { RunChange, Store } from '../store/store.js';

/** How long a follower waits between looks when nothing wakes it: where the store notifies, and where not. */
export const FOLLOW_TIMING = { fallbackMs: 10_000, pollMs: 1_000 };

export class RunWake {
  private pending = false;
  private closed = false;
  /** When the last wait returned (ms since the epoch). */
  private lastLook = 0;
  private wake: (() => void) | undefined;
  private readonly unsubscribe: () => void;
  /** Whether changes are signalled (else only the poll wakes). */
  readonly signalled: boolean;

  constructor(store: Pick<Store, 'runSignals'>, match: (change: RunChange) => boolean) {
    this.signalled = Boolean(store.runSignals);
    this.unsubscribe =
      store.runSignals?.subscribe((c) => {
        // runId '' = listening was interrupted: anything may have changed.
        if (c.runId !== '' && !match(c)) return;
        this.pending = true;
        this.wake?.();
      }) ?? (() => undefined);
  }

  /**
   * Until a matching change (at once if one came since the last wait, or once closed), `ms`, or `signal` —
   * but not sooner than `minGapMs` after the last wait returned: the changes of a busy run (a mailbox
   * starting or ending every few milliseconds at 25,000 mailboxes) are read once per gap, not once each.
   */
  async wait(ms: number, signal?: AbortSignal, minGapMs = 0): Promise<void> {
    if (!this.pending) await this.sleep(ms, signal, () => true);
    const rest = this.lastLook + minGapMs - Date.now();
    if (rest > 0) await this.sleep(rest, signal, () => this.closed);
    this.pending = false;
    this.lastLook = Date.now();
  }

  /** `ms`, or until `signal` aborts, or a wake-up that `wakes` lets through; at once when closed or aborted. */
  private sleep(ms: number, signal: AbortSignal | undefined, wakes: () => boolean): Promise<void> {
    if (this.closed || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.wake = () => wakes() && done();
    });
  }

  /** The interval to wait: `fallbackMs` where changes are signalled, else `pollMs`. */
  every(t: { fallbackMs?: number; pollMs?: number } = {}): number {
    return this.signalled ? (t.fallbackMs ?? FOLLOW_TIMING.fallbackMs) : (t.pollMs ?? FOLLOW_TIMING.pollMs);
  }

  /** Stop listening; a wait now or later returns at once. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    this.wake?.();
  }
}
