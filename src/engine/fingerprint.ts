/**
 * Content fingerprints: how a message is recognised at the destination without the ledger.
 * Message-ID + Date header + exact size; where there is no Message-ID, a hash of the header block + size.
 * Two different messages sharing a Message-ID differ in date or size and so are both kept; the same
 * message twice in a folder is matched as a multiset (each destination copy matches one source copy).
 */
import type { MessageMeta } from '../connectors/contract.js';

/** The fingerprint of a message's metadata. */
export function fingerprint(m: MessageMeta): string {
  if (m.messageId) return `id:${m.messageId}|${m.dateHeader ?? ''}|${m.size}`;
  return `h:${m.headerHash ?? ''}|${m.size}`;
}

/** A multiset of fingerprints → destination keys, consumed one match at a time. */
export class FingerprintIndex {
  private readonly map = new Map<string, number[]>();

  /** Add a destination message. */
  add(fp: string, destUid: number): void {
    const list = this.map.get(fp);
    if (list) list.push(destUid);
    else this.map.set(fp, [destUid]);
  }

  /** Take one destination key with this fingerprint, if any is left. */
  take(fp: string): number | undefined {
    const list = this.map.get(fp);
    if (!list || list.length === 0) return undefined;
    const uid = list.shift();
    if (list.length === 0) this.map.delete(fp);
    return uid;
  }

  get size(): number {
    return this.map.size;
  }
}

/** Flags as stored in the ledger: sorted, space-joined, \Recent dropped. */
export function flagKey(flags: string[]): string {
  return [...new Set(flags.filter((f) => !/^\\recent$/i.test(f)))].sort().join(' ');
}
