/**
 * The in-process JobQueue: jobs wait in memory in the order they were queued, each kind runs at most its
 * concurrency at once (a limit that can change while jobs wait, like a throttling window), start-after
 * times are kept by timers, and a singleton key keeps a second copy of a queued or running job out. A job
 * that asks to run again keeps its place in the order. Its timers do not keep the process alive unless
 * someone waits for the jobs (`settled`), so a CLI exits when its work is done.
 */
import { randomUUID } from 'node:crypto';
import type {
  EnqueueOptions,
  JobData,
  JobHandler,
  JobInfo,
  JobMatch,
  JobName,
  JobQueue,
  JobResult,
} from '../job.js';

/** How often jobs held back by a limit given as a function look at it again (a window opening). */
const RECHECK_MS = 2000;

interface Entry extends JobInfo {
  /** Order of first enqueue: a requeued job keeps it. */
  seq: number;
  startAfter: number;
  controller?: AbortController;
  cancelled?: boolean;
}

interface Worker {
  handler: JobHandler<JobName>;
  concurrency: number | (() => number);
  running: number;
}

/** The in-process queue; see the file header. */
export class LocalQueue implements JobQueue {
  private readonly waiting: Entry[] = [];
  private readonly running = new Set<Entry>();
  private readonly workers = new Map<JobName, Worker>();
  private readonly waiters: Array<{ match?: JobMatch; resolve: () => void }> = [];
  private readonly inFlight = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;
  private seq = 0;
  private closed = false;

  constructor(
    private readonly opts: {
      /** A handler threw (a bug: the job is dropped). Default: a process warning. */
      onFailed?: (job: JobInfo, err: unknown) => void;
      recheckMs?: number;
    } = {},
  ) {}

  async enqueue<N extends JobName>(
    name: N,
    data: JobData[N],
    opts: EnqueueOptions = {},
  ): Promise<string | undefined> {
    if (this.closed) return undefined;
    if (opts.singletonKey && this.all().some((e) => e.singletonKey === opts.singletonKey && !e.cancelled))
      return undefined;
    const entry: Entry = {
      id: randomUUID(),
      name,
      data: structuredClone(data),
      seq: this.seq++,
      startAfter: opts.startAfter?.getTime() ?? 0,
      ...(opts.singletonKey ? { singletonKey: opts.singletonKey } : {}),
    };
    this.insert(entry);
    this.pump();
    return entry.id;
  }

  work<N extends JobName>(
    name: N,
    handler: JobHandler<N>,
    opts: { concurrency: number | (() => number) },
  ): void {
    if (this.workers.has(name)) throw new Error(`A handler for "${name}" jobs is already registered.`);
    this.workers.set(name, {
      handler: handler as unknown as JobHandler<JobName>,
      concurrency: opts.concurrency,
      running: 0,
    });
    this.pump();
  }

  // async only for the interface: the jobs are dropped and aborted before it returns.
  async cancel(match: JobMatch): Promise<number> {
    let n = 0;
    for (let i = this.waiting.length - 1; i >= 0; i--)
      if (matches(this.waiting[i]!, match)) {
        this.waiting.splice(i, 1);
        n++;
      }
    for (const e of this.running)
      if (matches(e, match)) {
        e.cancelled = true;
        e.controller?.abort();
        n++;
      }
    this.settle();
    return n;
  }

  settled(match?: JobMatch): Promise<void> {
    if (!this.all().some((e) => !match || matches(e, match))) return Promise.resolve();
    this.timer?.ref(); // someone waits: a pending start-after keeps the process alive
    return new Promise((resolve) => this.waiters.push({ ...(match ? { match } : {}), resolve }));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.cancel(() => true);
    clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private all(): Entry[] {
    return [...this.waiting, ...this.running];
  }

  /** Keep `waiting` ordered by first enqueue. */
  private insert(entry: Entry): void {
    const i = this.waiting.findIndex((e) => e.seq > entry.seq);
    this.waiting.splice(i < 0 ? this.waiting.length : i, 0, entry);
  }

  /** Start every job that is due and has room; arm a timer for the next that is not. */
  private pump(): void {
    if (this.closed) return;
    const now = Date.now();
    let next = Infinity;
    for (const entry of [...this.waiting]) {
      const w = this.workers.get(entry.name);
      if (!w) continue;
      if (entry.startAfter > now) {
        next = Math.min(next, entry.startAfter);
        continue;
      }
      const limit = Math.max(
        0,
        Math.floor(typeof w.concurrency === 'number' ? w.concurrency : w.concurrency()),
      );
      if (w.running >= limit) {
        // A limit that is a function can rise while nothing finishes: look again shortly.
        if (typeof w.concurrency === 'function')
          next = Math.min(next, now + (this.opts.recheckMs ?? RECHECK_MS));
        continue;
      }
      this.waiting.splice(this.waiting.indexOf(entry), 1);
      this.start(entry, w);
    }
    this.arm(next);
  }

  private arm(at: number): void {
    if (at === this.timerAt) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === Infinity) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.pump();
      },
      Math.max(0, at - Date.now()),
    );
    if (!this.waiters.length) this.timer.unref();
  }

  private start(entry: Entry, w: Worker): void {
    entry.controller = new AbortController();
    this.running.add(entry);
    w.running++;
    const run = (async () => {
      let result: JobResult | undefined;
      try {
        result = await w.handler(entry.data, { signal: entry.controller!.signal, id: entry.id });
      } catch (err) {
        (this.opts.onFailed ?? warn)(info(entry), err);
      }
      this.running.delete(entry);
      w.running--;
      if (result?.status === 'retry' && !entry.cancelled && !this.closed) {
        if (result.data) entry.data = structuredClone(result.data);
        entry.startAfter = result.startAfter.getTime();
        delete entry.controller;
        this.insert(entry);
      }
      this.settle();
      this.pump();
    })();
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /** Wake whoever waits for jobs that are all gone now. */
  private settle(): void {
    const left = this.all();
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const { match, resolve } = this.waiters[i]!;
      if (!left.some((e) => !match || matches(e, match))) {
        this.waiters.splice(i, 1);
        resolve();
      }
    }
    if (!this.waiters.length) this.timer?.unref();
  }
}

function matches(e: JobInfo, match: JobMatch): boolean {
  return typeof match === 'string' ? e.singletonKey === match : match(info(e));
}

const info = (e: JobInfo): JobInfo => ({
  id: e.id,
  name: e.name,
  data: e.data,
  ...(e.singletonKey ? { singletonKey: e.singletonKey } : {}),
});

function warn(job: JobInfo, err: unknown): void {
  process.emitWarning(
    `The ${job.name} job ${job.id} failed: ${err instanceof Error ? err.stack : String(err)}`,
  );
}
