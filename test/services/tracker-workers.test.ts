/** The tracker's workers line: working, silent (no heartbeat for 30 s), stopped within the hour, older ones left out. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { workersView } from '../../src/services/tracker-service.js';

test('workers are working, silent or stopped by their heartbeat and stop time', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  const at = (s: number) => new Date(now - s * 1000).toISOString();
  const row = (pid: number, heartbeat: number, stopped: number | null) => ({
    id: `w${pid}`,
    host: 'node-a',
    pid,
    started_at: at(7200),
    heartbeat_at: at(heartbeat),
    concurrency: 4,
    running: 3,
    stopped_at: stopped === null ? null : at(stopped),
  });
  const view = workersView([row(1, 2, null), row(2, 45, null), row(3, 600, 600), row(4, 7200, 7000)], now);
  assert.deepEqual(
    view.map((w) => [w.pid, w.state, w.running]),
    [
      [1, 'working', 3],
      [2, 'silent', 3],
      [3, 'stopped', 0],
    ],
  );
});
