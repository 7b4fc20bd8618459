/**
 * Connection slots per server, and per user on a server, shared by every mailbox of a run. The allowance
 * adapts to what the server tolerates: a connection turned away (refused, reset before the greeting, a
 * per-user cap like Dovecot's mail_max_userip_connections) lowers it to one below what was in use; after a
 * quiet spell without refusals it rises again, one connection at a time, up to the configured maximum.
 * A lone request is always granted, so one worker can always run, however low the allowance falls.
 */
import { throwIfAborted } from '../errors.js';
import { sameServer, slotKey, type SlotPlace, type SlotServer, type Slots } from './slots.js';

/** After this long without a refusal, a lowered allowance rises by one. */
export const RAISE_AFTER_MS = 60_000;

interface Waiter {
  n: number;
  go: () => void;
}

/** One allowance: at most `limit` slots taken (FIFO, so big requests do not starve). */
class Gate {
  private taken = 0;
  private limit: number;
  private changed: number;
  private waiting: Waiter[] = [];

  constructor(
    private readonly max: number,
    private readonly raiseAfterMs: number,
    private readonly now: () => number,
  ) {
    this.limit = max;
    this.changed = now();
  }

  /** The allowance now, raised by one per quiet spell since the last change. */
  get allowed(): number {
    while (this.limit < this.max && this.now() - this.changed >= this.raiseAfterMs) {
      this.limit++;
      this.changed += this.raiseAfterMs;
    }
    return this.limit;
  }

  private fits(n: number): boolean {
    return this.taken === 0 || this.taken + n <= this.allowed;
  }

  async acquire(n: number, signal?: AbortSignal): Promise<() => void> {
    throwIfAborted(signal);
    if (this.waiting.length === 0 && this.fits(n)) this.taken += n;
    else
      await new Promise<void>((resolve, reject) => {
        const entry: Waiter = {
          n,
          go: () => {
            signal?.removeEventListener('abort', stop);
            resolve();
          },
        };
        const stop = () => {
          this.waiting = this.waiting.filter((w) => w !== entry);
          reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
          this.wake();
        };
        signal?.addEventListener('abort', stop, { once: true });
        this.waiting.push(entry);
      });
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.taken -= n;
      this.wake();
    };
  }

  /** Turned away while `taken` were in use: allow one fewer than that. */
  lower(): void {
    this.limit = Math.max(1, Math.min(this.allowed, this.taken) - 1);
    this.changed = this.now();
  }

  private wake(): void {
    while (this.waiting[0] && this.fits(this.waiting[0].n)) {
      const next = this.waiting.shift()!;
      this.taken += next.n;
      next.go();
    }
  }
}

/**
 * Connection slots per server (host:port) and per user on it, created on first use with the server's cap,
 * held in this process.
 */
export class ConnectionSlots implements Slots {
  private readonly gates = new Map<string, Gate>();

  constructor(private readonly opts: { raiseAfterMs?: number; now?: () => number } = {}) {}

  /** Whether two endpoints draw on the same server's slots. */
  static sameServer(a: { host: string; port: number }, b: { host: string; port: number }): boolean {
    return sameServer(a, b);
  }

  private gate(server: { host: string; port: number; maxConnections?: number }, user?: string): Gate {
    const key = slotKey(server, user);
    let g = this.gates.get(key);
    if (!g)
      this.gates.set(
        key,
        (g = new Gate(
          Math.max(1, server.maxConnections ?? 1000),
          this.opts.raiseAfterMs ?? RAISE_AFTER_MS,
          this.opts.now ?? Date.now,
        )),
      );
    return g;
  }

  /**
   * Take `count` slots on the server at once, and `perUser[user]` on each user's allowance there (in one
   * fixed order, so two workers never hold what the other waits for); call the result to give them back.
   */
  async acquire(
    server: SlotServer,
    signal?: AbortSignal,
    count = 1,
    perUser: Record<string, number> = {},
  ): Promise<() => void> {
    const releases = [await this.gate(server).acquire(count, signal)];
    try {
      for (const user of Object.keys(perUser).sort())
        releases.push(await this.gate(server, user).acquire(perUser[user]!, signal));
    } catch (err) {
      for (const r of releases) r();
      throw err;
    }
    return () => releases.reverse().forEach((r) => r());
  }

  /** The server turned a connection away: allow fewer to it (to that user on it, when `user` is set). */
  refused(where: SlotPlace): void {
    this.gate(where, where.user).lower();
  }

  /** How many connections the server (or a user on it) is allowed now. */
  allowance(where: SlotPlace): number {
    return this.gate(where, where.user).allowed;
  }
}
