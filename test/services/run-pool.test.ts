/** The local runner's pool under a limit that changes (throttling windows opening and closing). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { runPool } from '../../src/runner/local.js';

/** Tasks that record how many run at once and when each started. */
function tracked(n: number, ms: number) {
  let running = 0;
  const log: Array<{ at: number; running: number }> = [];
  const t0 = Date.now();
  const tasks = Array.from({ length: n }, (_, i) => async () => {
    running++;
    log.push({ at: Date.now() - t0, running });
    await sleep(ms);
    running--;
    return i;
  });
  return { tasks, log };
}

test('a fixed limit runs that many at once, every task once', async () => {
  const { tasks, log } = tracked(7, 20);
  const r = await runPool(tasks, 3);
  assert.deepEqual(
    r.map((x) => (x.status === 'fulfilled' ? x.value : -1)),
    [0, 1, 2, 3, 4, 5, 6],
  );
  assert.equal(Math.max(...log.map((l) => l.running)), 3);
});

test('a paused window (0) holds every task back until it opens; a lower limit holds back new starts', async () => {
  const t0 = Date.now();
  let open = false;
  let lowered = false;
  let running = 0;
  let afterDrop = 0;
  let maxAfterDrop = 0;
  let maxRunning = 0;
  const starts: number[] = [];
  const tasks = Array.from({ length: 12 }, (_, i) => async () => {
    starts.push(Date.now() - t0);
    const late = lowered;
    running++;
    maxRunning = Math.max(maxRunning, running);
    if (late) maxAfterDrop = Math.max(maxAfterDrop, ++afterDrop);
    if (i === 4) lowered = true; // the window changes while work runs
    await sleep(15);
    running--;
    if (late) afterDrop--;
  });
  setTimeout(() => (open = true), 120);
  const r = await runPool(tasks, () => (!open ? 0 : lowered ? 1 : 3), undefined, 10);
  assert.ok(r.every((x) => x.status === 'fulfilled'));
  assert.ok(starts[0]! >= 110, `first start at ${starts[0]} ms, while paused`);
  assert.equal(maxRunning, 3);
  assert.equal(maxAfterDrop, 1, 'after the drop, new starts run one at a time');
});

test('a stop while paused ends the pool; tasks never started are reported as not run', async () => {
  const { tasks } = tracked(3, 10);
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 50);
  const r = await runPool(tasks, () => 0, stop.signal, 10);
  assert.ok(r.every((x) => x.status === 'rejected'));
});
