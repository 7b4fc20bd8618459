/**
 * The engine's bookkeeping where a real server will not fail on demand (in-memory system, test/support):
 * folders that fail or never start still show in the report and keep it from reconciling; a message the
 * source cannot deliver fails alone while its batch-mates are copied; a ledger that lost rows (a store
 * restored from an older copy) never makes the next pass write blind into a destination that already
 * has the messages; source and destination on one server share its connection cap without deadlock.
 */
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syncMailbox } from '../../src/engine/mailbox-sync.js';
import { silentProgress } from '../../src/engine/progress.js';
import { ConnectionSlots, RateLimiter } from '../../src/runner/limits.js';
import { openStore } from '../../src/store/db.js';
import { LedgerRepo } from '../../src/store/ledger-repo.js';
import { ItemLedgerRepo } from '../../src/store/item-ledger-repo.js';
import { MailboxRepo } from '../../src/store/mailbox-repo.js';
import { buildReport } from '../../src/services/report-service.js';
import { makeMessage } from '../harness/messages.js';
import { MemMailbox, memoryConnector } from '../support/memory-connector.js';
import { tempDataDir } from '../integration/helpers.js';
import { verifyRecorded } from '../support/verify-engine.js';
import type { ServerSpec } from '../../src/config/types.js';

const server: ServerSpec = {
  kind: 'imap',
  host: 'memory',
  port: 1,
  tls: 'none',
  allowInvalidCertificates: false,
  maxConnections: 4,
};

/** One pass over mailbox "a" with the store in `dir`. */
async function pass(
  dir: string,
  source: MemMailbox,
  dest: MemMailbox,
  opts: {
    foldersInParallel?: number;
    signal?: AbortSignal;
    map?: Array<{ from: string; to: string }>;
    maxConnections?: number;
  } = {},
) {
  const store = await openStore(dir);
  const mailboxes = new MailboxRepo(store.db);
  const id = await mailboxes.upsert({ key: 'mem', sourceUser: 'a', destUser: 'a', starred: false });
  const connector = memoryConnector(source, dest);
  const auth = { kind: 'password' as const, user: 'a', password: { value: 'x' } };
  try {
    let error: unknown;
    const counters = await syncMailbox(
      {
        mailboxId: id,
        label: 'a',
        source: { connector, server: { ...server, maxConnections: opts.maxConnections ?? 4 }, auth },
        dest: { connector, server: { ...server, maxConnections: opts.maxConnections ?? 4 }, auth },
        options: {
          itemTypes: ['mail'],
          folders: { map: opts.map ?? [], regex: [], include: [], exclude: [] },
        },
        foldersInParallel: opts.foldersInParallel ?? 2,
        dryRun: false,
      },
      {
        ledger: new LedgerRepo(store.db),
        items: new ItemLedgerRepo(store.db),
        mailboxes,
        slots: new ConnectionSlots(),
        limiter: new RateLimiter({}),
        progress: silentProgress,
      },
      opts.signal,
    ).catch((err: unknown) => {
      error = err;
      return undefined;
    });
    const mailbox = (await mailboxes.list())[0]!;
    // Read the destination back, as `migrate --verify` does: "reconciles" needs it.
    const verification =
      error === undefined
        ? await verifyRecorded(
            store,
            id,
            { connector, server: { ...server, maxConnections: opts.maxConnections ?? 4 }, auth },
            { connector, server: { ...server, maxConnections: opts.maxConnections ?? 4 }, auth },
          )
        : undefined;
    return {
      counters,
      error,
      verification,
      report: (await buildReport(store))[0]!,
      status: mailbox.status,
    };
  } finally {
    await store.close();
  }
}

const bodies = (box: MemMailbox, path: string) =>
  (box.folders.get(path)?.messages ?? []).map((m) => m.raw.toString()).sort();

