/**
 * The store suite, part 1, on SQLite and PostgreSQL alike (test/store/dialects.ts): mailboxes and passes,
 * the message ledger and folder state, the item ledger, scans, verifications, and the schema itself.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { it } from 'node:test';
import { sql } from 'kysely';
import { ItemLedgerRepo, type ItemEntry } from '../../src/store/item-ledger-repo.js';
import { LedgerRepo, folderRow, type LedgerEntry } from '../../src/store/ledger-repo.js';
import { MailboxRepo } from '../../src/store/mailbox-repo.js';
import { ProjectMailboxRepo } from '../../src/store/project-mailbox-repo.js';
import { ProjectRepo } from '../../src/store/project-repo.js';
import { ScanRepo } from '../../src/store/scan-repo.js';
import { VerificationRepo } from '../../src/store/verification-repo.js';
import { openStore, openStoreAt, type Store } from '../../src/store/db.js';
import { migrations } from '../../src/store/migrations.js';
import { forEachDialect } from './dialects.js';

const entry = (uid: number, patch: Partial<LedgerEntry> = {}): LedgerEntry => ({
  folderKey: 'INBOX',
  uidValidity: '7',
  uid,
  fingerprint: `fp${uid}`,
  size: 1000 + uid,
  status: 'copied',
  reason: null,
  destUid: uid + 100,
  flags: '\\Seen',
  passId: 1,
  ...patch,
});

/** The (table, column) pairs of the store's own tables. */
async function columns(store: Store): Promise<string[]> {
  const q =
    store.dialect === 'sqlite'
      ? sql<{
          t: string;
          c: string;
        }>`select m.name as t, p.name as c from sqlite_master m, pragma_table_info(m.name) p
          where m.type = 'table' and m.name not like 'sqlite_%' and m.name not like 'kysely_%'`
      : sql<{ t: string; c: string }>`select table_name as t, column_name as c from information_schema.columns
          where table_schema = 'public' and table_name not like 'kysely_%'`;
  return (await q.execute(store.db)).rows.map((r) => `${r.t}.${r.c}`).sort();
}

