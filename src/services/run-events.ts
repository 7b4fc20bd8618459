/**
 * Live progress of one project's run for the tracker: a ProgressSink (what the CLI display also gets) that
 * keeps per-mailbox progress, samples throughput, knows which mailboxes are throttled now, and sends
 * coalesced events to subscribers — at most one progress batch per interval however busy the run is.
 */
import type { ProgressSink } from '../engine/progress.js';

/** One mailbox's progress in the current run. */
export interface MailboxProgress {
  mailboxId: number;
  label: string;
  planned: number;
  done: number;
  bytes: number;
  status: string;
  throttledUntil: string | null;
}

/** A throughput sample over the interval that ended at `at`. */
export interface ThroughputSample {
  at: string;
  messagesPerSecond: number;
  bytesPerSecond: number;
}

/** What subscribers receive. */
export type RunEvent =
  | { type: 'run-started'; data: { projectId: number; mailboxIds: number[]; at: string } }
  | {
      type: 'run-finished';
      data: { projectId: number; at: string; done: number; failed: number; stopped: number };
    }
  | { type: 'progress'; data: { mailboxes: MailboxProgress[] } }
  | { type: 'throughput'; data: ThroughputSample & { throttledMailboxIds: number[] } }
  | { type: 'alert'; data: { alertId: number; change: 'raised' | 'changed' } };

type Listener = (e: RunEvent) => void;

const THROTTLE_NOTE = /throttled by the server, waiting (\d+) s/;
/** Samples kept for the throughput chart (at the default 1 s interval: the last two hours). */
const HISTORY = 7200;

export class RunEvents implements ProgressSink {
  private readonly listeners = new Set<Listener>();
  private readonly mailboxes = new Map<number, MailboxProgress>();
  private readonly dirty = new Set<number>();
  private readonly history: ThroughputSample[] = [];
  private items = 0;
  private bytes = 0;
  private last = Date.now();
  private timer: NodeJS.Timeout | undefined;

  /** `intervalMs`: how often pending progress and a throughput sample go out while a run is going. */
  constructor(private readonly intervalMs = 1000) {}

  /** Receive events until the returned function is called. */
  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Send an event to every subscriber now (run started/finished, alerts). */
  emit(e: RunEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** A run begins: progress starts afresh and samples flow every interval. */
  begin(): void {
    this.mailboxes.clear();
    this.dirty.clear();
    [this.items, this.bytes, this.last] = [0, 0, Date.now()];
    clearInterval(this.timer);
    this.timer = setInterval(() => this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** The run ended: last progress out, sampling stops. */
  end(): void {
    this.flush();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Progress of every mailbox seen in the current (or last) run. */
  snapshot(): MailboxProgress[] {
    return [...this.mailboxes.values()].map((m) => ({ ...m, throttledUntil: this.throttled(m) }));
  }

  /** Throughput samples, oldest first. */
  samples(): ThroughputSample[] {
    return [...this.history];
  }

  /** Mailboxes throttled by a server right now. */
  throttledNow(): number[] {
    return [...this.mailboxes.values()].filter((m) => this.throttled(m)).map((m) => m.mailboxId);
  }

  started(mailboxId: number, label: string): void {
    this.entry(mailboxId, label);
  }

  planned(mailboxId: number, label: string, messages: number): void {
    const m = this.entry(mailboxId, label);
    m.planned = messages;
    m.status = 'running';
  }

  advanced(mailboxId: number, items: number, bytesCopied: number): void {
    const m = this.entry(mailboxId);
    m.done += items;
    m.bytes += bytesCopied;
    this.items += items;
    this.bytes += bytesCopied;
  }

  note(mailboxId: number, _level: 'info' | 'warn' | 'error', text: string): void {
    const wait = THROTTLE_NOTE.exec(text);
    if (wait)
      this.entry(mailboxId).throttledUntil = new Date(Date.now() + Number(wait[1]) * 1000).toISOString();
  }

  finished(mailboxId: number, status: string): void {
    const m = this.entry(mailboxId);
    m.status = status;
    m.throttledUntil = null;
  }

  private entry(mailboxId: number, label?: string): MailboxProgress {
    let m = this.mailboxes.get(mailboxId);
    if (!m) {
      m = {
        mailboxId,
        label: label ?? String(mailboxId),
        planned: 0,
        done: 0,
        bytes: 0,
        status: 'running',
        throttledUntil: null,
      };
      this.mailboxes.set(mailboxId, m);
    } else if (label) m.label = label;
    this.dirty.add(mailboxId);
    return m;
  }

  private throttled(m: MailboxProgress): string | null {
    return m.throttledUntil && m.throttledUntil > new Date().toISOString() ? m.throttledUntil : null;
  }

  private flush(): void {
    const now = Date.now();
    const seconds = Math.max((now - this.last) / 1000, 0.001);
    const sample = {
      at: new Date(now).toISOString(),
      messagesPerSecond: this.items / seconds,
      bytesPerSecond: this.bytes / seconds,
    };
    [this.items, this.bytes, this.last] = [0, 0, now];
    this.history.push(sample);
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    if (this.dirty.size) {
      const changed = [...this.dirty].map((id) => this.mailboxes.get(id)!);
      this.dirty.clear();
      this.emit({
        type: 'progress',
        data: { mailboxes: changed.map((m) => ({ ...m, throttledUntil: this.throttled(m) })) },
      });
    }
    this.emit({ type: 'throughput', data: { ...sample, throttledMailboxIds: this.throttledNow() } });
  }
}
