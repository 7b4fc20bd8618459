/** The in-process job queue: concurrency, start-after, singleton keys, cancel, and a job that asks to run again. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalQueue } from '../../src/runner/local/local-queue.js';
import type { MailboxPassData } from '../../src/runner/job.js';

const pass = (mailboxId: number): MailboxPassData => ({
  runId: 'r',
  mailboxId,
  sourceUser: `u${mailboxId}`,
  slice: 0,
});

test('runs at most the concurrency at once, in the order queued, every job once', async () => {
  const q = new LocalQueue();
  let running = 0;
  let most = 0;
  const order: number[] = [];
  q.work(
    'mailbox-pass',
    async (d) => {
      order.push(d.mailboxId);
      most = Math.max(most, ++running);
      await sleep(15);
      running--;
      return { status: 'done' };
    },
    { concurrency: 3 },
  );
  for (let i = 0; i < 8; i++) await q.enqueue('mailbox-pass', pass(i));
  await q.settled();
  assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7]);
  assert.equal(most, 3);
});

test('a limit given as a function holds jobs back at 0 and lets them go when it rises', async () => {
  const q = new LocalQueue({ recheckMs: 10 });
  let open = false;
  const ran: number[] = [];
  q.work('mailbox-pass', async (d) => (ran.push(d.mailboxId), { status: 'done' }), {
    concurrency: () => (open ? 2 : 0),
  });
  await q.enqueue('mailbox-pass', pass(1));
  await sleep(40);
  assert.deepEqual(ran, [], 'held back while the window is closed');
  open = true;
  await q.settled();
  assert.deepEqual(ran, [1]);
});

test('start-after delays a job; jobs already due run first', async () => {
  const q = new LocalQueue();
  const ran: Array<[number, number]> = [];
  const t0 = Date.now();
  q.work('mailbox-pass', async (d) => (ran.push([d.mailboxId, Date.now() - t0]), { status: 'done' }), {
    concurrency: 1,
  });
  await q.enqueue('mailbox-pass', pass(1), { startAfter: new Date(Date.now() + 80) });
  await q.enqueue('mailbox-pass', pass(2));
  await q.settled();
  assert.deepEqual(
    ran.map(([id]) => id),
    [2, 1],
  );
  assert.ok(ran[1]![1] >= 75, `started after ${ran[1]![1]} ms`);
});

test('a singleton key keeps a second copy out while one is queued or running, not after', async () => {
  const q = new LocalQueue();
  let calls = 0;
  q.work('comms-tick', async () => (calls++, await sleep(20), { status: 'done' }), { concurrency: 1 });
  assert.ok(await q.enqueue('comms-tick', { intervalMs: 1 }, { singletonKey: 'comms' }));
  assert.equal(await q.enqueue('comms-tick', { intervalMs: 1 }, { singletonKey: 'comms' }), undefined);
  await sleep(5); // running now
  assert.equal(await q.enqueue('comms-tick', { intervalMs: 1 }, { singletonKey: 'comms' }), undefined);
  await q.settled();
  assert.ok(await q.enqueue('comms-tick', { intervalMs: 1 }, { singletonKey: 'comms' }));
  await q.settled();
  assert.equal(calls, 2);
});

test('cancel drops queued jobs and aborts running ones; settled waits for the running one to stop', async () => {
  const q = new LocalQueue();
  const started: number[] = [];
  let aborted = 0;
  q.work(
    'mailbox-pass',
    async (d, { signal }) => {
      started.push(d.mailboxId);
      await sleep(10_000, undefined, { signal }).catch(() => aborted++);
      return { status: 'retry', startAfter: new Date() }; // a cancelled job does not come back
    },
    { concurrency: 1 },
  );
  await q.enqueue('mailbox-pass', pass(1));
  await q.enqueue('mailbox-pass', pass(2));
  await q.enqueue('mailbox-pass', { ...pass(3), runId: 'other' });
  await sleep(5);
  assert.equal(
    await q.cancel((j) => j.name === 'mailbox-pass' && (j.data as MailboxPassData).runId === 'r'),
    2,
  );
  await q.settled((j) => (j.data as MailboxPassData).runId === 'r');
  assert.equal(aborted, 1);
  assert.ok(!started.includes(2), 'a cancelled queued job never starts');
  await q.cancel(() => true);
  await q.settled();
  await q.close();
});

test('a job that asks to run again (throttled) comes back after its start-after, with its new data, in its place', async () => {
  const q = new LocalQueue();
  const seen: Array<[number, number]> = [];
  const t0 = Date.now();
  q.work(
    'mailbox-pass',
    async (d) => {
      seen.push([d.mailboxId, d.slice]);
      if (d.mailboxId === 1 && d.slice === 0)
        return {
          status: 'retry',
          startAfter: new Date(Date.now() + 60),
          data: { ...d, slice: 1, stalledSince: t0 },
        };
      return { status: 'done' };
    },
    { concurrency: 1 },
  );
  await q.enqueue('mailbox-pass', pass(1));
  await q.enqueue('mailbox-pass', pass(2));
  await q.settled();
  assert.deepEqual(seen, [
    [1, 0],
    [2, 0],
    [1, 1],
  ]);
  assert.ok(Date.now() - t0 >= 60);
});
