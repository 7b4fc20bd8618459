/**
 * A pass a server runs in its own process, kept in the shared store as a run (a `local` row) so that every
 * other server sees it: each mailbox's start and end are written there (in order, off the engine's path), the
 * run's heartbeat is renewed while it runs, and a pause made elsewhere (the row turned 'cancelled') is seen
 * at once through the store's signals, or at the next heartbeat where there are none.
 */
import type { ProgressSink } from '../engine/progress.js';
import type { Store } from '../store/store.js';
import { RunRepo } from '../store/run-repo.js';
import type { MailboxOutcome } from './mailbox-endpoints.js';
import { RunWake } from './run-wake.js';

export class LocalRunRecord implements Pick<ProgressSink, 'finished'> {
  private readonly runs: RunRepo;
  /** The store's writes, one after the other (a mailbox's end never lands before its start). */
  private writes: Promise<unknown> = Promise.resolve();
  private readonly wake: RunWake;
  private over = false;
  private watching: Promise<void> = Promise.resolve();

  constructor(
    store: Store,
    /** The run's id in the store. */
    readonly runId: string,
    private readonly opts: { worker: string; heartbeatMs: number; onCancelled: () => void },
  ) {
    this.runs = new RunRepo(store.db, store.dialect);
    // Only the run's own changes (a pause): its mailboxes' starts and ends are this process's own writes.
    this.wake = new RunWake(store, (c) => c.runId === runId && c.kind === 'run');
  }

  /** Renew the heartbeat and watch for a pause from elsewhere until `end`. */
  start(): void {
    this.watching = this.watch();
  }

  started(mailboxId: number): void {
    this.write(() => this.runs.started(this.runId, mailboxId, this.opts.worker));
  }

  finished(mailboxId: number, status: string): void {
    const state = status === 'done' || status === 'failed' ? status : 'stopped';
    this.write(() => this.runs.ended(this.runId, mailboxId, { state }));
  }

  /** The pass is over: each mailbox's outcome, and what never ran stopped; the run is over in the store. */
  async end(outcomes: MailboxOutcome[]): Promise<void> {
    this.over = true;
    this.wake.close();
    await this.watching;
    await this.writes;
    for (const o of outcomes)
      await this.runs.ended(this.runId, o.mailboxId, {
        state: o.status,
        ...(o.counters ? { counters: o.counters } : {}),
        ...(o.error ? { error: o.error } : {}),
      });
    // Mailboxes that never started (a pause, a failure of the whole pass) are stopped; the run is over.
    await this.runs.cancel(this.runId);
    for (const m of await this.runs.mailboxes(this.runId))
      if (m.state === 'running') await this.runs.ended(this.runId, m.mailboxId, { state: 'stopped' });
  }

  private write(op: () => Promise<void>): void {
    // A lost write only shows late elsewhere: the end writes every outcome again.
    this.writes = this.writes.then(op).catch(() => undefined);
  }

  private async watch(): Promise<void> {
    while (!this.over) {
      const state = await this.runs.touch(this.runId).catch(() => 'running');
      if (state === 'cancelled' && !this.over) this.opts.onCancelled();
      await this.wake.wait(this.opts.heartbeatMs);
    }
  }
}
