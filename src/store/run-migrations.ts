/**
 * Bringing a store's schema up to date with Kysely's Migrator. On PostgreSQL the Migrator holds an advisory
 * lock while it migrates and tolerates a migration table another process created at the same moment, so
 * several workers opening one database at once apply each migration exactly once.
 */
import { Migrator, type Kysely, type MigrationProvider } from 'kysely';
import { migrations, type StoreDialect } from './migrations.js';
import type { Database } from './schema.js';

/** Apply every pending migration of `dialect`; throws what the failed migration threw. */
export async function migrateToLatest(db: Kysely<Database>, dialect: StoreDialect): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    await db.destroy();
    throw error instanceof Error ? error : new Error(`store migration failed: ${JSON.stringify(error)}`);
  }
}
