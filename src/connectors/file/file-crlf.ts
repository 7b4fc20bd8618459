/**
 * Bare LF line endings in a plain EML file (one no Cutover manifest vouches for: an export from a mail client
 * or a Unix tool). A message on the wire has CRLF line endings, and an IMAP server stores an LF-only one with
 * CRLF: the source serves such a file as CRLF from the start, with its size counted that way, so the
 * fingerprint (which includes the size) matches the copy at the destination when a folder is matched again.
 */
import fs from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';

const LF = 0x0a;
const CR = 0x0d;

/** How many LF bytes of this file have no CR before them (0 for a file in CRLF form). */
export async function countBareLf(file: string): Promise<number> {
  let count = 0;
  let prev = -1;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 256 * 1024 })) {
    const buf = chunk as Buffer;
    for (let i = buf.indexOf(LF); i >= 0; i = buf.indexOf(LF, i + 1))
      if ((i === 0 ? prev : buf[i - 1]) !== CR) count++;
    prev = buf[buf.length - 1] ?? prev;
  }
  return count;
}

/** The bytes with every bare LF written as CRLF (a buffer: the header block for its hash). */
export function crlf(buf: Buffer): Buffer {
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = buf.indexOf(LF); i >= 0; i = buf.indexOf(LF, i + 1)) {
    if (i > 0 && buf[i - 1] === CR) continue;
    parts.push(buf.subarray(from, i), Buffer.from('\r'));
    from = i;
  }
  parts.push(buf.subarray(from));
  return Buffer.concat(parts);
}

/** A stream that writes every bare LF as CRLF, across chunk boundaries. */
export class CrlfStream extends Transform {
  private prev = -1;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    const parts: Buffer[] = [];
    let from = 0;
    for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) {
      if ((i === 0 ? this.prev : chunk[i - 1]) === CR) continue;
      parts.push(chunk.subarray(from, i), Buffer.from('\r'));
      from = i;
    }
    parts.push(chunk.subarray(from));
    this.prev = chunk[chunk.length - 1] ?? this.prev;
    done(null, Buffer.concat(parts));
  }
}
