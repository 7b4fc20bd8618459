/**
 * Table types of the limits workers share through PostgreSQL (migration 0018_cluster_limits). Kept apart
 * from schema.ts: the repositories over them take a `Kysely<LimitsDatabase>` that runner/pg builds on its
 * own pool (a store's `Kysely<Database>` on the same database serves too, through `withTables`).
 * Times are milliseconds since the epoch by the database's clock, so workers on several machines agree.
 */
import type { ColumnType, Generated } from 'kysely';

/** A bigint column: pg reads int8 as a string, so repositories read it through Number(). */
type Big = ColumnType<number | string, number, number>;

/** The allowance of one key (a server, a user on it, a Graph mailbox): lowered by refusals, raised by quiet. */
export interface LimitAllowanceTable {
  key: string;
  /** The configured maximum. */
  max: number;
  /** The allowance as of `changed_at` (a quiet spell since then raises it by one per spell). */
  allowed: number;
  changed_at: Big;
}

/**
 * A place in line for `count` permits of `key` (granted = 0; since migration 0020l permits held are
 * limit_slots rows, and no row here has granted = 1).
 */
export interface LimitLeaseTable {
  /** Arrival order: the lowest waiting id is served first. */
  id: Generated<number>;
  key: string;
  /** The process (one PgLeases) that holds it; its heartbeat renews `expires_at`. */
  holder: string;
  count: number;
  granted: number;
  /** Past this, the holder is taken for dead and the lease no longer counts. */
  expires_at: Big;
}

/** One permit of `key` held: slot number `slot`, by `holder`, as part of the grant `lease`. */
export interface LimitSlotTable {
  key: string;
  slot: number;
  /** The grant it belongs to (a request for several permits holds several rows of one lease). */
  lease: string;
  /** The process (one PgLeases) that holds it; its heartbeat renews `expires_at`. */
  holder: string;
  /** Past this, the holder is taken for dead and the slot is free again. */
  expires_at: Big;
}

/** A token bucket over messages and bytes (a project's rate). */
export interface RateBucketTable {
  key: string;
  messages: number;
  bytes: number;
  updated_at: Big;
}

/** One bucket of a sliding window: `amount` counted, the last of it at `at`. */
export interface LimitWindowTable {
  key: string;
  bucket: Big;
  at: Big;
  amount: Big;
}

/** A sealed value kept for a connector (its own name, e.g. a token cache). */
export interface KvSecretTable {
  name: string;
  value: string;
  updated_at: Big;
}

/** The tables above, for the repositories that use them. */
export interface LimitsDatabase {
  limit_allowances: LimitAllowanceTable;
  limit_leases: LimitLeaseTable;
  limit_slots: LimitSlotTable;
  rate_buckets: RateBucketTable;
  limit_windows: LimitWindowTable;
  kv_secrets: KvSecretTable;
}
