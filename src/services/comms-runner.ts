/** Runs the communications every few minutes until stopped (the server starts it when SMTP is configured). */
import { setTimeout as sleep } from 'node:timers/promises';
import type { CommsService, TickReport } from './comms-service.js';

/** What the loop ticks (a CommsService, or a wrapper that finds the current project first). */
export type Ticker = Pick<CommsService, 'tick'>;

/** Tick `service` every `intervalMs` (default 5 minutes) until `signal` aborts; errors are reported, not fatal. */
export async function runComms(
  service: Ticker,
  opts: {
    signal: AbortSignal;
    intervalMs?: number;
    onTick?: (r: TickReport) => void;
    onError?: (err: unknown) => void;
  },
): Promise<void> {
  while (!opts.signal.aborted) {
    try {
      opts.onTick?.(await service.tick(new Date(), opts.signal));
    } catch (err) {
      opts.onError?.(err);
    }
    await sleep(opts.intervalMs ?? 300_000, undefined, { signal: opts.signal }).catch(() => undefined);
  }
}
