/**
 * A worker: takes 'mailbox-pass' jobs of shared runs from the queue and runs them, finding each run in the
 * store, until told to stop. Stopping aborts the running mailboxes, which hand their slice back to the queue
 * (the ledger has every write), so another worker goes on from there.
 */
import { hostname } from 'node:os';
import type { ProgressSink } from '../engine/progress.js';
import { mailboxPassHandler } from '../runner/handlers/mailbox-pass.js';
import type { JobQueue } from '../runner/job.js';
import { SharedRuns, type ClusterLimits, type SharedRunDeps, type SharedTiming } from './shared-runs.js';

/** A worker's id: host and PID, which is what a person looking at the tracker recognises. */
export function workerId(): string {
  return `${hostname()}:${process.pid}`;
}

/** Progress of a worker as log lines (a worker has no terminal display; the tracker shows the rest). */
export function workerLog(write: (line: string) => void): ProgressSink {
  const labels = new Map<number, string>();
  const name = (id: number) => labels.get(id) ?? `mailbox ${id}`;
  return {
    started: (id, label) => {
      labels.set(id, label);
      write(`${label}: started`);
    },
    planned: () => undefined,
    advanced: () => undefined,
    note: (id, level, text) => level !== 'info' && write(`${name(id)}: ${level}: ${text}`),
    finished: (id, status) => write(`${name(id)}: ${status}`),
  };
}

/** Start working: the handler is registered on `queue` at `concurrency` mailboxes at once; stop() ends it. */
export function startWorker(
  deps: SharedRunDeps & {
    queue: JobQueue;
    concurrency: number;
    worker?: string;
    progress: ProgressSink;
    timing?: SharedTiming;
    cluster?: ClusterLimits;
  },
): { worker: string; stop(): Promise<void> } {
  const worker = deps.worker ?? workerId();
  const runs = new SharedRuns({ ...deps, worker });
  deps.queue.work('mailbox-pass', mailboxPassHandler(runs.resolve), { concurrency: deps.concurrency });
  return {
    worker,
    async stop() {
      await deps.queue.close();
      await runs.close();
    },
  };
}
