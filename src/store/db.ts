/** Opening the embedded store: a SQLite file under the data directory, migrated to the latest schema. */
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type MigrationProvider } from 'kysely';
import { createPrivateFile, makePrivate } from './private-dir.js';
import { migrations, type StoreDialect } from './migrations.js';
import type { Database } from './schema.js';

/** An open store. */
export interface Store {
  db: Kysely<Database>;
  /** Which SQL the store speaks (repositories that lock rows need it). */
  dialect: StoreDialect;
  /** Where the data lives, for messages. */
  location: string;
  close(): Promise<void>;
}

/** Default data directory: $CUTOVER_DATA_DIR, else ./.cutover in the current directory. */
export function defaultDataDir(): string {
  return process.env.CUTOVER_DATA_DIR || path.resolve('.cutover');
}

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

/** What openStore says about files it had to make private (default: a line on stderr each). */
export interface OpenStoreOptions {
  onTightened?: (note: string) => void;
}

/**
 * Open (creating if needed) the SQLite store in `dataDir` and bring its schema up to date. The directory is
 * made private first (src/security/private-dir.ts), and the store file is created 0600 before SQLite opens
 * it: SQLite gives the WAL and SHM files the mode of the database file.
 */
export async function openStore(dataDir: string, opts: OpenStoreOptions = {}): Promise<Store> {
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
  const provider: MigrationProvider = { getMigrations: async () => migrations('sqlite') };
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    await db.destroy();
    throw error instanceof Error ? error : new Error(`store migration failed: ${JSON.stringify(error)}`);
  }
  return { db, dialect: 'sqlite', location: file, close: () => db.destroy() };
}
