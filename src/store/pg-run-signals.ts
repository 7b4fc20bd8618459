/**
 * Run changes over PostgreSQL's LISTEN/NOTIFY: run-repo's state changes send `pg_notify('cutover_runs',
 * '<run id> <project id> <run|mailbox>')` inside their own transaction (delivered at commit), and this one connection per
 * process listens for every follower in it — a waiter, a server's live events, a worker's pause check.
 * The connection is opened by the first subscriber and kept until the store closes; a connection that is
 * lost is opened again, and its subscribers are told to look again (a notification sent meanwhile is lost).
 */
import pg from 'pg';
import { clientConfig } from './pg-config.js';
import { RUN_CHANNEL } from './run-repo.js';
import type { RunChange, RunSignals } from './store.js';

/** How long to wait before opening a lost listening connection again. */
const RECONNECT_MS = 2_000;

/** A change that says "something may have changed": listening was interrupted. */
export const ANY_CHANGE: RunChange = { runId: '', projectId: null, kind: 'run' };

/** The payload run-repo sends: '<run id> <project id, empty for none> <run|mailbox>'. */
export function parseRunChange(payload: string | undefined): RunChange | undefined {
  const m = /^(\S+) (\d*) (run|mailbox)$/.exec(payload ?? '');
  return m
    ? { runId: m[1]!, projectId: m[2] ? Number(m[2]) : null, kind: m[3] as RunChange['kind'] }
    : undefined;
}

export class PgRunSignals implements RunSignals {
  private readonly subscribers = new Set<(c: RunChange) => void>();
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly url: string) {}

  subscribe(fn: (change: RunChange) => void): () => void {
    this.subscribers.add(fn);
    if (!this.client && !this.retry) void this.listen(false);
    return () => void this.subscribers.delete(fn);
  }

  /** Stop listening (the store closes). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }

  private async listen(again: boolean): Promise<void> {
    this.retry = undefined;
    if (this.closed) return;
    const client = new pg.Client(clientConfig(this.url));
    this.client = client;
    const lost = () => {
      if (this.client !== client) return;
      this.client = undefined;
      void client.end().catch(() => undefined);
      if (!this.closed) this.retry = setTimeout(() => void this.listen(true), RECONNECT_MS).unref();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n) => {
      const change = n.channel === RUN_CHANNEL ? parseRunChange(n.payload) : undefined;
      if (change) this.tell(change);
    });
    try {
      await client.connect();
      await client.query(`listen ${RUN_CHANNEL}`);
    } catch {
      lost(); // followers keep polling meanwhile
      return;
    }
    if (again) this.tell(ANY_CHANGE);
  }

  private tell(change: RunChange): void {
    for (const fn of this.subscribers) {
      try {
        fn(change);
      } catch {
        /* a subscriber's failure is its own */
      }
    }
  }
}
