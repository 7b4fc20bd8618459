/**
 * The engine's scheduling over the connector contract, with an in-memory system (test/support) so that
 * faults real servers do not produce on demand can be injected: a throttling answer (the scheduler waits
 * the time asked, then retries) and a refused message (recorded as failed, the rest still copied).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, PermanentError, RateLimitError, TransientError } from '../../src/errors.js';
import { syncMailbox } from '../../src/engine/mailbox-sync.js';
import { silentProgress } from '../../src/engine/progress.js';
import { ConnectionSlots, RateLimiter } from '../../src/runner/limits.js';
import { openStore } from '../../src/store/db.js';
import { LedgerRepo } from '../../src/store/ledger-repo.js';
import { ItemLedgerRepo } from '../../src/store/item-ledger-repo.js';
import { MailboxRepo } from '../../src/store/mailbox-repo.js';
import { buildReport } from '../../src/services/report-service.js';
import { verifyRecorded } from '../support/verify-engine.js';
import { makeMessage } from '../harness/messages.js';
import { MemMailbox, memoryConnector, type Fault } from '../support/memory-connector.js';
import { tempDataDir } from '../integration/helpers.js';
import type { ServerSpec } from '../../src/config/types.js';

const server: ServerSpec = {
  kind: 'imap',
  host: 'memory',
  port: 1,
  tls: 'none',
  allowInvalidCertificates: false,
  maxConnections: 4,
};

/** `listFaults`: errors thrown, one per call, by the source's folder listing before it answers. */
async function run(source: MemMailbox, dest: MemMailbox, fault: Fault, listFaults: Error[] = []) {
  const store = await openStore(tempDataDir());
  const mailboxes = new MailboxRepo(store.db);
  const id = await mailboxes.upsert({ key: 'mem', sourceUser: 'a', destUser: 'a', starred: false });
  const connector = memoryConnector(source, dest, fault);
  const openSource = connector.openSource.bind(connector);
  connector.openSource = async (...args) => {
    const src = await openSource(...args);
    const listFolders = src.listFolders.bind(src);
    return Object.assign(src, {
      listFolders: async (signal?: AbortSignal) => {
        const err = listFaults.shift();
        if (err) throw err;
        return listFolders(signal);
      },
    });
  };
  try {
    const counters = await syncMailbox(
      {
        mailboxId: id,
        label: 'a',
        source: { connector, server, auth: { kind: 'password', user: 'a', password: { value: 'x' } } },
        dest: { connector, server, auth: { kind: 'password', user: 'a', password: { value: 'x' } } },
        options: { itemTypes: ['mail'], folders: { map: [], regex: [], include: [], exclude: [] } },
        foldersInParallel: 2,
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
    );
    // Read the destination back (without the injected faults): "reconciles" comes from it.
    const clean = {
      connector: memoryConnector(source, dest),
      server,
      auth: { kind: 'password' as const, user: 'a', password: { value: 'x' } },
    };
    const verification = await verifyRecorded(store, id, clean, clean);
    return {
      counters,
      verification,
      report: (await buildReport(store))[0]!,
      passes: await mailboxes.passes(id),
      calls: connector.appendCalls,
    };
  } finally {
    await store.close();
  }
}

test('a throttling answer makes the scheduler wait the time asked and retry; nothing lost or doubled', async () => {
  const source = new MemMailbox();
  for (let i = 0; i < 35; i++) source.add('INBOX', makeMessage({ subject: `t${i}` }));
  const dest = new MemMailbox();
  const t0 = Date.now();
  const { counters, report, passes } = await run(source, dest, (n) =>
    n === 2 || n === 3 ? new RateLimitError('slow down', 150) : undefined,
  );
  assert.ok(Date.now() - t0 >= 300, 'waited twice for the Retry-After');
  assert.equal(counters.copied, 35);
  assert.equal(counters.throttledMs, 300);
  assert.equal(passes[0]!.throttledMs, 300);
  assert.equal(dest.folders.get('INBOX')!.messages.length, 35);
  assert.deepEqual(
    dest.folders
      .get('INBOX')!
      .messages.map((m) => m.raw.toString())
      .sort(),
    source.folders
      .get('INBOX')!
      .messages.map((m) => m.raw.toString())
      .sort(),
  );
  assert.ok(report.reconciles);
});

test('a message the destination refuses is isolated and reported; its batch-mates are copied', async () => {
  const source = new MemMailbox();
  for (let i = 0; i < 8; i++) source.add('INBOX', makeMessage({ subject: i === 5 ? 'poison' : `ok${i}` }));
  const dest = new MemMailbox();
  let calls = 0;
  const { counters, report } = await run(source, dest, () => {
    calls++;
    // The first call carries all 8 (refused as a whole, MULTIAPPEND is atomic); then one per message.
    return calls === 1 || calls === 7
      ? new PermanentError(ErrorCode.MessageRejected, 'refused: virus found')
      : undefined;
  });
  assert.equal(counters.copied, 7);
  assert.equal(counters.failed, 1);
  assert.equal(dest.folders.get('INBOX')!.messages.length, 7);
  assert.equal(report.totals.failed, 1);
  assert.match(report.problems[0]!.reason ?? '', /virus/);
  assert.ok(report.reconciles);
});

test('a write whose answer was lost (stored, then the connection dropped) is found by fingerprint, not written twice', async () => {
  const source = new MemMailbox();
  for (let i = 0; i < 25; i++)
    source.add('INBOX', makeMessage({ subject: `lost answer ${i}`, messageId: i % 4 ? undefined : null }));
  source.add('INBOX', source.folders.get('INBOX')!.messages[0]!.raw); // the same message twice: kept twice
  const dest = new MemMailbox();
  const { counters, report } = await run(source, dest, (n) =>
    n === 2
      ? {
          error: new TransientError(ErrorCode.ConnectionLost, 'connection lost after the server committed'),
          when: 'after',
        }
      : undefined,
  );
  const got = dest.folders
    .get('INBOX')!
    .messages.map((m) => m.raw.toString())
    .sort();
  assert.deepEqual(
    got,
    source.folders
      .get('INBOX')!
      .messages.map((m) => m.raw.toString())
      .sort(),
  );
  assert.equal(counters.copied, 26);
  assert.ok(report.reconciles);
});

test('throttling and a dropped connection while folders are listed are waited out, not a failed mailbox', async () => {
  const source = new MemMailbox();
  for (let i = 0; i < 12; i++) source.add(i % 2 ? 'INBOX' : 'Archive', makeMessage({ subject: `p${i}` }));
  const dest = new MemMailbox();
  const { counters, report, passes } = await run(source, dest, undefined, [
    new RateLimitError('429 while listing folders', 120),
    new TransientError(ErrorCode.ConnectionLost, 'connection reset while listing folders'),
  ]);
  assert.equal(passes[0]!.status, 'done');
  assert.equal(counters.copied, 12);
  assert.equal(counters.throttledMs, 120, 'time spent throttled while planning is counted');
  assert.equal(dest.folders.get('INBOX')!.messages.length, 6);
  assert.equal(dest.folders.get('Archive')!.messages.length, 6);
  assert.ok(report.reconciles);
});

test('a refused login while folders are listed still fails the mailbox at once', async () => {
  const source = new MemMailbox();
  source.add('INBOX', makeMessage({ subject: 'x' }));
  await assert.rejects(
    run(source, new MemMailbox(), undefined, [
      new PermanentError(ErrorCode.AuthFailed, 'login refused'),
      new Error('a second call must not happen'),
    ]),
    /login refused/,
  );
});
