/**
 * The database handle of the cluster-wide limits: Kysely over a `pg.Pool` the application already has (left
 * open on close: it is the application's), or over a pool of its own made from a URL (ended on close).
 * `pg` is loaded only when a URL is given, so nothing here loads it on the embedded path.
 */
import { Kysely, PostgresDialect } from 'kysely';
import type { Pool } from 'pg';
import type { LimitsDatabase } from '../../store/limits-schema.js';

/** Where the limits live: the application's pool, or a `postgres://` URL. */
export type PgTarget = Pool | string;

/** A Kysely handle on the limits' tables, and how to let it go. */
export interface LimitsDb {
  db: Kysely<LimitsDatabase>;
  close(): Promise<void>;
}

/** Open the limits' tables at `target` (see the file comment). */
export function limitsDb(target: PgTarget): LimitsDb {
  if (typeof target !== 'string')
    // Kysely's destroy() would end the pool: the application's pool is closed by the application.
    return { db: new Kysely({ dialect: new PostgresDialect({ pool: target }) }), close: async () => {} };
  const db = new Kysely<LimitsDatabase>({
    dialect: new PostgresDialect({
      pool: async () => {
        const { default: pg } = await import('pg');
        return new pg.Pool({ connectionString: target, max: 4 });
      },
    }),
  });
  return { db, close: () => db.destroy() };
}
