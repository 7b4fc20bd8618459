/**
 * Opening the store, whichever dialect holds it: `openStoreAt(target)` opens the embedded SQLite file of a
 * data directory or a PostgreSQL database (pg is loaded only then); `openStore(dataDir)` is the embedded
 * form. `storeTarget` picks the target from a command's options and the environment.
 */
import { openSqlite } from './sqlite.js';
import type { OpenStoreOptions, Store, StoreTarget } from './store.js';

export type { OpenStoreOptions, ReleaseLock, Store, StoreDialect, StoreTarget } from './store.js';
export { defaultDataDir } from './data-dir.js';
export { storeTarget } from './store-target.js';

/** Open the store at `target` and bring its schema up to date. */
export async function openStoreAt(target: StoreTarget, opts: OpenStoreOptions = {}): Promise<Store> {
  if ('databaseUrl' in target) {
    const { openPostgres } = await import('./postgres.js');
    return openPostgres(target.databaseUrl, target.dataDir);
  }
  return openSqlite(target.dataDir, opts);
}

/**
 * Open (creating if needed) the embedded SQLite store in `dataDir` and bring its schema up to date (see
 * src/store/sqlite.ts).
 */
export async function openStore(dataDir: string, opts: OpenStoreOptions = {}): Promise<Store> {
  return openSqlite(dataDir, opts);
}
