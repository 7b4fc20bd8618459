/**
 * The terminal progress display: per mailbox and overall — messages, bytes, msgs/s, MB/s, ETA.
 * On a TTY it redraws a block in place; otherwise it prints plain log lines every few seconds.
 */
import type { ProgressSink } from '../engine/progress.js';

interface Row {
  label: string;
  total: number;
  done: number;
  bytes: number;
  started: number;
  status: string;
}

const mb = (b: number) => (b / 1024 / 1024).toFixed(1);
const dur = (s: number) =>
  !isFinite(s) || s < 0
    ? '?'
    : s >= 3600
      ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
      : s >= 60
        ? `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`
        : `${Math.ceil(s)}s`;

/** Format one progress line. */
export function formatLine(
  label: string,
  r: { total: number; done: number; bytes: number; elapsedS: number; status?: string },
): string {
  const rate = r.elapsedS > 0 ? r.done / r.elapsedS : 0;
  const eta = rate > 0 ? (r.total - r.done) / rate : NaN;
  const pct = r.total ? Math.min(100, Math.floor((r.done / r.total) * 100)) : 100;
  return `${label.padEnd(28).slice(0, 28)} ${String(pct).padStart(3)}%  ${r.done}/${r.total} msgs  ${mb(r.bytes)} MB  ${rate.toFixed(1)} msg/s  ${mb(r.elapsedS > 0 ? r.bytes / r.elapsedS : 0)} MB/s  ETA ${r.status && r.status !== 'running' ? r.status : dur(eta)}`;
}

export class ProgressDisplay implements ProgressSink {
  private rows = new Map<number, Row>();
  private readonly start = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private drawn = 0;
  private notes: string[] = [];

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly tty = Boolean(process.stderr.isTTY) && process.env.TERM !== 'dumb',
  ) {
    this.timer = setInterval(() => this.render(), this.tty ? 250 : 5000);
    this.timer.unref();
  }

  started(id: number, label: string): void {
    if (!this.rows.has(id))
      this.rows.set(id, { label, total: 0, done: 0, bytes: 0, started: Date.now(), status: 'running' });
  }
  planned(id: number, label: string, messages: number): void {
    this.rows.set(id, { label, total: messages, done: 0, bytes: 0, started: Date.now(), status: 'running' });
  }
  advanced(id: number, items: number, bytes: number): void {
    const r = this.rows.get(id);
    if (!r) return;
    r.done += items;
    r.bytes += bytes;
  }
  note(id: number, level: 'info' | 'warn' | 'error', text: string): void {
    const label = this.rows.get(id)?.label ?? `mailbox ${id}`;
    this.notes.push(
      `${level === 'error' ? 'ERROR' : level === 'warn' ? 'warn ' : 'info '} ${label}: ${text}`,
    );
    if (!this.tty) this.flushNotes();
  }
  finished(id: number, status: string): void {
    const r = this.rows.get(id);
    if (r) {
      r.status = status;
      if (status === 'done') r.done = Math.max(r.done, r.total);
    }
    if (!this.tty && r)
      this.out.write(formatLine(r.label, { ...r, elapsedS: (Date.now() - r.started) / 1000 }) + '\n');
  }

  /** Final render and stop the timer. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.render(true);
  }

  private flushNotes(): void {
    for (const n of this.notes.splice(0)) this.out.write(n + '\n');
  }

  private render(final = false): void {
    const lines: string[] = [];
    let total = 0,
      done = 0,
      bytes = 0;
    for (const r of this.rows.values()) {
      total += r.total;
      done += r.done;
      bytes += r.bytes;
      if (this.tty && (r.status === 'running' || final))
        lines.push(formatLine(r.label, { ...r, elapsedS: (Date.now() - r.started) / 1000 }));
    }
    const overall = formatLine(`ALL (${this.rows.size} mailbox${this.rows.size === 1 ? '' : 'es'})`, {
      total,
      done,
      bytes,
      elapsedS: (Date.now() - this.start) / 1000,
    });
    if (!this.tty) {
      this.flushNotes();
      if (this.rows.size) this.out.write(overall + '\n');
      return;
    }
    // Move up over the previous block, print notes above it, then redraw.
    if (this.drawn) this.out.write(`\x1b[${this.drawn}A\x1b[J`);
    this.flushNotes();
    const block = [...lines.slice(0, 12), overall];
    this.out.write(block.join('\n') + '\n');
    this.drawn = final ? 0 : block.length;
  }
}
