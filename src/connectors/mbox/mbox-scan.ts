/**
 * One pass over an mbox file that indexes its messages without keeping any body: where each starts and
 * ends, its size as it will be written, flags, Message-ID/Date, and a key that is the same on every run.
 *
 * Keys: mbox files are append-only in practice (new mail is added at the end; a client rewrites the file
 * only to compact it). A message's key is the shared 48-bit item key of its byte offset plus a hash of its
 * envelope line and first 2 KB as written — the same message at the same place has the same key on every
 * run; a rewritten file moves or changes messages, whose new keys the engine then matches against the
 * destination by fingerprint (Message-ID, Date, size) instead of copying them again.
 */
import { createHash } from 'node:crypto';
import { ErrorCode, PermanentError } from '../../errors.js';
import { parseIdentityHeaders } from '../shared/identity-headers.js';
import { itemKey } from '../shared/item-key.js';
import { MessageWriter, envelopeDate, flagsOf, isEnvelope, startsWithFrom } from './mbox-format.js';
import { eachLine } from './mbox-lines.js';

/** Bytes of a message (as written) that go into its key, after its envelope line. */
const KEY_BYTES = 2048;

/** One message of an mbox file. */
export interface MboxEntry {
  uid: number;
  /** Where its envelope (`From `) line starts. */
  offset: number;
  /** Its first byte after the envelope line, and the end of its bytes (the separating blank line excluded). */
  start: number;
  end: number;
  /** Bytes as written to the destination (CRLF, unquoted, status headers taken out). */
  size: number;
  envelope: string;
  flags: string[];
  /** Why it is not copied (the client deleted it), when so. */
  deleted?: string;
  envelopeDate?: Date;
  messageId?: string;
  dateHeader?: string;
  /** SHA-256 of the header block as written; kept only when there is no Message-ID. */
  headerHash?: string;
}

/** The first bytes of a file are not an mbox. */
export function notMbox(file: string): PermanentError {
  return new PermanentError(
    ErrorCode.SourceReadFailed,
    `${file} is not an mbox file: it does not start with a "From " line.`,
    'Point mbox:// at an mbox file (Thunderbird folder file, Apple Mail export/…mbox/mbox, a .mbox export) or at a directory of them; an EML or Maildir folder is not an mbox.',
  );
}

interface Current {
  entry: MboxEntry;
  writer: MessageWriter;
  key: ReturnType<typeof createHash>;
  keyBytes: number;
  /** Offset of a blank line not yet given to the writer: the separator blank line if a `From ` line follows. */
  pendingBlank?: number;
}

/** Index every message of `file`, in file order. An empty file has none; a non-mbox file is refused. */
export async function scanMbox(file: string, signal?: AbortSignal): Promise<MboxEntry[]> {
  const out: MboxEntry[] = [];
  let cur: Current | undefined;
  let first = true;
  const feed = (c: Current, line: Buffer, ended: boolean) => {
    for (const piece of c.writer.line(line, ended)) {
      if (c.keyBytes >= KEY_BYTES) break;
      const part = piece.subarray(0, KEY_BYTES - c.keyBytes);
      c.key.update(part);
      c.keyBytes += part.length;
    }
  };
  const finish = (c: Current, at: number) => {
    const e = c.entry;
    if (e.start < 0) e.start = at; // an envelope line with nothing after it
    e.end = c.pendingBlank ?? at;
    e.size = c.writer.size;
    const header = c.writer.header();
    const ids = parseIdentityHeaders(header);
    e.messageId = ids.messageId;
    e.dateHeader = ids.dateHeader;
    if (!e.messageId) e.headerHash = createHash('sha256').update(header).digest('hex');
    const f = flagsOf(c.writer.status);
    e.flags = f.flags;
    e.deleted = f.deleted;
    e.uid = itemKey(`${e.offset}:${c.key.digest('hex')}`);
    out.push(e);
  };
  const begin = (line: Buffer, offset: number): Current => {
    const envelope = line.toString('latin1');
    const key = createHash('sha256').update(line);
    const entry: MboxEntry = {
      uid: 0,
      offset,
      // Set from the next line's offset: the envelope's own line end (LF or CRLF) is not part of the message.
      start: -1,
      end: 0,
      size: 0,
      envelope,
      flags: [],
      envelopeDate: envelopeDate(envelope),
    };
    return { entry, writer: new MessageWriter(), key, keyBytes: 0 };
  };
  const size = await eachLine(
    file,
    (line, ended, offset) => {
      if (first) {
        first = false;
        if (!startsWithFrom(line)) throw notMbox(file);
        cur = begin(line, offset);
        return;
      }
      const c = cur!;
      if (ended && isEnvelope(line)) {
        finish(c, offset);
        cur = begin(line, offset);
        return;
      }
      if (c.entry.start < 0) c.entry.start = offset;
      if (c.pendingBlank !== undefined) {
        feed(c, Buffer.alloc(0), true);
        c.pendingBlank = undefined;
      }
      if (ended && line.length === 0) c.pendingBlank = offset;
      else feed(c, line, ended);
    },
    { signal },
  );
  if (cur) finish(cur, size);
  return out;
}
