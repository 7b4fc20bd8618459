/**
 * Writes of several requests that throttling interrupted, kept per mailbox so that the next attempt at the
 * same message continues where it stopped — the message already created, the attachments already added, the
 * upload session and the offset it expects next (an upload session accepts ranges until it expires, each
 * range extending it: uploadSession resource) — instead of writing the whole message again. Only a 429 or a
 * budget pause leaves one here: the request was refused whole, so what Graph holds is known exactly. Any
 * other failure deletes the incomplete copy (graph-writer.ts). Kept in this process only: after a restart the
 * copy, still carrying its pending marker, is deleted when the folder is next read and written again.
 */

/** Where an interrupted write stopped. */
export interface PartialWrite {
  /** The message created in the folder (carrying the pending marker). */
  messageId: string;
  /** Attachments of the writer's `later` list already on the message. */
  attached: number;
  /** The upload session of the next attachment, and the offset it expects. */
  session?: { uploadUrl: string; offset: number };
  /** When this record is no longer trusted (the session's expiry; an hour for a plain message). */
  expires: number;
}

/** How long a partial write without an upload session is kept. */
const KEEP_MS = 60 * 60_000;

/** The partial writes of one mailbox, by folder and source identity. */
export class PartialWrites {
  private readonly byKey = new Map<string, PartialWrite>();

  constructor(private readonly now: () => number = Date.now) {}

  /** The key of a message: its folder and what the source said it is. */
  static key(folderId: string, identity: unknown): string {
    return `${folderId}\u0000${JSON.stringify(identity)}`;
  }

  get(key: string): PartialWrite | undefined {
    const w = this.byKey.get(key);
    if (w && w.expires <= this.now()) {
      this.byKey.delete(key);
      return undefined;
    }
    return w;
  }

  /** Keep (or update) where a write stopped; `expires` defaults to an hour from now. */
  keep(key: string, w: Omit<PartialWrite, 'expires'> & { expires?: number }): void {
    this.byKey.set(key, { ...w, expires: w.expires ?? this.now() + KEEP_MS });
  }

  drop(key: string): void {
    this.byKey.delete(key);
  }

  /** Whether an incomplete message is still going to be resumed (so it must not be deleted). */
  holds(messageId: string): boolean {
    const t = this.now();
    for (const w of this.byKey.values()) if (w.messageId === messageId && w.expires > t) return true;
    return false;
  }
}

const registry = new Map<string, PartialWrites>();

/** The process-wide partial writes of one mailbox. */
export function partialsFor(mailboxKey: string): PartialWrites {
  let p = registry.get(mailboxKey);
  if (!p) registry.set(mailboxKey, (p = new PartialWrites()));
  return p;
}
