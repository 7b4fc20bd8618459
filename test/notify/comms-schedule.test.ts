/** The message windows derived from the plan: reminder evenings in the plan's time zone (also across a DST change), and windows that close. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPlan, fromZonedWallTime, type PlanConfig } from '../../src/config/plan.js';
import { commsSchedule, dueWindows } from '../../src/services/comms-schedule.js';

const TZ = 'Europe/Berlin';
const local = (m: number, d: number, h: number, min = 0) => fromZonedWallTime([2026, m, d, h, min], TZ);
const plan = (over: Partial<PlanConfig> = {}): PlanConfig => ({
  ...defaultPlan(),
  timezone: TZ,
  communications: 'users',
  notifyFrom: local(10, 20, 9),
  cutoverAt: local(10, 31, 18),
  ...over,
});
const due = (p: PlanConfig, t: Date) => dueWindows(p, t).map((w) => w.event);

test('announcement from notifyFrom; the first reminder the next evening at 18:00 local; one key per evening', () => {
  const p = plan();
  assert.deepEqual(due(p, local(10, 20, 8, 59)), []);
  assert.deepEqual(due(p, local(10, 20, 9)), ['announcement']);
  assert.deepEqual(due(p, local(10, 20, 18, 30)), ['announcement'], 'not the evening of the announcement');
  assert.deepEqual(due(p, local(10, 21, 17, 59)), ['announcement']);
  assert.deepEqual(due(p, local(10, 21, 18)), ['announcement', 'reminder:2026-10-21']);
  assert.deepEqual(
    due(p, local(10, 22, 0, 30)),
    ['announcement'],
    "an evening's reminder is not sent after midnight",
  );
  assert.deepEqual(due(p, local(10, 22, 23, 59)), ['announcement', 'reminder:2026-10-22']);
});

test('across the end of summer time (25 October 2026) the reminder stays at 18:00 local', () => {
  const p = plan();
  for (const d of [24, 25, 26]) {
    const at = local(10, d, 18);
    const [w] = commsSchedule(p, at).filter((x) => x.kind === 'reminder');
    assert.equal(w!.from.toISOString(), at.toISOString());
    assert.equal(w!.event, `reminder:2026-10-${d}`);
  }
  assert.equal(local(10, 24, 18).toISOString(), '2026-10-24T16:00:00.000Z');
  assert.equal(local(10, 26, 18).toISOString(), '2026-10-26T17:00:00.000Z');
});

test('pre-cutover in the 24 hours before, DNS change for two days after, no reminders after the cutover or outside credentials mode', () => {
  const p = plan();
  assert.deepEqual(due(p, local(10, 30, 17, 59)), ['announcement']);
  assert.deepEqual(due(p, local(10, 30, 18, 30)), ['announcement', 'reminder:2026-10-30', 'pre-cutover']);
  assert.deepEqual(due(p, local(10, 31, 18)), ['dns-change']);
  assert.deepEqual(due(p, local(11, 2, 17, 59)), ['dns-change']);
  assert.deepEqual(due(p, local(11, 2, 18)), []);
  assert.deepEqual(due(plan({ mode: 'admin' }), local(10, 22, 19)), ['announcement']);
});

test('completion once the final sync is done, for the catch-up days and one more', () => {
  const p = plan({ catchUpDays: 2 });
  const final = local(10, 31, 23);
  assert.deepEqual(
    dueWindows(p, local(11, 1, 8), final).map((w) => w.event),
    ['dns-change', 'completion'],
  );
  assert.deepEqual(
    dueWindows(p, local(11, 3, 22, 59), final).map((w) => w.event),
    ['completion'],
  );
  assert.deepEqual(
    dueWindows(p, local(11, 3, 23, 1), final).map((w) => w.event),
    [],
  );
});
