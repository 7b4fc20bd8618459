/**
 * The connectors' shared-limits hook (ConnectorContext.sharedLimits, connectors/context-hooks.ts) over
 * PostgreSQL, for every worker sharing one database: concurrency as leases (pg-leases.ts, a fixed maximum),
 * sliding windows as buckets under an advisory lock (store/limit-window-repo.ts). Microsoft 365's 4
 * concurrent requests and request/upload budgets per mailbox, and Gmail's quota units per user (a window of
 * one second), hold for all workers together through it.
 * It satisfies the hook's interface by shape: runner/ does not import connectors/.
 *
 * Wiring: `connectorFor(kind, { ...context, sharedLimits: new PgSharedLimits(pool) })`; `close()` when the
 * worker stops.
 */
import { ErrorCode, TransientError } from '../../errors.js';
import { LimitWindowRepo, type WindowTake } from '../../store/limit-window-repo.js';
import { limitsDb, type LimitsDb, type PgTarget } from './pg-db.js';
import { PgLeases, type PgLeaseOptions } from './pg-leases.js';

export class PgSharedLimits {
  private readonly leases: PgLeases;
  private readonly handle: LimitsDb;
  private readonly windowRepo: LimitWindowRepo;

  constructor(target: PgTarget, opts: Omit<PgLeaseOptions, 'raiseAfterMs'> = {}) {
    this.handle = limitsDb(target);
    this.leases = new PgLeases(this.handle, opts); // one pool for both, even from a URL
    this.windowRepo = new LimitWindowRepo(this.handle.db);
  }

  /** Hold `count` of the `max` permits of `key` across every worker. */
  concurrency(key: string, max: number, count: number, signal?: AbortSignal): Promise<() => void> {
    return this.leases.acquire(`shared:${key}`, max, count, signal);
  }

  /** Count every take in its window if all fit now (else none); the wait of each. */
  async windows(lock: string, takes: WindowTake[]): Promise<number[]> {
    try {
      return await this.windowRepo.take(lock, takes);
    } catch (err) {
      throw new TransientError(
        ErrorCode.ConnectionLost,
        `The shared budget ${lock} in PostgreSQL could not be read or written (${(err as Error).message}).`,
        'Cutover retries on its own; check that the database is up and reachable from this worker.',
        { cause: err },
      );
    }
  }

  /** Give back what this process holds; let go of the database handles. */
  async close(): Promise<void> {
    await this.leases.close();
    await this.handle.close();
  }
}
