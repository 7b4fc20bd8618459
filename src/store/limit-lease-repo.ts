/**
 * Permits shared by every worker of one PostgreSQL store: per key (a server, a user on it, a Graph mailbox)
 * an allowance row, one row per permit held (limit_slots: a slot number unique per key) and places in line
 * (limit_leases). A permit is taken by inserting its slot row: the unique (key, slot) decides between two
 * workers after the last free slot, so nothing locks a row every taker of the key needs, and takers of one
 * server no longer queue behind each other (the allowance row is read, not locked; written only by a
 * refusal or a new maximum). A request for several permits gets all of them or none.
 * A place in line is a row of limit_leases: a request that finds one ahead of it waits, and the lowest
 * id is served first, so a request for several permits is not starved by single ones (two first tries at
 * the same moment may both go ahead of the line: the slots still hold the allowance).
 * Every row carries an expiry its holder's heartbeat renews; a holder killed with SIGKILL stops renewing,
 * and its rows stop counting when they expire (an expired slot is taken over in place).
 * The allowance is lowered by a refusal and rises by one per quiet spell (computed when read).
 * PostgreSQL only (the server's clock, arrays, generate_series).
 */
import { randomUUID } from 'node:crypto';
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

/** What a try gave: the permits (named by their lease), or a place in line to try again from. */
export type LeaseAnswer = { granted: true; lease: string } | { granted: false; waiting: number };

