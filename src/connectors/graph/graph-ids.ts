/**
 * Graph ids → the engine's numeric keys. An immutable id (requested with `Prefer: IdType="ImmutableId"`)
 * stays the same for the life of the item in its mailbox, even when it moves; the key is the first 48
 * bits of its SHA-256, so it is a safe integer and the same in every session. Two ids with one key (a
 * 48-bit collision) would be taken for one message: that is refused loudly, never skipped silently.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, PermanentError } from '../../errors.js';
import { itemKey } from '../shared/item-key.js';

/** A short stable tag of a folder id, used as the folder's generation (UIDVALIDITY). */
export function folderTag(id: string): string {
  return `g${createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 16)}`;
}

/** Keys ↔ ids of one folder listing. */
export class KeyMap {
  private readonly ids = new Map<number, string>();

  constructor(
    private readonly where: string,
    private readonly keyFn: (id: string) => number = itemKey,
  ) {}

  /** Record an id; returns its key. A different id with the same key fails the folder. */
  add(id: string): number {
    const key = this.keyFn(id);
    const other = this.ids.get(key);
    if (other !== undefined && other !== id)
      throw new PermanentError(
        ErrorCode.SourceReadFailed,
        `${this.where}: two messages (${other.slice(-12)} and ${id.slice(-12)}) map to the same key; they cannot be told apart.`,
        'The folder stops here rather than risk skipping one of them. Report this; moving one of the two messages to another folder works around it.',
      );
    this.ids.set(key, id);
    return key;
  }

  id(key: number): string | undefined {
    return this.ids.get(key);
  }

  delete(key: number): void {
    this.ids.delete(key);
  }

  get size(): number {
    return this.ids.size;
  }

  /** Keys, ascending. */
  keys(): number[] {
    return [...this.ids.keys()].sort((a, b) => a - b);
  }
}
