/**
 * Pacing of Gmail quota units per user (Google: 250 units per user per second as a moving average, with
 * short bursts): a request waits for its units before it is sent, so Cutover stays under the limit instead
 * of provoking 429s. Every connection to the same user in this process goes through one gate, in arrival
 * order. Without the application's shared limits the gate is a token bucket in this process; with them
 * (ConnectorContext.sharedLimits: workers on several machines) the units are counted in a sliding window of
 * one second that every worker shares, so two workers on the same user stay under the quota together.
 * This is a gate ahead of a request, not a retry loop: throttling answers still go to the scheduler.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortError } from '../../errors.js';
import type { SharedLimits } from '../context-hooks.js';

/** Waits until quota units may be spent. */
export interface QuotaGate {
  /** Wait until `units` are available, in arrival order. */
  take(units: number, signal?: AbortSignal): Promise<void>;
}

/** Google's moving average is per second: the shared window is one second long. */
const WINDOW_MS = 1000;

/** Run `step` after every earlier take of the same gate (one at a time, in arrival order). */
class Turns {
  private queue: Promise<void> = Promise.resolve();
  next(step: () => Promise<void>): Promise<void> {
    const turn = this.queue.then(step);
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}

/** The units of one user in this process. */
class Bucket implements QuotaGate {
  private level: number;
  private last = Date.now();
  private readonly turns = new Turns();
  constructor(readonly rate: number) {
    this.level = rate;
  }

  take(units: number, signal?: AbortSignal): Promise<void> {
    return this.turns.next(async () => {
      for (;;) {
        const now = Date.now();
        this.level = Math.min(this.rate, this.level + ((now - this.last) / 1000) * this.rate);
        this.last = now;
        const need = Math.min(units, this.rate);
        if (this.level >= need) {
          this.level -= need;
          return;
        }
        if (signal?.aborted) throw new AbortError();
        await sleep(Math.ceil(((need - this.level) / this.rate) * 1000), undefined, { signal });
      }
    });
  }
}

/**
 * The units of one user counted for every worker: ask the shared window, wait the time it names, ask
 * again. One local take asks at a time, so a process's lanes on one user do not crowd the database.
 */
class SharedWindow implements QuotaGate {
  private readonly turns = new Turns();
  constructor(
    private readonly shared: SharedLimits,
    private readonly key: string,
    readonly rate: number,
  ) {}

  take(units: number, signal?: AbortSignal): Promise<void> {
    if (units <= 0) return Promise.resolve(); // counted when its request was (an upload's body)
    return this.turns.next(async () => {
      const amount = Math.min(units, this.rate);
      for (;;) {
        if (signal?.aborted) throw new AbortError();
        const [wait = 0] = await this.shared.windows(this.key, [
          { key: this.key, amount, limit: this.rate, windowMs: WINDOW_MS },
        ]);
        if (wait <= 0) return;
        await sleep(wait, undefined, { signal });
      }
    });
  }
}

const buckets = new Map<string, Bucket>();
const windows = new WeakMap<SharedLimits, Map<string, SharedWindow>>();

/**
 * The gate for one user of one API at `rate` units per second. `api` names the API in this process (its
 * base URL); `family` names it among workers: 'gmail' for the Gmail API (`gmail:user:<user>`), else the
 * Google API whose own per-user pace it is (`gmail:calendar:user:<user>`).
 */
export function quotaFor(
  api: string,
  user: string,
  rate: number,
  shared?: SharedLimits,
  family = 'gmail',
): QuotaGate {
  const who = user.toLowerCase();
  if (shared) {
    const key = family === 'gmail' ? `gmail:user:${who}` : `gmail:${family}:user:${who}`;
    let byKey = windows.get(shared);
    if (!byKey) windows.set(shared, (byKey = new Map<string, SharedWindow>()));
    let w = byKey.get(`${key}|${rate}`);
    if (!w) byKey.set(`${key}|${rate}`, (w = new SharedWindow(shared, key, rate)));
    return w;
  }
  const id = `${api}|${who}|${rate}`;
  let b = buckets.get(id);
  if (!b) buckets.set(id, (b = new Bucket(rate)));
  return b;
}
