/**
 * Long throttling ends the slice instead of being slept out in it: the mailbox-pass job is requeued with a
 * start-after, the next slice resumes from the ledger (nothing lost, nothing twice), and the give-up clock
 * goes on across slices. Short waits stay in the slice. Over the in-memory system (test/support).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitError } from '../../src/errors.js';
import { ThrottledSlice, syncMailbox, type EngineDeps } from '../../src/engine/mailbox-sync.js';
import { silentProgress } from '../../src/engine/progress.js';
import { ConnectionSlots, RateLimiter } from '../../src/runner/limits.js';
import { LocalQueue } from '../../src/runner/local/local-queue.js';
import { openStore } from '../../src/store/db.js';
import { LedgerRepo } from '../../src/store/ledger-repo.js';
import { ItemLedgerRepo } from '../../src/store/item-ledger-repo.js';
import { MailboxRepo } from '../../src/store/mailbox-repo.js';
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
const auth = { kind: 'password' as const, user: 'a', password: { value: 'x' } };

/** A mailbox pass as a job on a local queue, its slices over the memory system; how it went. */
async function passAsJobs(source: MemMailbox, dest: MemMailbox, fault: Fault, extra: Partial<EngineDeps>) {
  const store = await openStore(tempDataDir());
  const mailboxes = new MailboxRepo(store.db);
  const id = await mailboxes.upsert({ key: 'mem', sourceUser: 'a', destUser: 'a', starred: false });
  const connector = memoryConnector(source, dest, fault);
  const slices: Array<{ at: number; stalledSince?: number }> = [];
  const results: Array<{ copied: number; failed: number } | string> = [];
  const q = new LocalQueue();
  q.work(
    'mailbox-pass',
    async (data, { signal }) => {
      slices.push({ at: Date.now(), ...(data.stalledSince ? { stalledSince: data.stalledSince } : {}) });
      try {
        const c = await syncMailbox(
          {
            mailboxId: id,
            label: 'a',
            source: { connector, server, auth },
            dest: { connector, server, auth },
            options: { itemTypes: ['mail'], folders: { map: [], regex: [], include: [], exclude: [] } },
            foldersInParallel: 1,
            dryRun: false,
          },
          {
            ledger: new LedgerRepo(store.db),
            items: new ItemLedgerRepo(store.db),
            mailboxes,
            slots: new ConnectionSlots(),
            limiter: new RateLimiter({}),
            progress: silentProgress,
            ...extra,
            ...(data.stalledSince ? { stalledSince: data.stalledSince } : {}),
          },
          signal,
        );
        results.push({ copied: c.copied, failed: c.failed });
        return { status: 'done' };
      } catch (err) {
        if (!(err instanceof ThrottledSlice)) throw err;
        results.push(`throttled ${err.waitMs}`);
        return {
          status: 'retry',
          startAfter: new Date(Date.now() + err.waitMs),
          data: { ...data, slice: data.slice + 1, stalledSince: err.stalledSince },
        };
      }
    },
    { concurrency: 1 },
  );
  await q.enqueue('mailbox-pass', { runId: 'r', mailboxId: id, sourceUser: 'a', slice: 0 });
  await q.settled();
  await q.close();
  const passes = await mailboxes.passes(id);
  await store.close();
  return { slices, results, passes };
}

const inbox = (n: number) => {
  const m = new MemMailbox();
  for (let i = 0; i < n; i++) m.add('INBOX', makeMessage({ subject: `q${i}` }));
  return m;
};

test('a long Retry-After ends the slice; the job comes back after it and finishes from the ledger, nothing twice', async () => {
  const source = inbox(35);
  const dest = new MemMailbox();
  const { slices, results } = await passAsJobs(
    source,
    dest,
    (n) => (n === 2 ? new RateLimitError('slow down', 200) : undefined),
    { requeueThrottledMs: 100 },
  );
  assert.equal(slices.length, 2);
  assert.ok(slices[1]!.at - slices[0]!.at >= 200, 'the second slice started after the wait');
  assert.equal(results[0], 'throttled 200');
  const msgs = dest.folders.get('INBOX')!.messages.map((m) => m.raw.toString());
  assert.equal(msgs.length, 35);
  assert.deepEqual(
    msgs.sort(),
    source.folders
      .get('INBOX')!
      .messages.map((m) => m.raw.toString())
      .sort(),
  );
});

test('a short Retry-After is waited out in the slice', async () => {
  const { slices, results } = await passAsJobs(
    inbox(10),
    new MemMailbox(),
    (n) => (n === 1 ? new RateLimitError('slow down', 50) : undefined),
    { requeueThrottledMs: 100 },
  );
  assert.equal(slices.length, 1);
  assert.deepEqual(results, [{ copied: 10, failed: 0 }]);
});

test('the give-up clock goes on across slices: throttled without progress for too long, the folder fails', async () => {
  const dest = new MemMailbox();
  const { slices, results } = await passAsJobs(inbox(5), dest, () => new RateLimitError('slow down', 150), {
    requeueThrottledMs: 100,
    retry: { giveUpAfterMs: 400, baseMs: 10, capMs: 20 },
  });
  // Slices of 150 ms each until 400 ms have passed without progress since the first: then it stops.
  assert.ok(slices.length >= 3 && slices.length <= 5, `${slices.length} slices`);
  const clock = new Set(slices.slice(1).map((s) => s.stalledSince));
  assert.equal(clock.size, 1, 'one give-up clock over every slice');
  assert.ok([...clock][0]! - slices[0]!.at < 100, 'started in the first slice');
  assert.deepEqual(results.at(-1), { copied: 0, failed: 0 });
  assert.equal(dest.folders.get('INBOX')?.messages.length ?? 0, 0);
});
