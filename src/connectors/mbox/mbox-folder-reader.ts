/**
 * One mbox file open as a folder: keys, metadata and flags from the scan (mbox-scan.ts), bodies re-read
 * from the file by byte range and written out through the same MessageWriter the scan measured them with,
 * so each body streams with exactly its announced size and memory stays flat. A message the mail client
 * marked deleted is listed with a skip reason, never copied as if it were live.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { ErrorCode, TransientError, throwIfAborted } from '../../errors.js';
import type {
  FolderState,
  ListOptions,
  MessageMeta,
  SourceFolderReader,
  StreamedMessage,
} from '../contract.js';
import { MessageWriter } from './mbox-format.js';
import { mapFsError } from './mbox-errors.js';
import { LineSplitter } from './mbox-lines.js';
import type { MboxEntry } from './mbox-scan.js';

const PAGE = 500;
const READ_CHUNK = 256 * 1024;

/** A scanned file: its messages by key, keys ascending, and the folder state they make. */
export interface MboxIndex {
  file: string;
  byUid: Map<number, MboxEntry>;
  uids: number[];
  state: FolderState;
  /** The internal date of a message with neither an envelope date nor a readable Date header. */
  fallbackDate: Date;
}

/**
 * The internal date: the envelope date (when the message reached the mailbox — what IMAP's INTERNALDATE
 * is) wins; without one, the Date header; without either, the file's modification time.
 */
export function internalDateOf(e: MboxEntry, fallback: Date): Date {
  if (e.envelopeDate) return e.envelopeDate;
  if (e.dateHeader) {
    const t = Date.parse(e.dateHeader.replace(/\([^)]*\)/g, ' ').trim());
    if (!Number.isNaN(t)) return new Date(t);
  }
  return fallback;
}

/** The metadata of one entry, as the engine takes it. */
export function metaOf(e: MboxEntry, fallback: Date): MessageMeta {
  return {
    uid: e.uid,
    size: e.size,
    internalDate: internalDateOf(e, fallback),
    flags: e.flags,
    ...(e.messageId ? { messageId: e.messageId } : {}),
    ...(e.dateHeader ? { dateHeader: e.dateHeader } : {}),
    ...(e.headerHash ? { headerHash: e.headerHash } : {}),
    ...(e.deleted ? { skip: `${e.deleted}; not copied (a deleted message is not live mail)` } : {}),
  };
}

/** The bytes of one message as written to the destination, streamed from the file. */
export function bodyStream(file: string, e: MboxEntry, signal?: AbortSignal): Readable {
  async function* produce(): AsyncGenerator<Buffer> {
    const writer = new MessageWriter(0);
    let pieces: Buffer[] = [];
    let produced = 0;
    const splitter = new LineSplitter(e.start, (line, ended) => {
      for (const p of writer.line(line, ended)) pieces.push(p);
    });
    const take = () => {
      const b = Buffer.concat(pieces);
      pieces = [];
      produced += b.length;
      return b;
    };
    try {
      if (e.end > e.start) {
        const input = fs.createReadStream(file, {
          start: e.start,
          end: e.end - 1,
          highWaterMark: READ_CHUNK,
        });
        for await (const chunk of input) {
          throwIfAborted(signal);
          splitter.push(chunk as Buffer);
          if (pieces.length) yield take();
        }
      }
      splitter.end();
      if (pieces.length) yield take();
    } catch (err) {
      throw mapFsError(err, file);
    }
    if (produced !== e.size)
      throw new TransientError(
        ErrorCode.SourceReadFailed,
        `${file} changed while it was read (the message at byte ${e.offset} is now ${produced} bytes, not ${e.size}).`,
        'Close the mail client that writes this file (it compacted or rewrote it); Cutover reads the file again on its own.',
      );
  }
  return Readable.from(produce(), { objectMode: false });
}

/** One scanned mbox file as an open folder. */
export class MboxFolderReader implements SourceFolderReader {
  constructor(private readonly index: MboxIndex) {}

  get state(): FolderState {
    return this.index.state;
  }

  async listUids(signal?: AbortSignal): Promise<number[]> {
    throwIfAborted(signal);
    return [...this.index.uids];
  }

  async *listMessages(opts: ListOptions, signal?: AbortSignal): AsyncIterable<MessageMeta[]> {
    // No CONDSTORE (the source says so): "changed since" is never asked.
    if (opts.changedSince) return;
    let uids = opts.uids ? [...new Set(opts.uids)].sort((a, b) => a - b) : this.index.uids;
    if (opts.fromUid !== undefined) uids = uids.filter((u) => u >= opts.fromUid!);
    const entries = uids.map((u) => this.index.byUid.get(u)).filter((e): e is MboxEntry => e !== undefined);
    for (let i = 0; i < entries.length; i += PAGE) {
      throwIfAborted(signal);
      yield entries.slice(i, i + PAGE).map((e) => metaOf(e, this.index.fallbackDate));
    }
  }

  async *streamBodies(uids: number[], signal?: AbortSignal): AsyncIterable<StreamedMessage> {
    for (const uid of [...new Set(uids)].sort((a, b) => a - b)) {
      throwIfAborted(signal);
      const e = this.index.byUid.get(uid);
      if (!e) continue; // not in this scan: gone
      const body = e.size === 0 ? Buffer.alloc(0) : bodyStream(this.index.file, e, signal);
      try {
        yield { uid, size: e.size, body };
      } finally {
        if (!Buffer.isBuffer(body)) body.destroy();
      }
    }
  }

  async close(): Promise<void> {}
}