test('a folder the destination refuses shows in the report with its error, and the mailbox is not "done"', async () => {
  const source = new MemMailbox();
  for (let i = 0; i < 5; i++) source.add('INBOX', makeMessage({ subject: `in ${i}` }));
  for (let i = 0; i < 3; i++) source.add('Projects', makeMessage({ subject: `p ${i}` }));
  const dest = new MemMailbox();
  dest.refuseFolders.add('Projects');
  const dir = tempDataDir();
  const { report, status } = await pass(dir, source, dest);
  assert.equal(status, 'done-with-errors');
  const projects = report.folders.find((f) => f.source === 'Projects')!;
  assert.equal(projects.sourceItems, 3, 'the source count is known although the folder never started');
  assert.equal(projects.pending, 3);
  assert.match(projects.error ?? '', /CREATE "Projects" refused/);
  assert.equal(report.accounted, false);
  assert.equal(report.reconciles, false);
  assert.match(report.discrepancy ?? '', /1 folder\(s\) failed \(Projects: .*refused/);
  assert.equal(report.folders.find((f) => f.source === 'INBOX')!.copied, 5);

  // Fixed at the destination: the next pass completes the folder and the report reconciles.
  dest.refuseFolders.clear();
  const second = await pass(dir, source, dest);
  assert.equal(second.status, 'done');
  assert.equal(second.report.reconciles, true);
  assert.equal(second.report.folders.find((f) => f.source === 'Projects')!.error, null);
  assert.deepEqual(bodies(dest, 'Projects'), bodies(source, 'Projects'));
  assert.deepEqual(bodies(dest, 'INBOX'), bodies(source, 'INBOX'));
});

test('a pass stopped before some folders start leaves them pending in the report, not absent', async () => {
  const source = new MemMailbox();
  for (const f of ['INBOX', 'A', 'B', 'C'])
    for (let i = 0; i < 4; i++) source.add(f, makeMessage({ subject: `${f}${i}` }));
  const dest = new MemMailbox();
  const dir = tempDataDir();
  const stop = new AbortController();
  // Stop as soon as the first folder has been written to.
  const original = dest.folders.set.bind(dest.folders);
  dest.folders.set = (k, v) => {
    if (dest.folders.size >= 1) stop.abort();
    return original(k, v);
  };
  const { report, error } = await pass(dir, source, dest, { foldersInParallel: 1, signal: stop.signal });
  assert.ok(error, 'the pass was stopped');
  assert.equal(report.folders.length, 4, 'every planned folder has a row');
  assert.equal(report.totals.sourceItems, 16);
  assert.ok(report.totals.pending > 0);
  assert.equal(report.accounted, false);
  assert.equal(report.reconciles, false);
  dest.folders.set = original;
  const second = await pass(dir, source, dest);
  assert.equal(second.report.reconciles, true);
  for (const f of ['INBOX', 'A', 'B', 'C']) assert.deepEqual(bodies(dest, f), bodies(source, f));
});

test('a message the source cannot deliver fails alone with the reason; its batch-mates are copied', async () => {
  const source = new MemMailbox();
  for (let i = 0; i < 12; i++) source.add('INBOX', makeMessage({ subject: `m${i}` }));
  source.folders.get('INBOX')!.messages[4]!.unreadable = true;
  const dest = new MemMailbox();
  const dir = tempDataDir();
  const { counters, report, status } = await pass(dir, source, dest);
  assert.equal(counters?.copied, 11);
  assert.equal(counters?.failed, 1);
  assert.equal(status, 'done-with-errors');
  assert.deepEqual(
    report.problems.map((p) => [p.uid, p.status]),
    [[5, 'failed']],
  );
  assert.match(report.problems[0]!.reason ?? '', /would not read it: \[SERVERBUG\]/);
  assert.equal(report.reconciles, true, 'failed with a reason is accounted for');

  // Repaired at the source: the next pass copies it, once.
  source.folders.get('INBOX')!.messages[4]!.unreadable = false;
  const second = await pass(dir, source, dest);
  assert.equal(second.counters?.copied, 1);
  assert.deepEqual(bodies(dest, 'INBOX'), bodies(source, 'INBOX'));
  assert.equal(second.report.totals.failed, 0);
});

test('a ledger that lost rows (store restored from an older copy) does not make the next pass copy twice', async () => {
  const source = new MemMailbox();
  for (let i = 0; i < 600; i++)
    source.add('INBOX', makeMessage({ subject: `old ${i}`, messageId: i % 7 ? undefined : null }));
  const dest = new MemMailbox();
  const dir = tempDataDir();
  await pass(dir, source, dest);
  const backup = tempDataDir();
  for (const f of readdirSync(dir)) copyFileSync(join(dir, f), join(backup, f));
  for (let i = 0; i < 700; i++) source.add('INBOX', makeMessage({ subject: `new ${i}` }));
  await pass(dir, source, dest);
  assert.equal(dest.folders.get('INBOX')!.messages.length, 1300);

  // The older store knows the first 600 only; the destination holds all 1300.
  const third = await pass(backup, source, dest);
  assert.equal(third.counters?.copied, 0);
  assert.equal(third.counters?.present, 700);
  assert.deepEqual(bodies(dest, 'INBOX'), bodies(source, 'INBOX'));
  assert.equal(third.report.reconciles, true);
});

test('source and destination on one server share its cap: folders in parallel do not deadlock', async () => {
  const source = new MemMailbox();
  for (const f of ['INBOX', 'A', 'B', 'C', 'D'])
    for (let i = 0; i < 3; i++) source.add(f, makeMessage({ subject: `${f}${i}` }));
  const dest = new MemMailbox();
  const { report } = await pass(tempDataDir(), source, dest, { foldersInParallel: 4 });
  assert.equal(report.reconciles, true);
  for (const f of ['INBOX', 'A', 'B', 'C', 'D']) assert.deepEqual(bodies(dest, f), bodies(source, f));
});

test('two folders merged into one destination folder each keep their copy of a message they share', async () => {
  const source = new MemMailbox();
  // INBOX goes first and is short: its lane then takes "Older" while "Old" is still being written.
  source.add('INBOX', makeMessage({ subject: 'first' }));
  for (let i = 0; i < 30; i++) {
    const raw = makeMessage({ subject: `shared ${i}`, messageId: i % 3 ? undefined : null });
    source.add('Old', raw);
    source.add('Older', raw);
  }
  const dest = new MemMailbox();
  // Stored at once, answered later: what one folder has written but not yet recorded is visible to others.
  dest.answerDelayMs = 20;
  const map = [
    { from: 'Old', to: 'Archive' },
    { from: 'Older', to: 'Archive' },
  ];
  const first = await pass(tempDataDir(), source, dest, { foldersInParallel: 2, map, maxConnections: 8 });
  assert.equal(dest.folders.get('Archive')!.messages.length, 60, 'the source holds each message twice');
  assert.equal(first.counters?.copied, 61);
  // Read back: both folders find their 30 in Archive, neither copy counts as extra.
  assert.equal(first.verification?.result, 'matches', JSON.stringify(first.verification?.folders));
  assert.equal(first.verification?.checked, 61);
  assert.equal(first.report.reconciles, true);
});

test('a verification of a destination that lost a message and changed flags: the next pass repairs both', async () => {
  const source = new MemMailbox();
  for (let i = 0; i < 5; i++) source.add('INBOX', makeMessage({ subject: `in ${i}` }), ['\\Seen']);
  const dest = new MemMailbox();
  const dir = tempDataDir();
  assert.equal((await pass(dir, source, dest)).verification?.result, 'matches');
  const inbox = dest.folders.get('INBOX')!;
  inbox.messages.splice(1, 1);
  inbox.messages[2]!.flags = ['\\Flagged'];
  const store = await openStore(dir);
  const auth = { kind: 'password' as const, user: 'a', password: { value: 'x' } };
  const side = { connector: memoryConnector(source, dest), server, auth };
  const found = await verifyRecorded(store, 1, side, side).finally(() => store.close());
  assert.deepEqual([found.result, found.missing, found.flagsDiffer], ['differs', 1, 1]);
  assert.equal(found.folders[0]!.missing[0]!.cause, 'lost');
  const repaired = await pass(dir, source, dest);
  assert.equal(repaired.counters?.copied, 1);
  assert.equal(repaired.counters?.flagsSynced, 1);
  assert.equal(repaired.verification?.result, 'matches');
  assert.deepEqual(bodies(dest, 'INBOX'), bodies(source, 'INBOX'));
  assert.equal(repaired.report.reconcile, 'reconciles');
});