forEachDialect('store: mailboxes, ledger, scans, verifications', ({ dialect, fresh, freshUrl }) => {
  it('creates the same tables and columns as the other dialect', async () => {
    const store = await fresh();
    const cols = await columns(store);
    assert.ok(cols.length > 150, `${cols.length} columns`);
    for (const c of ['ledger.uid', 'mailboxes.project_id', 'item_ledger.state', 'scan_items.shared'])
      assert.ok(cols.includes(c), c);
    // The same (table, column) pairs as the embedded store, opened beside it.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-store-'));
    const sqlite = await openStore(dir, { onTightened: () => undefined });
    try {
      assert.deepEqual(cols, await columns(sqlite));
    } finally {
      await sqlite.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('migrates once when several processes open the same new database at once', async (t) => {
    if (dialect !== 'postgres') return t.skip('SQLite: one file, opened by one migrating process (run lock)');
    const url = await freshUrl();
    const stores = await Promise.all([1, 2, 3, 4, 5].map(() => openStoreAt({ databaseUrl: url })));
    try {
      const applied = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(
        stores[0]!.db,
      );
      const names = Object.keys(migrations('postgres'));
      assert.equal(applied.rows[0]!.n, names.length);
      const m = new MailboxRepo(stores[3]!.db);
      assert.equal(await m.upsert({ key: 'k', sourceUser: 'a', destUser: 'b', starred: false }), 1);
    } finally {
      for (const s of stores) await s.close();
    }
  });

  it('mailboxes: upsert by key keeps the id, lists starred then largest first, numbers as numbers', async () => {
    const store = await fresh();
    const repo = new MailboxRepo(store.db);
    const a = await repo.upsert({ key: 'a', sourceUser: 'alice', destUser: 'alice2', starred: false });
    const b = await repo.upsert({ key: 'b', sourceUser: 'bob', destUser: 'bob2', starred: false });
    const c = await repo.upsert({ key: 'c', sourceUser: 'carol', destUser: 'carol2', starred: true });
    assert.equal(await repo.upsert({ key: 'a', sourceUser: 'alice', destUser: 'alice3', starred: false }), a);
    await repo.setSize(a, 10, 5_000_000_000);
    await repo.setSize(b, 20, 3000);
    await repo.setStatus(b, 'failed', 'login refused');
    const list = await repo.list();
    assert.deepEqual(
      list.map((m) => [m.id, m.destUser, m.starred, m.sourceBytes, m.status, m.lastError]),
      [
        [c, 'carol2', true, 0, 'idle', null],
        [a, 'alice3', false, 5_000_000_000, 'idle', null],
        [b, 'bob2', false, 3000, 'failed', 'login refused'],
      ],
    );
    assert.equal(typeof list[1]!.sourceBytes, 'number');
    assert.equal((await repo.get(b))?.sourceMessages, 20);
    assert.equal(await repo.get(999), undefined);
  });

  it('passes: start, finish with counters, stale ones closed', async () => {
    const store = await fresh();
    const repo = new MailboxRepo(store.db);
    const m = await repo.upsert({ key: 'a', sourceUser: 'a', destUser: 'a', starred: false });
    const p1 = await repo.startPass(m, false);
    const p2 = await repo.startPass(m, true);
    assert.ok(p2 > p1);
    const counters = {
      copied: 5,
      present: 2,
      skipped: 1,
      failed: 0,
      flagsSynced: 3,
      bytes: 6_000_000_000,
      throttledMs: 1500,
    };
    await repo.finishPass(p1, 'done', counters);
    await repo.setStatus(m, 'running');
    await repo.closeStalePasses();
    const passes = await repo.passes(m);
    assert.equal(passes.length, 2);
    assert.deepEqual(
      { ...passes[0]!, startedAt: '', finishedAt: passes[0]!.finishedAt !== null },
      {
        id: p1,
        mailboxId: m,
        startedAt: '',
        finishedAt: true,
        status: 'done',
        dryRun: false,
        error: null,
        ...counters,
      },
    );
    assert.equal(passes[1]!.status, 'interrupted');
    assert.equal(passes[1]!.dryRun, true);
    assert.equal((await repo.get(m))?.status, 'stopped');
  });

  it('ledger: put replaces by key, rows, statuses, counts, bytes, gone, generations', async () => {
    const store = await fresh();
    const m = await new MailboxRepo(store.db).upsert({
      key: 'a',
      sourceUser: 'a',
      destUser: 'a',
      starred: false,
    });
    const ledger = new LedgerRepo(store.db);
    await ledger.saveFolder(
      m,
      folderRow('INBOX', undefined, { uidValidity: '7', destPath: 'INBOX', uidNext: 4_000_000_000 }),
    );
    await ledger.saveFolder(m, folderRow('Sent', undefined, { uidValidity: '9', destPath: 'Sent Items' }));
    // IMAP UIDs are unsigned 32-bit: the largest must be kept as it is.
    const big = 4_294_967_295;
    await ledger.put(m, [
      entry(1),
      entry(2, { status: 'intent', destUid: null }),
      entry(3, { status: 'failed', reason: 'too large', destUid: null }),
      entry(4, { status: 'copied', reason: 'keyword refused' }),
      entry(big, { destUid: big - 1 }),
      entry(1, { uidValidity: '6', fingerprint: 'old' }),
      entry(5, { folderKey: 'Sent', uidValidity: '9', status: 'present', size: 10 }),
    ]);
    await ledger.put(m, [entry(2, { status: 'copied', destUid: 202 })]);
    const rows = await ledger.rows(m, 'INBOX', '7', [1, 2, 3, big, 99]);
    assert.deepEqual(
      [...rows.keys()].sort((x, y) => x - y),
      [1, 2, 3, big],
    );
    assert.deepEqual(rows.get(2), entry(2, { status: 'copied', destUid: 202 }));
    assert.equal(rows.get(big)?.destUid, big - 1);
    assert.equal(typeof rows.get(1)?.size, 'number');
    assert.deepEqual(
      (await ledger.withStatus(m, 'INBOX', '7', 'failed')).map((e) => e.uid),
      [3],
    );
    assert.equal(await ledger.aliveCount(m, 'INBOX', '7'), 5);
    assert.equal(await ledger.countWithStatus(m, 'INBOX', '7', ['copied', 'present']), 4);
    assert.deepEqual(await ledger.claimedDestUids(m, 'INBOX'), new Set([101, 202, 104, big - 1, 101]));
    // Sizes summed over int8 come back as a number on both (numeric on PostgreSQL).
    const total = await ledger.totalBytes(m);
    assert.equal(total, 1001 + 1002 + 1003 + 1004 + (1000 + big) + 1001 + 10);
    assert.equal(typeof total, 'number');
    await ledger.markGone(m, 'INBOX', '7', [3]);
    assert.deepEqual(
      (await ledger.aliveUids(m, 'INBOX', '7')).sort((x, y) => x - y),
      [1, 2, 4, big],
    );
    assert.equal(await ledger.dropOtherGenerations(m, 'INBOX', '7'), 1);
    const counts = await ledger.folderCounts(m);
    const inbox = counts.find((c) => c.folderKey === 'INBOX')!;
    assert.deepEqual(inbox.counts, { copied: 4, gone: 1 });
    assert.equal(inbox.bytesCopied, 1001 + 1002 + 1004 + 1000 + big);
    assert.equal(inbox.altered, 1);
    assert.deepEqual(counts.find((c) => c.folderKey === 'Sent')?.counts, { present: 1 });
    assert.deepEqual(
      (await ledger.problems(m)).map((e) => [e.uid, e.status, e.reason]),
      [[4, 'copied', 'keyword refused']],
    );
    const f = await ledger.getFolder(m, 'INBOX');
    assert.equal(f?.uidNext, 4_000_000_000);
    assert.deepEqual(
      (await ledger.listFolders(m)).map((x) => [x.folderKey, x.destPath]),
      [
        ['INBOX', 'INBOX'],
        ['Sent', 'Sent Items'],
      ],
    );
    await ledger.saveFolder(m, folderRow('INBOX', f, { messages: 4, lastPassId: 3 }));
    assert.deepEqual(
      { ...(await ledger.getFolder(m, 'INBOX')) },
      { ...folderRow('INBOX', f, { messages: 4, lastPassId: 3 }) },
    );
  });

  it('item ledger: record replaces by key, replaceType, list order, counts by type per project', async () => {
    const store = await fresh();
    const p = await new ProjectRepo(store.db).insert('p', '{}');
    const members = new ProjectMailboxRepo(store.db);
    const m = await members.insert(p, {
      key: 'a',
      sourceUser: 'a',
      destUser: 'a',
      starred: false,
      options: {},
    });
    const other = await new MailboxRepo(store.db).upsert({
      key: 'b',
      sourceUser: 'b',
      destUser: 'b',
      starred: false,
    });
    const items = new ItemLedgerRepo(store.db);
    const item = (key: string, patch: Partial<ItemEntry> = {}): ItemEntry => ({
      itemType: 'contacts',
      collection: 'book',
      key,
      kind: 'contact',
      sourceHash: `h${key}`,
      destHash: null,
      status: 'copied',
      reason: null,
      original: null,
      destRef: `d${key}`,
      state: null,
      passId: 1,
      ...patch,
    });
    await items.record(m, [
      item('b'),
      item('a', { status: 'failed', reason: 'x' }),
      item('main', { itemType: 'filters', kind: 'script' }),
    ]);
    await items.record(m, [item('a', { status: 'present', reason: null })]);
    await items.record(other, [item('z')]);
    assert.deepEqual(
      (await items.list(m)).map((e) => [e.itemType, e.key, e.status]),
      [
        ['contacts', 'a', 'present'],
        ['contacts', 'b', 'copied'],
        ['filters', 'main', 'copied'],
      ],
    );
    assert.deepEqual([...(await items.collection(m, 'contacts', 'book')).keys()], ['a', 'b']);
    assert.deepEqual(await items.countsByType(p), {
      contacts: { copied: 1, present: 1, skipped: 0, failed: 0 },
      filters: { copied: 1, present: 0, skipped: 0, failed: 0 },
    });
    await items.replaceType(m, 'contacts', [item('c', { status: 'skipped' })]);
    assert.deepEqual(
      (await items.list(m, 'contacts')).map((e) => [e.key, e.status, e.destRef]),
      [['c', 'skipped', 'dc']],
    );
  });

  it('scans: per project, saved mailboxes replace a stopped attempt, folders and items in order', async () => {
    const store = await fresh();
    const p = await new ProjectRepo(store.db).insert('p', '{}');
    const m = await new MailboxRepo(store.db).upsert({
      key: 'a',
      sourceUser: 'a',
      destUser: 'a',
      starred: false,
    });
    const scans = new ScanRepo(store.db);
    const oneOff = await scans.start(null);
    const s = await scans.start(p);
    const folder = (key: string) => ({
      mailboxId: m,
      folderKey: key,
      destPath: key,
      depth: 1,
      messages: 3,
      bytes: 5_000_000_000,
      oldest: null,
      newest: '2024-01-01',
      oversize: 0,
      noMessageId: 1,
      duplicateIds: 0,
      nameProblem: null,
      excluded: null,
    });
    const mb = {
      mailboxId: m,
      status: 'done' as const,
      error: null,
      destError: null,
      quotaUsed: 10,
      quotaLimit: 6_000_000_000,
      appendLimit: null,
      duplicateIds: 2,
      finishedAt: null,
    };
    await scans.saveMailbox(
      s,
      mb,
      [folder('b')],
      [{ mailboxId: m, itemType: 'tasks', collections: 1, items: 2, shared: 0, problem: null }],
    );
    await scans.saveMailbox(
      s,
      mb,
      [folder('Sent'), folder('INBOX')],
      [
        { mailboxId: m, itemType: 'filters', collections: null, items: 4, shared: 0, problem: null },
        { mailboxId: m, itemType: 'contacts', collections: 2, items: 9, shared: 1, problem: null },
      ],
    );
    await scans.finish(s, 'done');
    assert.deepEqual(
      (await scans.list(p)).map((x) => [x.id, x.projectId, x.status]),
      [[s, p, 'done']],
    );
    assert.deepEqual(
      (await scans.list(null)).map((x) => [x.id, x.projectId, x.status]),
      [[oneOff, null, 'running']],
    );
    assert.deepEqual(await scans.finishedMailboxes(s), new Set([m]));
    const saved = await scans.mailboxes(s);
    assert.equal(saved.length, 1);
    assert.deepEqual({ ...saved[0]!, finishedAt: null }, mb);
    assert.deepEqual(
      (await scans.folders(s)).map((f) => [f.folderKey, f.bytes, f.noMessageId]),
      [
        ['INBOX', 5_000_000_000, 1],
        ['Sent', 5_000_000_000, 1],
      ],
    );
    assert.deepEqual(
      (await scans.items(s)).map((i) => [i.itemType, i.collections, i.items, i.shared]),
      [
        ['contacts', 2, 9, 1],
        ['filters', null, 4, 0],
      ],
    );
  });

  it('verifications: the last per mailbox, with detail; a project summary that knows outdated ones', async () => {
    const store = await fresh();
    const p = await new ProjectRepo(store.db).insert('p', '{}');
    const members = new ProjectMailboxRepo(store.db);
    const add = (k: string) =>
      members.insert(p, { key: k, sourceUser: k, destUser: k, starred: false, options: {} });
    const [a, b, c, d] = [await add('a'), await add('b'), await add('c'), await add('d')];
    const repo = new VerificationRepo(store.db);
    const folder = (missing: number) => ({
      source: 'INBOX',
      destination: 'INBOX',
      checked: 10,
      missing: Array.from({ length: missing }, (_, i) => ({
        sourceUid: i,
        destUid: null,
        messageId: null,
        cause: 'lost' as const,
      })),
      flagsDiffer: [],
      extra: [],
      altered: [],
    });
    const v = (mailboxId: number, at: string, result: 'matches' | 'differs', missing = 0) =>
      repo.record({
        mailboxId,
        startedAt: at,
        finishedAt: at,
        mode: 'normal',
        result,
        error: null,
        folders: [folder(missing)],
      });
    await v(a, '2024-01-01T00:00:00.000Z', 'differs', 2);
    const lastA = await v(a, '2024-01-02T00:00:00.000Z', 'matches');
    await v(b, '2024-01-03T00:00:00.000Z', 'differs', 3);
    await v(c, '2024-01-01T00:00:00.000Z', 'matches');
    // c was written to after its verification: outdated.
    const mailboxes = new MailboxRepo(store.db);
    const pass = await mailboxes.startPass(c, false);
    await mailboxes.finishPass(pass, 'done', {
      copied: 1,
      present: 0,
      skipped: 0,
      failed: 0,
      flagsSynced: 0,
      bytes: 1,
      throttledMs: 0,
    });
    const last = await repo.last(a);
    assert.equal(last?.id, lastA);
    assert.equal(last?.folders[0]?.counts.missing, 0);
    assert.equal((await repo.last(b))?.missing, 3);
    const of = await repo.lastOf([a, b, d]);
    assert.deepEqual([...of.keys()].sort(), [a, b].sort());
    assert.equal(of.get(a)?.id, lastA);
    assert.deepEqual(await repo.ofProject(p), {
      mailboxes: 4,
      matches: 1,
      differs: 1,
      failed: 0,
      notVerified: 1,
      outdated: 1,
      lastAt: '2024-01-03T00:00:00.000Z',
      missing: 3,
      flagsDiffer: 0,
      extra: 0,
      altered: 0,
    });
  });
});
