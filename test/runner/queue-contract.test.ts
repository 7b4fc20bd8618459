/**
 * The JobQueue contract, one suite looped over every queue: the in-process LocalQueue and the PostgreSQL
 * queue (pg-boss), the latter on a real PostgreSQL started by the harness (test/harness/postgres.ts), one
 * database per test. Order, concurrency (a number, and a function that can hold jobs back), start-after,
 * singleton keys, a continuation (`retry`) in its place with its new data and key, cancel of queued and
 * running jobs, settled, a handler that throws (failed, not retried), and close.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalQueue } from '../../src/runner/local/local-queue.js';
import { PgQueue } from '../../src/runner/pg/pg-queue.js';
import type { JobInfo, JobQueue, MailboxPassData } from '../../src/runner/job.js';
import { startPostgres, type PgTestServer } from '../harness/postgres.js';

interface Adapter {
  name: string;
  /** Polling queues see a change within this (ms); the in-process one at once. */
  tick: number;
  make(opts?: { onFailed?: (job: JobInfo, err: unknown) => void }): Promise<JobQueue>;
}

let pg: PgTestServer | undefined;
const opened: JobQueue[] = [];

const adapters: Adapter[] = [
  {
    name: 'LocalQueue',
    tick: 10,
    async make(opts = {}) {
      const q = new LocalQueue({ recheckMs: 10, ...opts });
      opened.push(q);
      return q;
    },
  },
  {
    name: 'PgQueue (PostgreSQL, pg-boss)',
    tick: 100,
    async make(opts = {}) {
      pg ??= await startPostgres();
      const q = new PgQueue({
        url: await pg.createDatabase(),
        leaseMs: 3000,
        heartbeatMs: 200,
        pollMs: 50,
        presence: false,
        ...opts,
      });
      await q.start();
      opened.push(q);
      return q;
    },
  },
];

after(async () => {
  for (const q of opened) await q.close().catch(() => undefined);
  await pg?.stop();
});

const pass = (mailboxId: number, runId = 'r'): MailboxPassData => ({
  runId,
  mailboxId,
  sourceUser: `u${mailboxId}`,
  slice: 0,
});

/** A promise and its resolver, to wait for a handler to reach a point. */
function signal<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

