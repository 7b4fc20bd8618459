/**
 * The identity of a message read from its header block, the same for every connector: Message-ID and Date
 * (the fingerprint), and the header hash that stands in when there is no Message-ID. Source and destination
 * must compute them identically, whatever system each is, so every read path uses these functions.
 */
import { createHash } from 'node:crypto';
import type { MessageMeta } from '../contract.js';

/** Message-ID and Date from a header block (folded lines unfolded). */
export function parseIdentityHeaders(raw: Buffer | undefined): { messageId?: string; dateHeader?: string } {
  if (!raw) return {};
  const text = raw.toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  const out: { messageId?: string; dateHeader?: string } = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^(message-id|date)\s*:\s*(.*)$/i.exec(line);
    if (!m) continue;
    const value = m[2]!.trim();
    if (m[1]!.toLowerCase() === 'message-id' && out.messageId === undefined) {
      const id = (/<([^>]*)>/.exec(value)?.[1] ?? value).replace(/\s+/g, '');
      if (id) out.messageId = id;
    } else if (m[1]!.toLowerCase() === 'date' && out.dateHeader === undefined)
      out.dateHeader = value.replace(/\s+/g, ' ');
  }
  return out;
}

/**
 * Set `headerHash` (the fingerprint fallback for messages without a Message-ID) from their header blocks.
 * Source and destination must hash identically, so both read paths use this one function.
 */
export function setHeaderHashes(metas: MessageMeta[], headers: Array<[number, Buffer | undefined]>): void {
  const hashes = new Map(
    headers.map(([uid, h]) => [
      uid,
      createHash('sha256')
        .update(h ?? Buffer.alloc(0))
        .digest('hex'),
    ]),
  );
  for (const m of metas) if (hashes.has(m.uid)) m.headerHash = hashes.get(m.uid);
}
