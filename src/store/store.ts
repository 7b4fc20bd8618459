/**
 * What an open store is, whichever dialect holds it (SQLite in the data directory, or a PostgreSQL
 * database), and where a command's store lives (`StoreTarget`).
 */
import type { Kysely } from 'kysely';
import type { StoreDialect } from './migrations.js';
import type { Database } from './schema.js';

export type { StoreDialect };

/** Releases a run lock; safe to call more than once. */
export type ReleaseLock = () => Promise<void>;

/** A change of a run in the store: the run's id and its project's (null for a one-off run). */
export interface RunChange {
  runId: string;
  projectId: number | null;
  /** What changed: the run itself (recorded, paused) or one of its mailboxes (started, ended, requeued). */
  kind: 'run' | 'mailbox';
}

/**
 * Wakes whoever follows runs when one changes (a mailbox started or ended, the run ended or was paused):
 * PostgreSQL's LISTEN/NOTIFY on one connection per process. Absent where followers poll (SQLite).
 */
export interface RunSignals {
  /** Call `fn` on every change until the returned function is called (the first subscriber connects). */
  subscribe(fn: (change: RunChange) => void): () => void;
}

/** An open store. */
export interface Store {
  db: Kysely<Database>;
  dialect: StoreDialect;
  /** Where the data lives, for messages: the SQLite file, or the database URL with its password hidden. */
  location: string;
  /**
   * The directory for files kept beside the store (the secret key, token caches). With a database URL it
   * holds no store file; it is the data directory the command resolved.
   */
  dataDir: string;
  /**
   * One migrating process per project: two `cutover migrate` runs of one project would copy the same
   * messages twice. SQLite: a PID file in the data directory (`scope` unused: the directory is the
   * project's); PostgreSQL: an advisory lock per `scope` (the project's name) held on a connection of its
   * own until released, or until the process dies, which ends the connection. Throws Busy when held.
   */
  lockRun(scope?: string): Promise<ReleaseLock>;
  /** Run changes as they are committed (PostgreSQL); undefined: look again from time to time. */
  runSignals?: RunSignals;
  close(): Promise<void>;
}

/** Where a store lives: the embedded SQLite file of a data directory, or a PostgreSQL database. */
export type StoreTarget = { dataDir: string } | { databaseUrl: string; dataDir?: string };

/** What opening a store says about files it had to make private (default: a line on stderr each). */
export interface OpenStoreOptions {
  onTightened?: (note: string) => void;
}
