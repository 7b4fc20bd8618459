/**
 * Pacing of Gmail quota units per user (Google: 250 units per user per second as a moving average, with
 * short bursts). A token bucket shared by every connection to the same user in this process: a request
 * waits for its units before it is sent, so Cutover stays under the limit instead of provoking 429s.
 * This is a gate ahead of a request, not a retry loop: throttling answers still go to the scheduler.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortError } from '../../errors.js';

class Bucket {
  private level: number;
  private last = Date.now();
  private queue: Promise<void> = Promise.resolve();
  constructor(readonly rate: number) {
    this.level = rate;
  }

  /** Wait until `units` are available, in arrival order. */
  take(units: number, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(async () => {
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
    this.queue = turn.catch(() => undefined);
    return turn;
  }
}

const buckets = new Map<string, Bucket>();

/** The shared bucket for one user of one API at `rate` units per second. */
export function quotaFor(api: string, user: string, rate: number): { take: Bucket['take'] } {
  const id = `${api}|${user.toLowerCase()}|${rate}`;
  let b = buckets.get(id);
  if (!b) buckets.set(id, (b = new Bucket(rate)));
  return { take: (units, signal) => b.take(units, signal) };
}
