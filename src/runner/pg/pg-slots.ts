/**
 * Connection slots per server (host:port) and per user on it, held for every worker sharing one PostgreSQL
 * database: the same rules as connection-slots.ts — taken in one fixed order (the server, then its users
 * sorted), the allowance lowered by a refusal to one below what is in use and raised by one per quiet
 * spell, a lone request always granted — but the counts, the allowance and the line live in the database
 * (pg-leases.ts), so a refusal seen by one worker lowers the allowance of all, and a worker killed with
 * SIGKILL frees its slots when its lease runs out.
 *
 * Wiring: `new PgSlots(pool)` (or a `postgres://` URL) in place of `new ConnectionSlots()`; `close()`
 * when the worker stops.
 */
import { RAISE_AFTER_MS } from '../connection-slots.js';
import { slotKey, type SlotPlace, type SlotServer, type Slots } from '../slots.js';
import { PgLeases, type PgLeaseOptions } from './pg-leases.js';
import type { PgTarget } from './pg-db.js';

/** A server's cap when a refusal or a question names it before anyone took its slots (as ConnectionSlots). */
const UNKNOWN_MAX = 1000;

export class PgSlots implements Slots {
  private readonly leases: PgLeases;

  constructor(target: PgTarget, opts: PgLeaseOptions = {}) {
    this.leases = new PgLeases(target, { raiseAfterMs: RAISE_AFTER_MS, ...opts });
  }

  async acquire(
    server: SlotServer,
    signal?: AbortSignal,
    count = 1,
    perUser: Record<string, number> = {},
  ): Promise<() => void> {
    const max = Math.max(1, server.maxConnections ?? UNKNOWN_MAX);
    const releases = [await this.leases.acquire(slotKey(server), max, count, signal)];
    try {
      for (const user of Object.keys(perUser).sort())
        releases.push(await this.leases.acquire(slotKey(server, user), max, perUser[user]!, signal));
    } catch (err) {
      for (const r of releases) r();
      throw err;
    }
    return () => releases.reverse().forEach((r) => r());
  }

  /**
   * Lower the shared allowance. Never rejects: the allowance is advice, and a database that cannot be
   * reached is reported by the next `acquire`, which needs it.
   */
  async refused(where: SlotPlace): Promise<void> {
    await this.leases.lower(slotKey(where, where.user), UNKNOWN_MAX).catch(() => undefined);
  }

  allowance(where: SlotPlace): Promise<number> {
    return this.leases.allowance(slotKey(where, where.user), UNKNOWN_MAX);
  }

  /** Give back every slot this process holds and stop its heartbeat. */
  close(): Promise<void> {
    return this.leases.close();
  }
}
