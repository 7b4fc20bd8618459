/**
 * Opening a store, on SQLite and PostgreSQL alike (test/store/dialects.ts): the run lock (one migrating
 * process per project: a PID file per data directory, an advisory lock per project in a database), and on
 * PostgreSQL numbers parsed by the store's own pool only, so other pg users (pg-boss) keep pg's defaults.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import pg from 'pg';
import { CutoverError, ErrorCode } from '../../src/errors.js';
import { MailboxRepo } from '../../src/store/mailbox-repo.js';
import { forEachDialect } from './dialects.js';

const busy = (e: unknown) =>
  e instanceof CutoverError && e.code === ErrorCode.Busy && /Another Cutover process/.test(e.message);

forEachDialect('store: opening, run lock, numbers', ({ dialect, fresh, freshUrl }) => {
  it('the run lock is taken once per project; released, it can be taken again', async () => {
    const store = await fresh();
    if (dialect === 'sqlite') {
      // The data directory's PID file: held by another live process (our parent stands in for it).
      const file = path.join(store.dataDir, 'cutover.lock');
      fs.writeFileSync(file, String(process.ppid));
      await assert.rejects(store.lockRun('Acme'), busy);
      fs.rmSync(file);
    }
    const release = await store.lockRun('Acme');
    if (dialect === 'postgres') await assert.rejects(store.lockRun('Acme'), busy);
    if (dialect === 'postgres') {
      // Another project on the same database runs beside it.
      const other = await store.lockRun('Beta');
      await other();
    }
    await release();
    await release();
    const again = await store.lockRun('Acme');
    await again();
  });

  it('counts and sums come back as numbers; a plain pg client still gets int8 as text', async (t) => {
    const store = await fresh();
    const repo = new MailboxRepo(store.db);
    const id = await repo.upsert({ key: 'a', sourceUser: 'a', destUser: 'a', starred: false });
    await repo.setSize(id, 1, 9_000_000_000);
    assert.equal(await repo.count(), 1);
    assert.equal((await repo.get(id))?.sourceBytes, 9_000_000_000);
    if (dialect !== 'postgres') return t.skip('pg types: PostgreSQL only');
    const c = new pg.Client({ connectionString: await freshUrl() });
    await c.connect();
    try {
      const r = await c.query<{ n: unknown; s: unknown }>('select count(*) as n, sum(1::int8) as s');
      assert.equal(r.rows[0]!.n, '1');
      assert.equal(r.rows[0]!.s, '1');
    } finally {
      await c.end();
    }
  });
});
