/**
 * Permits held for every worker sharing one PostgreSQL database, as leases (store/limit-lease-repo.ts: one
 * row per permit held, claimed without a lock every taker of the key would wait on): one process (one
 * PgLeases) is one holder, whose heartbeat renews all its rows every third of the lease; a process that
 * dies stops renewing, and what it held is free again when its lease runs out.
 * Waiting is a poll (every `pollMs`, jittered) by the first local request per key only: later local ones
 * queue in this process behind it, in order, so a process keeps at most one place in line per key and
 * polls once per key however many lanes wait. A local release wakes the local line at once. Aborting a
 * wait leaves the line (the row is deleted) and rejects.
 */
import { randomUUID } from 'node:crypto';
import { AbortError, ErrorCode, PermanentError, TransientError } from '../../errors.js';
import { LimitLeaseRepo } from '../../store/limit-lease-repo.js';
import { limitsDb, type LimitsDb, type PgTarget } from './pg-db.js';

/** How long a lease lasts without a heartbeat: a killed worker's permits are free again after this. */
export const LEASE_MS = 30_000;
/** How often a waiting request looks again. */
export const POLL_MS = 250;

export interface PgLeaseOptions {
  leaseMs?: number;
  pollMs?: number;
  /** A quiet spell this long raises a lowered allowance by one (connection-slots.ts RAISE_AFTER_MS). */
  raiseAfterMs?: number;
}

/** A local line per key: the head talks to the database; `wake` cuts its poll short. */
interface Line {
  waiting: Array<() => void>;
  busy: boolean;
  wake?: () => void;
}

export class PgLeases {
  /** This process's name on its rows. */
  readonly holder = randomUUID();
  readonly leaseMs: number;
  readonly pollMs: number;
  readonly raiseAfterMs: number;
  private readonly handle: LimitsDb;
  private readonly repo: LimitLeaseRepo;
  private readonly lines = new Map<string, Line>();
  /** Releases the database has not confirmed yet: retried at each heartbeat, or the heartbeat keeps them. */
  private readonly unreleased = new Set<string>();
  private readonly pending = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private closed = false;

  /** `target`: a pool or URL, or a handle another object owns (then left open on close). */
  constructor(target: PgTarget | LimitsDb, opts: PgLeaseOptions = {}) {
    this.handle =
      typeof target === 'object' && 'db' in target
        ? { db: target.db, close: async () => {} }
        : limitsDb(target);
    this.repo = new LimitLeaseRepo(this.handle.db);
    this.leaseMs = opts.leaseMs ?? LEASE_MS;
    this.pollMs = opts.pollMs ?? POLL_MS;
    this.raiseAfterMs = opts.raiseAfterMs ?? 60_000;
  }

  /** Hold `count` permits of `key` (of at most `max`); resolves with the function that gives them back. */
  async acquire(key: string, max: number, count: number, signal?: AbortSignal): Promise<() => void> {
    if (this.closed)
      throw new PermanentError(
        ErrorCode.Internal,
        `Permits of ${key} were asked for after the shared limits were closed.`,
        'Close the limits only after the run has finished.',
      );
    stopIfAborted(signal);
    const line = await this.enter(key, signal);
    let id: string;
    try {
      id = await this.wait(key, line, max, count, signal);
    } finally {
      this.leave(key, line);
    }
    this.beat();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.unreleased.add(id);
      this.track(
        this.repo.release(id).then(
          () => void this.unreleased.delete(id),
          () => undefined, // retried at the next heartbeat
        ),
      );
      this.lines.get(key)?.wake?.();
    };
  }

  /** The server behind `key` turned a connection away: lower the shared allowance. */
  lower(key: string, max: number): Promise<number> {
    return guarded(() => this.repo.lower(key, max, this.raiseAfterMs));
  }

  /** The shared allowance of `key` now. */
  allowance(key: string, max: number): Promise<number> {
    return guarded(() => this.repo.allowance(key, max, this.raiseAfterMs));
  }

  /** Stop the heartbeat and give back everything this process holds or waits for. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await Promise.all(this.pending);
    await this.repo.dropHolder(this.holder).catch(() => undefined);
    await this.handle.close();
  }

  /** Until this request heads the local line of `key`. */
  private async enter(key: string, signal?: AbortSignal): Promise<Line> {
    let line = this.lines.get(key);
    if (!line) this.lines.set(key, (line = { waiting: [], busy: false }));
    if (!line.busy) {
      line.busy = true;
      return line;
    }
    const l = line;
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', stop);
        resolve();
      };
      const stop = () => {
        l.waiting = l.waiting.filter((w) => w !== go);
        reject(abortReason(signal));
      };
      signal?.addEventListener('abort', stop, { once: true });
      l.waiting.push(go);
    });
    return l;
  }

  /** The head is done (granted or given up): the next local request heads the line. */
  private leave(key: string, line: Line): void {
    line.wake = undefined;
    const next = line.waiting.shift();
    if (next) next();
    else {
      line.busy = false;
      this.lines.delete(key);
    }
  }

  /** Take, or keep a place in line and look again, until granted; the lease's name. */
  private async wait(
    key: string,
    line: Line,
    max: number,
    count: number,
    signal?: AbortSignal,
  ): Promise<string> {
    let waiting: number | undefined;
    try {
      for (;;) {
        stopIfAborted(signal);
        const r = await guarded(() =>
          this.repo.take({
            key,
            max,
            count,
            holder: this.holder,
            leaseMs: this.leaseMs,
            raiseAfterMs: this.raiseAfterMs,
            waiting,
          }),
        );
        if (r.granted) return r.lease;
        waiting = r.waiting;
        this.beat();
        await this.pause(line, signal);
      }
    } catch (err) {
      if (waiting !== undefined) await this.repo.leave(waiting).catch(() => undefined); // else it expires
      throw err;
    }
  }

  /** One poll interval (jittered), cut short by a local release or an abort. */
  private pause(line: Line, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        clearTimeout(t);
        signal?.removeEventListener('abort', stop);
        line.wake = undefined;
      };
      const t = setTimeout(
        () => {
          done();
          resolve();
        },
        this.pollMs * (0.5 + Math.random()),
      );
      const stop = () => {
        done();
        reject(abortReason(signal));
      };
      line.wake = () => {
        done();
        resolve();
      };
      signal?.addEventListener('abort', stop, { once: true });
    });
  }

  /** Start the heartbeat (once): renew this holder's rows, retry releases that failed. */
  private beat(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(
      () => {
        for (const id of this.unreleased)
          this.track(
            this.repo.release(id).then(
              () => void this.unreleased.delete(id),
              () => undefined,
            ),
          );
        this.track(
          this.repo.renew(this.holder, this.leaseMs).then(
            () => undefined,
            () => undefined,
          ),
        );
        // Killed workers' rows no longer count; deleting them only keeps the tables small.
        this.track(this.repo.sweep().catch(() => undefined));
      },
      Math.max(50, Math.floor(this.leaseMs / 3)),
    );
    this.timer.unref();
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }
}

function abortReason(signal?: AbortSignal): Error {
  return signal?.reason instanceof Error ? signal.reason : new AbortError();
}

function stopIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw abortReason(signal);
}

/** A database call, its failure said as a transient error (the retry policy waits and tries again). */
async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new TransientError(
      ErrorCode.ConnectionLost,
      `The shared limits in PostgreSQL could not be read or written (${(err as Error).message}).`,
      'Cutover retries on its own; check that the database is up and reachable from this worker.',
      { cause: err },
    );
  }
}
