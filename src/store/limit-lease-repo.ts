/**
 * Permits shared by every worker of one PostgreSQL store: per key (a server, a user on it, a Graph mailbox)
 * an allowance row and lease rows. Taking is check-and-take under the allowance row's lock (the upsert
 * that reads it holds it to the commit), so two workers never both see room for the last permit. A lease
 * row with `granted = 0` is a place in line: the lowest waiting id is served first, and nobody jumps it,
 * so a request for several permits is not starved by single ones. Every row carries an expiry its holder's
 * heartbeat renews; a holder killed with SIGKILL stops renewing, and its rows stop counting when they expire.
 * The allowance is lowered by a refusal and rises by one per quiet spell (computed when read).
 * PostgreSQL only (row locks, the server's clock).
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { LimitsDatabase } from './limits-schema.js';

/** One request for permits (see `take`). */
export interface LeaseRequest {
  key: string;
  /** The configured maximum of the key (the allowance never rises above it). */
  max: number;
  count: number;
  /** The process asking (its heartbeat renews its rows). */
  holder: string;
  leaseMs: number;
  /** A quiet spell this long raises a lowered allowance by one. */
  raiseAfterMs: number;
  /** This request's place in line from an earlier try, if it has one. */
  waiting?: number;
}

/** The database's clock in milliseconds since the epoch. */
const NOW = sql<string>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** The allowance as of `now`: raised by one per quiet spell since it last changed, up to the maximum. */
function raised(
  row: { max: number; allowed: number; changed_at: number | string },
  now: number,
  raiseAfterMs: number,
): { allowed: number; changedAt: number } {
  let allowed = Math.min(row.allowed, row.max);
  let changedAt = Number(row.changed_at);
  while (allowed < row.max && now - changedAt >= raiseAfterMs) {
    allowed++;
    changedAt += raiseAfterMs;
  }
  return { allowed, changedAt };
}

export class LimitLeaseRepo {
  constructor(private readonly db: Kysely<LimitsDatabase>) {}

  /**
   * Take `count` permits of `key` if they fit now and nobody is in line before this request; otherwise
   * keep (or make) its place in line. `granted` says which; `id` names the lease or the place in line.
   * A lone request is always granted, however low the allowance: one worker can always run.
   */
  async take(r: LeaseRequest): Promise<{ id: number; granted: boolean }> {
    return this.db.transaction().execute(async (tx) => {
      const now = await clock(tx);
      const { allowed } = await this.lockAllowance(tx, r.key, r.max, now, r.raiseAfterMs);
      await tx.deleteFrom('limit_leases').where('key', '=', r.key).where('expires_at', '<=', now).execute();
      const line = await tx
        .selectFrom('limit_leases')
        .where('key', '=', r.key)
        .select([
          sql<string>`coalesce(sum(case when granted = 1 then count else 0 end), 0)`.as('taken'),
          sql<number | null>`min(case when granted = 0 then id end)`.as('head'),
          sql<string>`count(*) filter (where id = ${r.waiting ?? -1})`.as('mine'),
        ])
        .executeTakeFirstOrThrow();
      const taken = Number(line.taken);
      const head = line.head === null ? undefined : Number(line.head);
      const fits = taken === 0 || taken + r.count <= allowed;
      const expires = now + r.leaseMs;
      if (r.waiting !== undefined && Number(line.mine) > 0) {
        const granted = head === r.waiting && fits;
        await tx
          .updateTable('limit_leases')
          .set({ expires_at: expires, granted: granted ? 1 : 0 })
          .where('id', '=', r.waiting)
          .execute();
        return { id: r.waiting, granted };
      }
      // A first try (or a place in line that expired while its holder could not renew it).
      const granted = head === undefined && fits;
      const row = await tx
        .insertInto('limit_leases')
        .values({
          key: r.key,
          holder: r.holder,
          count: r.count,
          granted: granted ? 1 : 0,
          expires_at: expires,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { id: Number(row.id), granted };
    });
  }

  /** Give back a lease, or leave the line. */
  async release(id: number): Promise<void> {
    await this.db.deleteFrom('limit_leases').where('id', '=', id).execute();
  }

  /** Renew every row of `holder` for `leaseMs` more (its heartbeat); how many it still has. */
  async renew(holder: string, leaseMs: number): Promise<number> {
    const r = await this.db
      .updateTable('limit_leases')
      .set({ expires_at: sql<number>`${NOW} + ${leaseMs}` })
      .where('holder', '=', holder)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Drop every row of `holder` (a process closing down). */
  async dropHolder(holder: string): Promise<void> {
    await this.db.deleteFrom('limit_leases').where('holder', '=', holder).execute();
  }

  /**
   * `key` turned a connection away: allow one fewer than the permits in use (at least one), and start the
   * quiet spell again. A key not seen before gets `max`.
   */
  async lower(key: string, max: number, raiseAfterMs: number): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const now = await clock(tx);
      const { allowed } = await this.lockAllowance(tx, key, max, now, raiseAfterMs, false);
      const used = await tx
        .selectFrom('limit_leases')
        .where('key', '=', key)
        .where('granted', '=', 1)
        .where('expires_at', '>', now)
        .select(sql<string>`coalesce(sum(count), 0)`.as('taken'))
        .executeTakeFirstOrThrow();
      const lowered = Math.max(1, Math.min(allowed, Number(used.taken)) - 1);
      await tx
        .updateTable('limit_allowances')
        .set({ allowed: lowered, changed_at: now })
        .where('key', '=', key)
        .execute();
      return lowered;
    });
  }

  /** The allowance of `key` now (`max` for a key not seen yet). */
  async allowance(key: string, max: number, raiseAfterMs: number): Promise<number> {
    const row = await this.db
      .selectFrom('limit_allowances')
      .select(['max', 'allowed', 'changed_at', NOW.as('now')])
      .where('key', '=', key)
      .executeTakeFirst();
    return row ? raised(row, Number(row.now), raiseAfterMs).allowed : max;
  }

  /**
   * The allowance row of `key`, made if missing and locked to the end of the transaction; its raise since
   * the last change is written back. `setMax`: the caller knows the configured maximum (it may have changed).
   */
  private async lockAllowance(
    tx: Transaction<LimitsDatabase>,
    key: string,
    max: number,
    now: number,
    raiseAfterMs: number,
    setMax = true,
  ): Promise<{ allowed: number }> {
    const row = await tx
      .insertInto('limit_allowances')
      .values({ key, max, allowed: max, changed_at: now })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => ({
          max: setMax ? eb.ref('excluded.max') : eb.ref('limit_allowances.max'),
        })),
      )
      .returning(['max', 'allowed', 'changed_at'])
      .executeTakeFirstOrThrow();
    const next = raised(row, now, raiseAfterMs);
    if (next.allowed !== row.allowed || next.changedAt !== Number(row.changed_at))
      await tx
        .updateTable('limit_allowances')
        .set({ allowed: next.allowed, changed_at: next.changedAt })
        .where('key', '=', key)
        .execute();
    return next;
  }
}

/** The database's clock now (ms). */
async function clock(tx: Transaction<LimitsDatabase>): Promise<number> {
  const r = await sql<{ now: string }>`select ${NOW} as now`.execute(tx);
  return Number(r.rows[0]!.now);
}
