/**
 * Where a command's store lives: `--database-url`, else $CUTOVER_DATABASE_URL, else the embedded store of
 * the data directory. With a URL the data directory still holds the files kept beside the store (the
 * secret key unless $CUTOVER_SECRET_KEY is set, token caches), never a store file.
 */
import type { StoreTarget } from './store.js';

/** The environment variable naming the PostgreSQL store. */
export const DATABASE_URL_ENV = 'CUTOVER_DATABASE_URL';

/** The store target of a command: its `--database-url`, the environment's, or the data directory's file. */
export function storeTarget(
  o: { databaseUrl?: string; dataDir: string },
  env: NodeJS.ProcessEnv = process.env,
): StoreTarget {
  const url = o.databaseUrl?.trim() || env[DATABASE_URL_ENV]?.trim();
  return url ? { databaseUrl: url, dataDir: o.dataDir } : { dataDir: o.dataDir };
}
