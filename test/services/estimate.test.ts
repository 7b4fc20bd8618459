/** The estimate: per-mailbox time, lanes, throttling windows in the project's time zone, shared caps, the suggested date. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concurrencyAt, localClock, parseClock, parseDays, type PlanConfig } from '../../src/config/plan.js';
import { DEFAULT_RATES, estimate, measuredRates, suggestCutover } from '../../src/services/estimate.js';
import { openStore } from '../../src/store/db.js';
import { MailboxRepo } from '../../src/store/mailbox-repo.js';
import { tempDataDir } from '../integration/helpers.js';

const rates = { messagesPerSecond: 10, bytesPerSecond: 1e6, basis: 'test' };
const noWindows: Pick<PlanConfig, 'windows' | 'timezone'> = { windows: [], timezone: 'UTC' };

test('days and clock times are parsed; bad ones are refused', () => {
  assert.deepEqual(parseDays('mon-fri'), [1, 2, 3, 4, 5]);
  assert.deepEqual(parseDays('fri-mon'), [0, 1, 5, 6]);
  assert.deepEqual(parseDays('sat, sun'), [0, 6]);
  assert.deepEqual(parseDays('daily'), [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(parseDays('someday'), undefined);
  assert.equal(parseClock('08:30'), 510);
  assert.equal(parseClock('24:00'), 1440);
  assert.equal(parseClock('25:00'), undefined);
  assert.equal(parseClock('8h'), undefined);
});

test('a window covers its days and hours in the project time zone, including one past midnight', () => {
  const plan = {
    timezone: 'Europe/Berlin',
    windows: [
      { days: [1, 2, 3, 4, 5], from: 8 * 60, to: 18 * 60, concurrency: 1 },
      { days: [5], from: 22 * 60, to: 6 * 60, concurrency: 9 },
    ],
  };
  // Monday 2026-11-23 09:00 in Berlin is 08:00 UTC.
  assert.deepEqual(localClock(new Date('2026-11-23T08:00:00Z'), 'Europe/Berlin'), { day: 1, minutes: 540 });
  assert.equal(concurrencyAt(new Date('2026-11-23T08:00:00Z'), plan, 4), 1);
  assert.equal(
    concurrencyAt(new Date('2026-11-23T18:00:00Z'), plan, 4),
    4,
    'outside every window: the project default',
  );
  // Saturday 03:00 Berlin: still Friday night's window.
  assert.equal(concurrencyAt(new Date('2026-11-28T02:00:00Z'), plan, 4), 9);
});

test('mailboxes run on as many lanes as allowed; the largest go first', () => {
  const work = [
    { mailbox: 'small', messages: 36_000, bytes: 0 }, // 1 h alone
    { mailbox: 'big', messages: 72_000, bytes: 0 }, // 2 h
    { mailbox: 'mid', messages: 36_000, bytes: 0 }, // 1 h
  ];
  const start = new Date('2026-11-23T00:00:00Z');
  const two = estimate(
    work,
    { concurrency: { mailboxes: 2, foldersPerMailbox: 1 }, limits: {} },
    noWindows,
    rates,
    start,
  );
  assert.equal(
    Math.round(two.hours! * 10) / 10,
    2,
    'big on one lane, small and mid one after the other on the other',
  );
  assert.equal(two.mailboxes.find((m) => m.mailbox === 'big')!.start!.toISOString(), start.toISOString());
  const one = estimate(
    work,
    { concurrency: { mailboxes: 1, foldersPerMailbox: 1 }, limits: {} },
    noWindows,
    rates,
    start,
  );
  assert.equal(Math.round(one.hours! * 10) / 10, 4);
  // A project-wide cap of 10 msg/s shared by two lanes: each runs at half speed.
  const capped = estimate(
    work,
    { concurrency: { mailboxes: 2, foldersPerMailbox: 1 }, limits: { messagesPerSecond: 10 } },
    noWindows,
    rates,
    start,
  );
  assert.ok(capped.hours! >= 3.9, `capped: ${capped.hours}`);
  // Bytes can be the limit instead of items.
  const heavy = estimate(
    [{ mailbox: 'x', messages: 1, bytes: 3.6e9 }],
    { concurrency: { mailboxes: 1, foldersPerMailbox: 1 }, limits: {} },
    noWindows,
    rates,
    start,
  );
  assert.equal(Math.round(heavy.hours!), 1);
});

test('a window that pauses work during business hours pushes the finish out', () => {
  const plan = {
    timezone: 'UTC',
    windows: [{ days: [1, 2, 3, 4, 5], from: 8 * 60, to: 18 * 60, concurrency: 0 }],
  };
  const start = new Date('2026-11-23T06:00:00Z'); // Monday 06:00
  const e = estimate(
    [{ mailbox: 'a', messages: 4 * 3600 * 10, bytes: 0 }], // 4 h
    { concurrency: { mailboxes: 1, foldersPerMailbox: 1 }, limits: {} },
    plan,
    rates,
    start,
  );
  // 2 h before 08:00, paused until 18:00, 2 h more: done at 20:00.
  assert.equal(e.finish!.toISOString().slice(0, 16), '2026-11-23T20:00');
  const never = estimate(
    [{ mailbox: 'a', messages: 10, bytes: 0 }],
    { concurrency: { mailboxes: 1, foldersPerMailbox: 1 }, limits: {} },
    { timezone: 'UTC', windows: [{ days: [0, 1, 2, 3, 4, 5, 6], from: 0, to: 1440, concurrency: 0 }] },
    rates,
    start,
  );
  assert.equal(never.finish, undefined);
});

test('the suggested cutover is a Friday 18:00 local, with room after the estimated finish', () => {
  const start = new Date('2026-11-23T09:00:00Z'); // Monday
  const s = suggestCutover(start, new Date('2026-11-23T12:00:00Z'), 'America/New_York');
  assert.deepEqual(localClock(s, 'America/New_York'), { day: 5, minutes: 18 * 60 });
  assert.ok(s.getTime() - start.getTime() >= 3 * 24 * 3600 * 1000);
  const long = suggestCutover(start, new Date('2026-12-03T09:00:00Z'), 'UTC'); // 10 days of work
  assert.ok(long.getTime() >= new Date('2026-12-08T09:00:00Z').getTime(), long.toISOString());
  assert.deepEqual(localClock(long, 'UTC'), { day: 5, minutes: 1080 });
});

test("rates are measured from the latest finished passes of the store (or a project's), else the defaults", async () => {
  const store = await openStore(tempDataDir());
  try {
    assert.equal((await measuredRates(store)).basis, DEFAULT_RATES.basis);
    const repo = new MailboxRepo(store.db);
    const id = await repo.upsert({ key: 'k', sourceUser: 'a', destUser: 'a', starred: false });
    await store.db
      .insertInto('passes')
      .values({
        mailbox_id: id,
        started_at: '2026-11-20T10:00:00.000Z',
        finished_at: '2026-11-20T10:01:40.000Z',
        status: 'done',
        copied: 2000,
        bytes: 100_000_000,
        error: null,
      })
      .execute();
    const r = await measuredRates(store);
    assert.equal(r.messagesPerSecond, 20);
    assert.equal(r.bytesPerSecond, 1_000_000);
    assert.match(r.basis, /measured on the latest 1 pass\(es\) in this store/);
    // A project's ETA rests on its own mailboxes' passes only: this one belongs to none.
    assert.equal((await measuredRates(store, 1)).basis, DEFAULT_RATES.basis);
  } finally {
    await store.close();
  }
});

test("the servers' connection caps bound the mailboxes at once", () => {
  const work = [1, 2, 3, 4].map((i) => ({ mailbox: `m${i}`, messages: 36_000, bytes: 0 })); // 1 h each
  const server = { maxConnections: 4 };
  const e = estimate(
    work,
    {
      concurrency: { mailboxes: 4, foldersPerMailbox: 1 },
      limits: {},
      source: server as never,
      destination: { maxConnections: 10 } as never,
    },
    noWindows,
    rates,
    new Date('2026-11-23T00:00:00Z'),
  );
  // 4 connections, 2 per mailbox: two mailboxes at a time, so two rounds of one hour.
  assert.equal(Math.round(e.hours! * 10) / 10, 2);
});
