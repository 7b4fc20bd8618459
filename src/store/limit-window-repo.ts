/**
 * Sliding windows shared by every worker of one PostgreSQL store (Graph's request and upload budgets per
 * mailbox): amounts counted in buckets by time, each bucket stamped with its latest entry so it leaves the
 * window no earlier than any of them. Several windows are taken all or none, under one transaction-scoped
 * advisory lock, so two workers never both fit into the last of a budget. PostgreSQL only.
 */
import { sql, type Kysely } from 'kysely';
import type { LimitsDatabase } from './limits-schema.js';

/** One amount to count in one window. */
export interface WindowTake {
  /** The window's name (e.g. a mailbox's request budget). */
  key: string;
  amount: number;
  /** How much the window holds. */
  limit: number;
  /** How long an amount counts. */
  windowMs: number;
}

/** Buckets per window: a window of 10 minutes keeps at most this many rows, whatever the request rate. */
const BUCKETS_PER_WINDOW = 200;
const MIN_BUCKET_MS = 250;

const NOW = sql<string>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

export class LimitWindowRepo {
  constructor(private readonly db: Kysely<LimitsDatabase>) {}

  /**
   * Count every take if all of them fit now; else count none. The answer has one wait per take (ms until
   * it fits; 0 = fits): all zero means counted. An amount alone in an empty window always fits.
   */
  async take(lock: string, takes: WindowTake[]): Promise<number[]> {
    return this.db.transaction().execute(async (tx) => {
      await sql`select pg_advisory_xact_lock(hashtextextended(${`window:${lock}`}, 0))`.execute(tx);
      const now = Number((await sql<{ now: string }>`select ${NOW} as now`.execute(tx)).rows[0]!.now);
      const waits: number[] = [];
      for (const t of takes) {
        await tx
          .deleteFrom('limit_windows')
          .where('key', '=', t.key)
          .where(sql<boolean>`at + ${t.windowMs} <= ${now}`)
          .execute();
        const rows = await tx
          .selectFrom('limit_windows')
          .select(['at', 'amount'])
          .where('key', '=', t.key)
          .orderBy('bucket')
          .execute();
        waits.push(waitFor(rows, t, now));
      }
      if (waits.some((w) => w > 0)) return waits;
      for (const t of takes) {
        if (t.amount <= 0) continue;
        const bucketMs = Math.max(MIN_BUCKET_MS, Math.ceil(t.windowMs / BUCKETS_PER_WINDOW));
        await tx
          .insertInto('limit_windows')
          .values({ key: t.key, bucket: Math.floor(now / bucketMs), at: now, amount: t.amount })
          .onConflict((oc) =>
            oc.columns(['key', 'bucket']).doUpdateSet({
              amount: sql<number>`limit_windows.amount + excluded.amount`,
              at: sql<number>`greatest(limit_windows.at, excluded.at)`,
            }),
          )
          .execute();
      }
      return waits;
    });
  }
}

/** Milliseconds until `t.amount` more fits in the window holding `rows` (oldest first); 0 = now. */
function waitFor(
  rows: Array<{ at: number | string; amount: number | string }>,
  t: WindowTake,
  now: number,
): number {
  const used = rows.reduce((sum, r) => sum + Number(r.amount), 0);
  let over = used + t.amount - t.limit;
  if (over <= 0 || used === 0) return 0;
  for (const r of rows) {
    over -= Number(r.amount);
    if (over <= 0) return Math.max(1, Number(r.at) + t.windowMs - now);
  }
  return t.windowMs; // more than the whole window: wait a full window, then it goes alone
}