/** The database's clock in milliseconds since the epoch. */
const NOW = sql<string>`(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** Tries a request makes at once when another worker claims the same free slots first. */
const CLAIM_TRIES = 8;

/**
 * A request chooses its slots at random among the lowest this many free ones: workers asking at the same
 * moment would otherwise all go for the same lowest slots, and only one would get them.
 */
const CHOICE = 64;

/** Larger than any place in line: a first try has every waiting request ahead of it. */
const LAST = Number.MAX_SAFE_INTEGER;

/** The allowance as of `now`: raised by one per quiet spell since it last changed, up to the maximum. */
function raised(
  row: { max: number; allowed: number; changed_at: number | string },
  now: number,
  raiseAfterMs: number,
): number {
  const spells = Math.max(0, Math.floor((now - Number(row.changed_at)) / raiseAfterMs));
  return Math.min(row.max, Math.min(row.allowed, row.max) + spells);
}

export class LimitLeaseRepo {
  constructor(private readonly db: Kysely<LimitsDatabase>) {}

  /**
   * Take `count` permits of `key` if they fit now and nobody is in line before this request; otherwise
   * keep (or make) its place in line. A lone request is always granted, however low the allowance: one
   * worker can always run.
   */
  async take(r: LeaseRequest): Promise<LeaseAnswer> {
    let maxKnown = false;
    for (let attempt = 0; attempt < CLAIM_TRIES; attempt++) {
      const lease = randomUUID();
      const s = await this.attempt(r, lease).catch(lostRace);
      if (!s) continue; // the statement was undone as a whole: nothing was claimed
      if (!maxKnown && s.row_max !== r.max) await this.setMax(r.key, r.max, s.now);
      maxKnown = true;
      if (s.claimed === r.count) {
        if (r.waiting !== undefined) await this.leave(r.waiting);
        return { granted: true, lease };
      }
      if (s.claimed > 0) await this.release(lease);
      // Not tried (someone is in line first, or no room), or another worker took one of the chosen slots a
      // moment before: only the last is worth looking at again at once.
      if (!s.tried) break;
    }
    if (r.waiting !== undefined) return { granted: false, waiting: r.waiting };
    const row = await this.db
      .insertInto('limit_leases')
      .values({
        key: r.key,
        holder: r.holder,
        count: r.count,
        granted: 0,
        expires_at: sql<number>`${NOW} + ${r.leaseMs}::bigint`,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { granted: false, waiting: Number(row.id) };
  }

  /** Give back a lease: its slots are free again. */
  async release(lease: string): Promise<void> {
    await this.db.deleteFrom('limit_slots').where('lease', '=', lease).execute();
  }

  /** Leave the line (a place's id). */
  async leave(place: number): Promise<void> {
    await this.db.deleteFrom('limit_leases').where('id', '=', place).execute();
  }

  /** Renew every row of `holder` for `leaseMs` more (its heartbeat); how many it still has. */
  async renew(holder: string, leaseMs: number): Promise<number> {
    const slots = await this.db
      .updateTable('limit_slots')
      .set({ expires_at: sql<number>`${NOW} + ${leaseMs}::bigint` })
      .where('holder', '=', holder)
      .executeTakeFirst();
    const places = await this.db
      .updateTable('limit_leases')
      .set({ expires_at: sql<number>`${NOW} + ${leaseMs}::bigint` })
      .where('holder', '=', holder)
      .executeTakeFirst();
    return Number(slots.numUpdatedRows) + Number(places.numUpdatedRows);
  }

  /** Drop every row of `holder` (a process closing down). */
  async dropHolder(holder: string): Promise<void> {
    await this.db.deleteFrom('limit_slots').where('holder', '=', holder).execute();
    await this.db.deleteFrom('limit_leases').where('holder', '=', holder).execute();
  }

  /** Delete rows that expired (killed holders'): they no longer count, this only keeps the tables small. */
  async sweep(): Promise<void> {
    await this.db.deleteFrom('limit_slots').where('expires_at', '<=', NOW).execute();
    await this.db.deleteFrom('limit_leases').where('expires_at', '<=', NOW).execute();
  }

  /**
   * `key` turned a connection away: allow one fewer than the permits in use (at least one), and start the
   * quiet spell again. A key not seen before gets `max`.
   */
  async lower(key: string, max: number, raiseAfterMs: number): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const now = await clock(tx);
      await tx
        .insertInto('limit_allowances')
        .values({ key, max, allowed: max, changed_at: now })
        .onConflict((oc) => oc.column('key').doNothing())
        .execute();
      const row = await tx
        .selectFrom('limit_allowances')
        .select(['max', 'allowed', 'changed_at'])
        .where('key', '=', key)
        .forUpdate()
        .executeTakeFirstOrThrow();
      const used = await tx
        .selectFrom('limit_slots')
        .where('key', '=', key)
        .where('expires_at', '>', now)
        .select(sql<string>`count(*)`.as('taken'))
        .executeTakeFirstOrThrow();
      const allowed = raised(row, now, raiseAfterMs);
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
    return row ? raised(row, Number(row.now), raiseAfterMs) : max;
  }

  /**
   * One statement: read the clock, the allowance (raised since its last change, capped by the configured
   * maximum), the places in line ahead of this request and the permits held; if the request may go and
   * fits, insert its slot rows (chosen at random among the lowest CHOICE free ones), taking over expired
   * ones in place. `claimed` may be short of the count when another worker took a chosen slot first.
   */
  private async attempt(r: LeaseRequest, lease: string) {
    const row = (
      await sql<{
        now: string;
        row_max: number | null;
        tried: boolean;
        claimed: string;
      }>`
        with c as (select ${NOW} as now),
        a as (select max, allowed, changed_at from limit_allowances where key = ${r.key}),
        e as (
          select c.now, (select a.max from a) as row_max,
            coalesce((select least(${r.max}::bigint,
                least(a.allowed, ${r.max}::int)::bigint + greatest(0, (c.now - a.changed_at) / ${r.raiseAfterMs}::bigint))
              from a), ${r.max}::bigint)::int as allowed
          from c),
        s as (
          select e.now, e.row_max, e.allowed,
            (select count(*) from limit_leases w
              where w.key = ${r.key} and w.granted = 0 and w.expires_at > e.now
                and w.id < ${r.waiting ?? LAST}::bigint) as ahead,
            (select count(*) from limit_slots h where h.key = ${r.key} and h.expires_at > e.now) as held
          from e),
        f as (
          select g from (
            select g from generate_series(0, greatest((select allowed from s), ${r.count}::int) - 1) g
            except select h.slot from limit_slots h
              where h.key = ${r.key} and h.expires_at > (select now from s)
            order by 1 limit greatest(${CHOICE}::int, ${r.count}::int)) lowest
          order by random() limit ${r.count}::int),
        go as (
          select s.ahead = 0 and (s.held = 0 or s.held + ${r.count}::int <= s.allowed)
            and (select count(*) from f) = ${r.count}::int as tried
          from s),
        ins as (
          insert into limit_slots (key, slot, lease, holder, expires_at)
          select ${r.key}, f.g, ${lease}, ${r.holder}, (select now from s) + ${r.leaseMs}::bigint
          from f where (select tried from go)
          order by f.g -- in one order, so two requests for several slots never wait on each other in a ring
          on conflict (key, slot) do update
            set lease = excluded.lease, holder = excluded.holder, expires_at = excluded.expires_at
            where limit_slots.expires_at <= ${NOW}
          returning slot)
        select s.now, s.row_max, (select tried from go) as tried, (select count(*) from ins) as claimed
        from s`.execute(this.db)
    ).rows[0]!;
    return { now: Number(row.now), row_max: row.row_max, tried: row.tried, claimed: Number(row.claimed) };
  }

  /**
   * Make the allowance row of `key`, or record a new configured maximum on it (rare: once per key, and
   * when a server's maximum is changed).
   */
  private async setMax(key: string, max: number, now: number): Promise<void> {
    await this.db
      .insertInto('limit_allowances')
      .values({ key, max, allowed: max, changed_at: now })
      .onConflict((oc) => oc.column('key').doUpdateSet({ max }))
      .execute();
  }
}

/**
 * A deadlock PostgreSQL broke by undoing this statement (another statement over the same expired rows in
 * another order, such as a heartbeat's sweep): undefined, to try again; any other error is thrown.
 */
function lostRace(err: unknown): undefined {
  if ((err as { code?: string }).code === '40P01') return undefined;
  throw err;
}

/** The database's clock now (ms). */
async function clock(tx: Transaction<LimitsDatabase>): Promise<number> {
  const r = await sql<{ now: string }>`select ${NOW} as now`.execute(tx);
  return Number(r.rows[0]!.now);
}
