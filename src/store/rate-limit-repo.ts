/**
 * Attempt counters in the store, so a restart does not give a guesser a fresh allowance: one row per limiter
 * and key (`login-ip:203.0.113.7`), a fixed window that starts again once it has ended. Counting is one
 * upsert; the clean-up is one range delete over the expiry index, run at most once a minute, so its cost
 * grows with the rows that expired and never with a scan of every client address per attempt.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** A key's live window: attempts counted in it and when it ends (ms since the epoch). */
export interface RateWindow {
  count: number;
  expiresAt: number;
}

export class RateLimitRepo {
  private lastPurge = 0;

  constructor(
    private readonly db: Kysely<Database>,
    /** How often expired rows are deleted (at most). */
    private readonly purgeEveryMs = 60_000,
  ) {}

  /** Count one attempt on `key` at `now`; a window that has ended starts again with this attempt. */
  async hit(key: string, windowMs: number, now: number): Promise<RateWindow> {
    await this.purgeDue(now);
    const end = now + windowMs;
    // Every SET expression reads the row as it was (SQL semantics), so the order does not matter.
    const r = await this.db
      .insertInto('rate_limits')
      .values({ key, count: 1, expires_at: end })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          count: sql<number>`CASE WHEN rate_limits.expires_at <= ${now} THEN 1 ELSE rate_limits.count + 1 END`,
          expires_at: sql<number>`CASE WHEN rate_limits.expires_at <= ${now} THEN ${end} ELSE rate_limits.expires_at END`,
        }),
      )
      .returning(['count', 'expires_at'])
      .executeTakeFirstOrThrow();
    return { count: Number(r.count), expiresAt: Number(r.expires_at) };
  }

  /** The live window of `key` at `now`, without counting; undefined when there is none. */
  async peek(key: string, now: number): Promise<RateWindow | undefined> {
    const r = await this.db
      .selectFrom('rate_limits')
      .select(['count', 'expires_at'])
      .where('key', '=', key)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return r && { count: Number(r.count), expiresAt: Number(r.expires_at) };
  }

  /** Delete every window that ended by `now`; returns how many. */
  async purge(now: number): Promise<number> {
    this.lastPurge = now;
    const r = await this.db.deleteFrom('rate_limits').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  private async purgeDue(now: number): Promise<void> {
    if (now - this.lastPurge >= this.purgeEveryMs) await this.purge(now);
  }
}