for (const a of adapters) {
  describe(`JobQueue contract: ${a.name}`, () => {
    before(async () => {
      await (await a.make()).close(); // the server's start-up outside the first test's timings
    });

    test('runs at most the concurrency at once, in the order queued, every job once', async () => {
      const q = await a.make();
      let running = 0;
      let most = 0;
      const order: number[] = [];
      q.work(
        'mailbox-pass',
        async (d) => {
          order.push(d.mailboxId);
          most = Math.max(most, ++running);
          await sleep(60);
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
      const q = await a.make();
      let open = false;
      const ran: number[] = [];
      q.work('mailbox-pass', async (d) => (ran.push(d.mailboxId), { status: 'done' }), {
        concurrency: () => (open ? 2 : 0),
      });
      await q.enqueue('mailbox-pass', pass(1));
      await sleep(4 * a.tick);
      assert.deepEqual(ran, [], 'held back while the window is closed');
      open = true;
      await q.settled();
      assert.deepEqual(ran, [1]);
    });

    test('start-after delays a job; jobs already due run first', async () => {
      const q = await a.make();
      const ran: Array<[number, number]> = [];
      q.work('mailbox-pass', async (d) => (ran.push([d.mailboxId, Date.now()]), { status: 'done' }), {
        concurrency: 1,
      });
      const at = Date.now() + 400;
      await q.enqueue('mailbox-pass', pass(1), { startAfter: new Date(at) });
      await q.enqueue('mailbox-pass', pass(2));
      await q.settled();
      assert.deepEqual(
        ran.map(([id]) => id),
        [2, 1],
      );
      assert.ok(ran[1]![1] >= at, `started ${at - ran[1]![1]} ms before its start-after`);
    });

    test('a singleton key keeps a second copy out while one is queued or running, not after', async () => {
      const q = await a.make();
      let calls = 0;
      const started = signal();
      q.work('comms-tick', async () => (calls++, started.resolve(), await sleep(100), { status: 'done' }), {
        concurrency: 1,
      });
      assert.ok(await q.enqueue('comms-tick', { intervalMs: 1 }, { singletonKey: 'comms' }));
      assert.equal(await q.enqueue('comms-tick', { intervalMs: 1 }, { singletonKey: 'comms' }), undefined);
      await started.promise; // running now
      assert.equal(await q.enqueue('comms-tick', { intervalMs: 1 }, { singletonKey: 'comms' }), undefined);
      assert.ok(
        await q.enqueue('comms-tick', { intervalMs: 1 }, { singletonKey: 'other' }),
        'other keys go in',
      );
      await q.settled();
      assert.ok(await q.enqueue('comms-tick', { intervalMs: 1 }, { singletonKey: 'comms' }));
      await q.settled();
      assert.equal(calls, 3);
    });

    test('cancel drops queued jobs and aborts running ones; settled waits for them to be gone', async () => {
      const q = await a.make();
      const started: number[] = [];
      const running = signal();
      let aborted = 0;
      q.work(
        'mailbox-pass',
        async (d, { signal }) => {
          started.push(d.mailboxId);
          running.resolve();
          await sleep(10_000, undefined, { signal }).catch(() => aborted++);
          return { status: 'retry', startAfter: new Date() }; // a cancelled job does not come back
        },
        { concurrency: 1 },
      );
      await q.enqueue('mailbox-pass', pass(1));
      await q.enqueue('mailbox-pass', pass(2));
      await q.enqueue('mailbox-pass', pass(3, 'other'), { startAfter: new Date(Date.now() + 60_000) });
      await running.promise;
      const ours = (j: JobInfo) => j.name === 'mailbox-pass' && (j.data as MailboxPassData).runId === 'r';
      assert.equal(await q.cancel(ours), 2);
      await q.settled(ours);
      assert.equal(aborted, 1);
      await sleep(3 * a.tick);
      assert.deepEqual(
        started,
        [1],
        'a cancelled queued job never starts, a cancelled running one never returns',
      );
      assert.equal(await q.cancel('no-such-key'), 0);
      assert.equal(await q.cancel(() => true), 1, 'the other run’s job was still queued');
      await q.settled();
    });

    test('a job that asks to run again comes back after its start-after, with its new data and key', async () => {
      const q = await a.make();
      const seen: Array<[number, number]> = [];
      const t0 = Date.now();
      q.work(
        'mailbox-pass',
        async (d) => {
          seen.push([d.mailboxId, d.slice]);
          if (d.mailboxId === 1 && d.slice === 0)
            return {
              status: 'retry',
              startAfter: new Date(Date.now() + 300),
              data: { ...d, slice: 1, stalledSince: t0 },
            };
          return { status: 'done' };
        },
        { concurrency: 1 },
      );
      await q.enqueue('mailbox-pass', pass(1), { singletonKey: 'mb-1' });
      await q.enqueue('mailbox-pass', pass(2));
      while (!seen.some(([id]) => id === 2)) await sleep(10);
      assert.equal(
        await q.enqueue('mailbox-pass', pass(1), { singletonKey: 'mb-1' }),
        undefined,
        'the continuation holds the singleton key',
      );
      await q.settled();
      assert.deepEqual(seen, [
        [1, 0],
        [2, 0],
        [1, 1],
      ]);
      assert.ok(Date.now() - t0 >= 300);
    });

    test('a continuation that is due keeps its place ahead of jobs queued after it', async () => {
      const q = await a.make();
      const seen: string[] = [];
      q.work(
        'mailbox-pass',
        async (d) => {
          seen.push(`${d.mailboxId}/${d.slice}`);
          if (d.mailboxId === 1 && d.slice === 0)
            return { status: 'retry', startAfter: new Date(), data: { ...d, slice: 1 } };
          return { status: 'done' };
        },
        { concurrency: () => 1 },
      );
      for (const id of [1, 2, 3]) await q.enqueue('mailbox-pass', pass(id));
      await q.settled();
      assert.deepEqual(seen, ['1/0', '1/1', '2/0', '3/0']);
    });

    test('a handler that throws fails its job without retry; the others go on', async () => {
      const failed: string[] = [];
      const q = await a.make({ onFailed: (job, err) => failed.push(`${job.name}: ${String(err)}`) });
      let calls = 0;
      q.work(
        'mailbox-pass',
        async (d) => {
          calls++;
          if (d.mailboxId === 1) throw new Error('a bug');
          return { status: 'done' };
        },
        { concurrency: 1 },
      );
      await q.enqueue('mailbox-pass', pass(1));
      await q.enqueue('mailbox-pass', pass(2));
      await q.settled();
      await sleep(3 * a.tick);
      assert.equal(calls, 2, 'the failed job is not run again');
      assert.deepEqual(failed, ['mailbox-pass: Error: a bug']);
    });

    test('close aborts running handlers and resolves when they have returned', async () => {
      const q = await a.make();
      const running = signal();
      let returned = false;
      q.work(
        'mailbox-pass',
        async (d, { signal }) => {
          running.resolve();
          await sleep(10_000, undefined, { signal }).catch(() => undefined);
          await sleep(50); // hands back its slice
          returned = true;
          return { status: 'retry', startAfter: new Date(), data: { ...d, slice: d.slice + 1 } };
        },
        { concurrency: 1 },
      );
      await q.enqueue('mailbox-pass', pass(1));
      await running.promise;
      const t0 = Date.now();
      await q.close();
      assert.ok(returned, 'close resolved after the handler returned');
      assert.ok(Date.now() - t0 < 2000, 'the handler was aborted, not waited out');
      assert.equal(await q.enqueue('mailbox-pass', pass(2)), undefined, 'a closed queue takes nothing');
    });
  });
}
