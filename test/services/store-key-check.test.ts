/**
 * One secret key per shared database (services/store-key-check.ts), on a real PostgreSQL from
 * test/harness/postgres.ts: the first process records its key; another with the same key starts; one with
 * another key (its own key file, or a different CUTOVER_SECRET_KEY) is refused with what to do; and through
 * the real start-up path, `buildServer` refuses to serve such a database. SQLite stores are not checked.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ErrorCode, PermanentError } from '../../src/errors.js';
import { SecretBox } from '../../src/security/secret-box.js';
import { buildServer } from '../../src/server/app.js';
import { checkStoreKey } from '../../src/services/store-key-check.js';
import { openStore, openStoreAt } from '../../src/store/db.js';
import { startPostgres, type PgTestServer } from '../harness/postgres.js';
import { tempDataDir } from '../integration/helpers.js';

let pg: PgTestServer;
before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await pg?.stop();
});

const box = () => new SecretBox(randomBytes(32));

test('the first key is recorded; the same key starts again, another is refused with what to do', async () => {
  const url = await pg.createDatabase();
  const first = box();
  const a = await openStoreAt({ databaseUrl: url, dataDir: tempDataDir() });
  const b = await openStoreAt({ databaseUrl: url, dataDir: tempDataDir() });
  try {
    await checkStoreKey(a, first);
    await checkStoreKey(b, first); // a second machine with the same key
    await assert.rejects(checkStoreKey(b, box()), (err: unknown) => {
      assert.ok(err instanceof PermanentError);
      assert.equal(err.code, ErrorCode.ConfigInvalid);
      assert.match(err.message, /sealed with another secret key/);
      assert.match(err.hint ?? '', /Set CUTOVER_SECRET_KEY to the key the other machines/);
      return true;
    });
    await checkStoreKey(a, first); // the refusal recorded nothing
  } finally {
    await a.close();
    await b.close();
  }
});

test('a server whose data directory has another key file does not start on the shared database', async () => {
  const url = await pg.createDatabase();
  const saved = process.env.CUTOVER_SECRET_KEY;
  delete process.env.CUTOVER_SECRET_KEY;
  try {
    // Two machines, each with its own data directory and so its own key file.
    const one = await buildServer({ dataDir: tempDataDir(), databaseUrl: url });
    await one.close();
    await assert.rejects(buildServer({ dataDir: tempDataDir(), databaseUrl: url }), /another secret key/);
  } finally {
    if (saved !== undefined) process.env.CUTOVER_SECRET_KEY = saved;
  }
});

test('an embedded store is one machine’s: nothing is checked or recorded', async () => {
  const store = await openStore(tempDataDir());
  try {
    await checkStoreKey(store, box());
    await checkStoreKey(store, box());
  } finally {
    await store.close();
  }
});
