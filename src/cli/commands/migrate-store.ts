/**
 * `cutover migrate-store --from DATA_DIR --to URL`: move an embedded project, with its ledger, into
 * PostgreSQL (src/store/copy-store.ts), so a project that grows does not start again. Prints the rows of
 * every table as the database counted them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, PermanentError } from '../../errors.js';
import { copyStore } from '../../store/copy-store.js';
import { openStore, openStoreAt, type Store } from '../../store/db.js';

export interface MigrateStoreOptions {
  from: string;
  to: string;
}

export async function migrateStoreCommand(o: MigrateStoreOptions): Promise<void> {
  const dataDir = path.resolve(o.from);
  // Never create an empty embedded store where the user expected theirs.
  if (!fs.existsSync(path.join(dataDir, 'cutover.sqlite')))
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `There is no embedded store in ${dataDir} (no cutover.sqlite).`,
      'Give --from the data directory of the project (the folder of cutover.sqlite, ./.cutover by default).',
    );
  let from: Store | undefined;
  let to: Store | undefined;
  try {
    from = await openStore(dataDir);
    to = await openStoreAt({ databaseUrl: o.to, dataDir });
    const unlockFrom = await from.lockRun();
    try {
      process.stderr.write(`Copying ${from.location} into ${to.location} (one transaction)…\n`);
      const tables = await copyStore(from, to);
      const width = Math.max(...tables.map((t) => t.table.length));
      for (const t of tables) process.stdout.write(`${t.table.padEnd(width)}  ${t.rows}\n`);
      const total = tables.reduce((s, t) => s + t.rows, 0);
      process.stdout.write(
        `Copied ${total} row(s) in ${tables.length} tables; every table's count matches.\n` +
          `Use it with --database-url (or CUTOVER_DATABASE_URL). Secrets stay sealed with this data directory's key: ` +
          `keep ${path.join(dataDir, 'secret.key')} (or set CUTOVER_SECRET_KEY to its contents) wherever Cutover runs on this database.\n`,
      );
    } finally {
      await unlockFrom();
    }
  } finally {
    await to?.close();
    await from?.close();
  }
}
