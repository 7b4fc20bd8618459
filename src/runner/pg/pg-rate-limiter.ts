/**
 * A project's message/byte rate held for every worker sharing one PostgreSQL database: one token bucket row
 * per key (store/rate-bucket-repo.ts), taken with one locked UPDATE … RETURNING, with the same rules as the
 * in-process RateLimiter (limits.ts): a full second's budget at most, a bigger batch waits for a full bucket
 * and leaves it in debt. When the bucket is short, the wait until it refills is slept here (the scheduler's
 * place), then the take is tried again.
 *
 * Wiring: `new PgRateLimiter(pool, \`project:${id}\`, project.limits)` in place of `new RateLimiter(...)`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, TransientError, throwIfAborted } from '../../errors.js';
import { RateBucketRepo } from '../../store/rate-bucket-repo.js';
import type { MessageRate } from '../message-rate.js';
import { limitsDb, type LimitsDb, type PgTarget } from './pg-db.js';

/** A wait is never shorter than this (a busy loop of tiny waits would only load the database). */
const MIN_WAIT_MS = 10;

export class PgRateLimiter implements MessageRate {
  private readonly handle: LimitsDb;
  private readonly repo: RateBucketRepo;

  constructor(
    target: PgTarget,
    /** The bucket's name: every worker of one project uses the same. */
    private readonly key: string,
    private readonly rates: { messagesPerSecond?: number; bytesPerSecond?: number },
  ) {
    this.handle = limitsDb(target);
    this.repo = new RateBucketRepo(this.handle.db);
  }

  async take(messages: number, bytes: number, signal?: AbortSignal): Promise<void> {
    const mps = this.rates.messagesPerSecond ?? 0;
    const bps = this.rates.bytesPerSecond ?? 0;
    if (!mps && !bps) return;
    for (;;) {
      throwIfAborted(signal);
      let r;
      try {
        r = await this.repo.take(this.key, { messagesPerSecond: mps, bytesPerSecond: bps }, messages, bytes);
      } catch (err) {
        throw new TransientError(
          ErrorCode.ConnectionLost,
          `The shared rate ${this.key} in PostgreSQL could not be read or written (${(err as Error).message}).`,
          'Cutover retries on its own; check that the database is up and reachable from this worker.',
          { cause: err },
        );
      }
      if (r.charged) return;
      const waitM = mps ? ((Math.min(messages, mps) - r.messages) / mps) * 1000 : 0;
      const waitB = bps ? ((Math.min(bytes, bps) - r.bytes) / bps) * 1000 : 0;
      await sleep(Math.max(MIN_WAIT_MS, waitM, waitB), undefined, { signal });
    }
  }

  /** Let go of the database handle (the application's pool stays open). */
  close(): Promise<void> {
    return this.handle.close();
  }
}
