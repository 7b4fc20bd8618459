/**
 * Splitting the messages to copy into write batches: small ones grouped (one MULTIAPPEND each), large ones
 * alone. Bodies stream, so the caps bound the cost of a retried batch, not memory.
 */
import type { MessageMeta } from '../connectors/contract.js';

/** Above this a message is written on its own. */
export const LARGE_MESSAGE_BYTES = 8 * 1024 * 1024;
/** Cap on the bytes of one grouped batch. */
export const BATCH_BYTES = 32 * 1024 * 1024;

export interface Batch<T extends { meta: MessageMeta }> {
  large: boolean;
  items: T[];
  bytes: number;
}

/** Group in source order; a batch closes at `maxMessages` or BATCH_BYTES. */
export function makeBatches<T extends { meta: MessageMeta }>(todo: T[], maxMessages: number): Batch<T>[] {
  const out: Batch<T>[] = [];
  let cur: Batch<T> | undefined;
  for (const t of todo) {
    if (t.meta.size > LARGE_MESSAGE_BYTES) {
      out.push({ large: true, items: [t], bytes: t.meta.size });
      continue;
    }
    if (!cur || cur.items.length >= maxMessages || cur.bytes + t.meta.size > BATCH_BYTES) {
      cur = { large: false, items: [], bytes: 0 };
      out.push(cur);
    }
    cur.items.push(t);
    cur.bytes += t.meta.size;
  }
  return out;
}
