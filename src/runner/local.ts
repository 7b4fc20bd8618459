/** The local runner: runs mailbox jobs in-process, a few at a time, in the order given. */
import { setTimeout as sleep } from 'node:timers/promises';
import { throwIfAborted } from '../errors.js';

/** How often a waiting pool looks at a changing limit (a throttling window that opens or closes). */
const RECHECK_MS = 2000;

/**
 * Run `tasks` with at most `limit` at once; never rejects: each result is settled. `limit` may be a
 * function (a throttling window in force now): it is looked at before each task starts, so a lower limit
 * holds back new tasks within seconds (running ones finish), and 0 pauses until the window changes.
 */
export async function runPool<T>(
  tasks: Array<() => Promise<T>>,
  limit: number | (() => number),
  signal?: AbortSignal,
  recheckMs = RECHECK_MS,
): Promise<PromiseSettledResult<T>[]> {
  const results = new Array<PromiseSettledResult<T>>(tasks.length);
  const current = () => Math.max(0, Math.floor(typeof limit === 'number' ? limit : limit()));
  let next = 0;
  const worker = async (slot: number) => {
    for (;;) {
      if (next >= tasks.length) return;
      // This worker may start a task only while its slot is within the limit in force.
      if (slot >= current()) {
        if (signal?.aborted) return;
        await sleep(recheckMs, undefined, { signal }).catch(() => undefined);
        continue;
      }
      const i = next++;
      try {
        throwIfAborted(signal);
        results[i] = { status: 'fulfilled', value: await tasks[i]!() };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  // As many workers as the highest limit could ask for; the limit decides how many run.
  const most = typeof limit === 'number' ? limit : Math.max(limit(), 64);
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(most, tasks.length)) }, (_, slot) => worker(slot)),
  );
  // Tasks never started because the run was stopped while paused count as stopped.
  for (let i = 0; i < tasks.length; i++)
    results[i] ??= { status: 'rejected', reason: new Error('stopped before it started') };
  return results;
}
