/** Opening the embedded store: a SQLite file under the data directory, migrated to the latest schema. */
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { createPrivateFile, makePrivate } from './private-dir.js';
import { migrateToLatest } from './run-migrations.js';
import { acquireRunLock } from './run-lock.js';
import type { Database } from './schema.js';
import type { OpenStoreOptions, Store } from './store.js';

/**
 * Kysely's SQLite driver prepares every query afresh; the ledger runs the same few statements for every
 * batch, so keep the prepared statements (bounded; the oldest is dropped first).
 */
function cachedStatements(sqlite: BetterSqlite3.Database, max = 256) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = sqlite.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(sql, stmt);
      }
      return stmt;
    },
    close: () => sqlite.close(),
  };
}

/**
 * Open (creating if needed) the SQLite store in `dataDir` and bring its schema up to date. The directory is
 * made private first (src/store/private-dir.ts), and the store file is created 0600 before SQLite opens
 * it: SQLite gives the WAL and SHM files the mode of the database file.
 */
export async function openSqlite(dataDir: string, opts: OpenStoreOptions = {}): Promise<Store> {
  const say = opts.onTightened ?? ((note: string) => process.stderr.write(`cutover: ${note}\n`));
  for (const note of makePrivate(dataDir)) say(note);
  const file = path.join(dataDir, 'cutover.sqlite');
  createPrivateFile(file);
  const sqlite = new BetterSqlite3(file);
  // WAL: readers (status, report) never block the writer; NORMAL is crash-safe for a process kill.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachedStatements(sqlite) }) });
  await migrateToLatest(db, 'sqlite');
  return {
    db,
    dialect: 'sqlite',
    location: file,
    dataDir,
    async lockRun() {
      const release = acquireRunLock(dataDir);
      return async () => release();
    },
    close: () => db.destroy(),
  };
}
