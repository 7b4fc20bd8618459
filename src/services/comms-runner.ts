/**
 * Runs the communications every few minutes until stopped (the server starts it when SMTP is configured):
 * a 'comms-tick' job that sends what is due and queues itself again for the next interval, one at a time
 * (singleton key), instead of a loop that sleeps.
 */
import type { JobHandler, JobQueue } from '../runner/job.js';
import { LocalQueue } from '../runner/local/local-queue.js';
import type { CommsService, TickReport } from './comms-service.js';

/** What the loop ticks (a CommsService, or a wrapper that finds the current project first). */
export type Ticker = Pick<CommsService, 'tick'>;

/** The one comms tick of a queue. */
const KEY = 'comms-tick';

/** Tick `service` every `intervalMs` (default 5 minutes) until `signal` aborts; errors are reported, not fatal. */
export async function runComms(
  service: Ticker,
  opts: {
    signal: AbortSignal;
    intervalMs?: number;
    onTick?: (r: TickReport) => void;
    onError?: (err: unknown) => void;
    /** The queue the ticks go to (default: one of its own); it must have no other 'comms-tick' handler. */
    queue?: JobQueue;
  },
): Promise<void> {
  if (opts.signal.aborted) return;
  const queue = opts.queue ?? new LocalQueue();
  queue.work('comms-tick', commsTick(service, opts), { concurrency: 1 });
  const stop = () => void queue.cancel(KEY);
  opts.signal.addEventListener('abort', stop, { once: true });
  try {
    await queue.enqueue('comms-tick', { intervalMs: opts.intervalMs ?? 300_000 }, { singletonKey: KEY });
    await queue.settled(KEY);
  } finally {
    opts.signal.removeEventListener('abort', stop);
    if (!opts.queue) await queue.close();
  }
}

/** The 'comms-tick' handler: one tick, then again after the interval. */
function commsTick(
  service: Ticker,
  opts: { signal: AbortSignal; onTick?: (r: TickReport) => void; onError?: (err: unknown) => void },
): JobHandler<'comms-tick'> {
  return async (data) => {
    try {
      opts.onTick?.(await service.tick(new Date(), opts.signal));
    } catch (err) {
      opts.onError?.(err);
    }
    if (opts.signal.aborted) return { status: 'done' };
    return { status: 'retry', startAfter: new Date(Date.now() + data.intervalMs) };
  };
}
