/**
 * The store suite's loop over dialects: each suite runs once on the embedded SQLite store (a temp data
 * directory) and once on PostgreSQL (a throwaway server from test/harness/postgres.ts, one per test file,
 * one fresh database per `fresh()`). No emulators: both are real databases.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import { openStore, openStoreAt, type Store, type StoreDialect } from '../../src/store/db.js';
import { startPostgres, type PgTestServer } from '../harness/postgres.js';

export const DIALECTS: StoreDialect[] = ['sqlite', 'postgres'];

/** What a suite gets: a fresh empty store of the dialect, and the PostgreSQL server (postgres only). */
export interface DialectContext {
  dialect: StoreDialect;
  fresh: () => Promise<Store>;
  /** A fresh database URL (postgres only). */
  freshUrl: () => Promise<string>;
}

let server: Promise<PgTestServer> | undefined;

/** Run `body` once per dialect, inside a describe named after it. */
export function forEachDialect(name: string, body: (ctx: DialectContext) => void): void {
  for (const dialect of DIALECTS)
    describe(`${name} (${dialect})`, () => {
      const opened: Store[] = [];
      const dirs: string[] = [];
      before(async () => {
        if (dialect === 'postgres') await (server ??= startPostgres());
      });
      after(async () => {
        for (const s of opened) await s.close().catch(() => undefined);
        for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
      });
      const freshUrl = async () => {
        if (dialect !== 'postgres') throw new Error('freshUrl is for postgres');
        return (await server!).createDatabase();
      };
      body({
        dialect,
        freshUrl,
        async fresh() {
          let s: Store;
          if (dialect === 'sqlite') {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-store-'));
            dirs.push(dir);
            s = await openStore(dir, { onTightened: () => undefined });
          } else s = await openStoreAt({ databaseUrl: await freshUrl() });
          opened.push(s);
          return s;
        },
      });
    });
  after(async () => {
    if (server) await (await server).stop();
    server = undefined;
  });
}
