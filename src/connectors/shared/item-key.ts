/**
 * The engine's numeric key for a system's own string id (a Graph or Gmail message id, a POP3 UIDL), for
 * connectors whose system has no numeric UIDs. Written once: stored ledger keys depend on every byte of it.
 */
import { createHash } from 'node:crypto';

/** The key of a string id: the first 48 bits of SHA-256(id as UTF-8), never 0 (a safe integer). */
export function itemKey(id: string): number {
  return parseInt(createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 12), 16) || 1;
}
