/**
 * Token buckets over messages and bytes per second, one row per key (a project), shared by every worker of
 * one PostgreSQL store. A take is one statement: the row is locked, refilled for the time since it was last
 * touched (up to one second's worth), and charged in full when both amounts fit — a batch bigger than a
 * second's budget needs a full bucket and leaves it in debt, as the in-process RateLimiter does. The
 * answer is the refilled level, so the caller can say how long until the batch fits. PostgreSQL only.
 */
import { sql, type Kysely } from 'kysely';
import { ErrorCode, TransientError } from '../errors.js';
import type { LimitsDatabase } from './limits-schema.js';

/** Rates per second; 0 = that side is not limited. */
export interface BucketRates {
  messagesPerSecond: number;
  bytesPerSecond: number;
}

/** What a take found: whether it was charged, and the levels after refilling (before any charge). */
export interface BucketTake {
  charged: boolean;
  messages: number;
  bytes: number;
}

const NOW = sql<string>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

export class RateBucketRepo {
  constructor(private readonly db: Kysely<LimitsDatabase>) {}

  /** Charge `messages` and `bytes` to `key`'s bucket if they fit now (see the file comment). */
  async take(key: string, rates: BucketRates, messages: number, bytes: number): Promise<BucketTake> {
    const { messagesPerSecond: mps, bytesPerSecond: bps } = rates;
    // A new bucket starts full.
    await this.db
      .insertInto('rate_buckets')
      .values({ key, messages: mps, bytes: bps, updated_at: sql<number>`${NOW}` })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const needM = Math.min(messages, mps);
    const needB = Math.min(bytes, bps);
    // The locked read in the CTE sees the newest row, so concurrent takes queue on it instead of charging
    // from a stale level.
    const r = await sql<{ charged: boolean; messages: number; bytes: number }>`
      with t as (select ${NOW} as now),
      cur as (
        select rate_buckets.key, t.now,
          least(${mps}::float8, messages + (t.now - updated_at) / 1000.0 * ${mps}::float8) as m,
          least(${bps}::float8, bytes + (t.now - updated_at) / 1000.0 * ${bps}::float8) as b
        from rate_buckets, t where rate_buckets.key = ${key} for update of rate_buckets
      ),
      fit as (select key, now, m, b, (m >= ${needM}::float8 and b >= ${needB}::float8) as ok from cur)
      update rate_buckets set
        messages = case when fit.ok then fit.m - ${mps > 0 ? messages : 0}::float8 else fit.m end,
        bytes = case when fit.ok then fit.b - ${bps > 0 ? bytes : 0}::float8 else fit.b end,
        updated_at = fit.now
      from fit where rate_buckets.key = fit.key
      returning fit.ok as charged, fit.m as messages, fit.b as bytes`.execute(this.db);
    const row = r.rows[0];
    if (!row)
      throw new TransientError(
        ErrorCode.Internal,
        `The rate bucket ${key} was deleted while it was being taken from.`,
        'Cutover retries on its own; if it keeps happening, check what deletes rows of rate_buckets.',
      );
    return { charged: row.charged, messages: Number(row.messages), bytes: Number(row.bytes) };
  }
}
