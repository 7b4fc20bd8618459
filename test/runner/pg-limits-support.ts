/**
 * Test support for the cluster-wide limits: a fresh database on the harness's PostgreSQL brought to the
 * latest schema (every migration, the PostgreSQL dialect), and a pool per simulated worker.
 */
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrations } from '../../src/store/migrations.js';
import type { PgTestServer } from '../harness/postgres.js';

/** A new database with every migration applied; its URL. */
export async function migratedDatabase(server: PgTestServer): Promise<string> {
  const url = await server.createDatabase();
  const db = new Kysely<unknown>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
  });
  try {
    const { error } = await new Migrator({
      db,
      provider: { getMigrations: async () => migrations('postgres') },
    }).migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
  } finally {
    await db.destroy();
  }
  return url;
}

/** A pool of its own, as a separate worker process would have. */
export function workerPool(url: string): pg.Pool {
  return new pg.Pool({ connectionString: url, max: 6 });
}
