/**
 * Graph allows at most 4 concurrent requests per mailbox (per app); a fifth is answered 429. Every
 * connection Cutover opens to one mailbox in this process shares one gate, so lanes and folders together
 * never exceed it. A $batch takes one permit per request inside it. With the application's shared-limits
 * hook, a request also takes the mailbox's permits there, so workers on several machines hold it together
 * (graph-shared-limits.ts).
 */
import { AbortError } from '../../errors.js';

/** Graph's documented per-mailbox concurrency limit. */
export const MAILBOX_CONCURRENCY = 4;

/** A counting semaphore with multi-permit, first-come-first-served acquisition. */
export class MailboxGate {
  private free: number;
  private readonly queue: Array<{ n: number; go: () => void }> = [];

  constructor(readonly size = MAILBOX_CONCURRENCY) {
    this.free = size;
  }

  /** Wait for `n` permits at once (n ≤ size); resolves with the function that gives them back. */
  async acquire(n = 1, signal?: AbortSignal): Promise<() => void> {
    const want = Math.min(Math.max(n, 1), this.size);
    if (this.queue.length === 0 && this.free >= want) this.free -= want;
    else
      await new Promise<void>((resolve, reject) => {
        const entry = { n: want, go: resolve };
        this.queue.push(entry);
        signal?.addEventListener(
          'abort',
          () => {
            const i = this.queue.indexOf(entry);
            if (i >= 0) {
              this.queue.splice(i, 1);
              reject(new AbortError());
            }
          },
          { once: true },
        );
      });
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.free += want;
      this.pump();
    };
  }

  private pump(): void {
    // First come, first served: a batch waiting for 4 is not overtaken for ever by single requests.
    while (this.queue.length && this.free >= this.queue[0]!.n) {
      const next = this.queue.shift()!;
      this.free -= next.n;
      next.go();
    }
  }
}

const gates = new Map<string, MailboxGate>();

/** The process-wide gate of one mailbox. */
export function gateFor(mailboxKey: string): MailboxGate {
  let g = gates.get(mailboxKey);
  if (!g) gates.set(mailboxKey, (g = new MailboxGate()));
  return g;
}
