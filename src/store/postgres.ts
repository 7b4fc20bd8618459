/**
 * Opening the store on PostgreSQL (`--database-url`): Kysely's PostgresDialect over a pg Pool (numbers as
 * src/store/pg-config.ts sets them), migrated with `migrations('postgres')`, the server's version checked
 * first. Loaded only when a database URL is given: the embedded store never loads pg.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrateToLatest } from './run-migrations.js';
import { acquirePgRunLock } from './pg-run-lock.js';
import { PgRunSignals } from './pg-run-signals.js';
import { clientConfig } from './pg-config.js';
import {
  MIN_SERVER_VERSION,
  checkDatabaseUrl,
  openError,
  redactDatabaseUrl,
  tooOldError,
} from './postgres-errors.js';
import type { Store } from './store.js';
import { defaultDataDir } from './data-dir.js';

/** Open the store in the PostgreSQL database at `url` and bring its schema up to date. */
export async function openPostgres(url: string, dataDir?: string): Promise<Store> {
  checkDatabaseUrl(url);
  const pool = new pg.Pool({ ...clientConfig(url), max: 10 });
  // An idle connection the server ended (restart, idle timeout) must not crash the process; the pool
  // replaces it and the next query says what is wrong.
  pool.on('error', () => undefined);
  let version: number;
  try {
    const r = await pool.query<{ server_version_num: string }>('show server_version_num');
    version = Number(r.rows[0]?.server_version_num);
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw openError(err, url);
  }
  if (version < MIN_SERVER_VERSION * 10000) {
    await pool.end().catch(() => undefined);
    throw tooOldError(version, url);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrateToLatest(db, 'postgres');
  } catch (err) {
    throw openError(err, url);
  }
  // One listening connection for the process's run followers, opened by the first of them.
  const runSignals = new PgRunSignals(url);
  return {
    db,
    dialect: 'postgres',
    location: redactDatabaseUrl(url),
    dataDir: dataDir ?? defaultDataDir(),
    lockRun: (scope) => acquirePgRunLock(url, scope),
    runSignals,
    close: async () => {
      await runSignals.close();
      await db.destroy();
    },
  };
}
