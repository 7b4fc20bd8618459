/**
 * Collects one RETR answer so its exact size is known before its first byte is handed on: the destination
 * declares the size up front (an IMAP literal), and POP3's LIST sizes may be approximate (RFC 1939 §5).
 * Up to SPOOL_MEMORY_MAX in memory; beyond, in a private temporary file (0600, in $TMPDIR) that is unlinked
 * as soon as it is reopened for reading — it disappears when the body is read or destroyed, or on a crash.
 * Memory stays flat however large the message: the socket pauses while the file catches up.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { DataSink } from './data-sink.js';

/** Bodies up to this size stay in memory. */
export const SPOOL_MEMORY_MAX = 8 * 1024 * 1024;
const READ_CHUNK = 1024 * 1024;

export class BodySpool implements DataSink {
  private parts: Buffer[] = [];
  private size = 0;
  private file: { path: string; out: fs.WriteStream } | undefined;
  private failure: Error | undefined;
  private waiting: (() => void) | undefined;

  constructor(
    private readonly memoryMax = SPOOL_MEMORY_MAX,
    private readonly dir = os.tmpdir(),
  ) {}

  /** Take the next piece; false asks the caller to wait for `onDrain` (the file is behind). Never throws. */
  write(part: Buffer): boolean {
    this.size += part.length;
    if (this.failure) return true; // the answer is still read to its end, then `finish` fails
    if (!this.file) {
      // Socket chunks are fresh buffers, never reused: keeping slices of them is safe.
      this.parts.push(part);
      if (this.size <= this.memoryMax) return true;
      this.toFile();
      return this.file!.out.writableNeedDrain ? false : true;
    }
    return this.file.out.write(part);
  }

  /** `write` for a caller that can await: resolves at once, or when the file has caught up. */
  async put(part: Buffer): Promise<void> {
    if (!this.write(part)) await new Promise<void>((resume) => this.onDrain(resume));
  }

  onDrain(resume: () => void): void {
    if (!this.file || this.failure) return resume();
    this.waiting = resume;
    this.file.out.once('drain', () => this.wake());
  }

  /** The whole answer has arrived: the body and its exact size. */
  async finish(): Promise<{ size: number; body: Buffer | Readable }> {
    if (!this.file) {
      if (this.failure) throw this.failure;
      const body = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.size);
      this.parts = [];
      return { size: this.size, body };
    }
    const { out, path: file } = this.file;
    out.end();
    await finished(out).catch((err: Error) => (this.failure ??= err));
    if (this.failure) {
      await this.discard();
      throw this.failure;
    }
    const handle = await open(file, 'r');
    // The open handle keeps the bytes readable; the name goes now, so nothing is left behind.
    await unlink(file).catch(() => undefined);
    this.file = undefined;
    return { size: this.size, body: handle.createReadStream({ highWaterMark: READ_CHUNK }) };
  }

  /** Throw away what was collected (a failed or abandoned answer). */
  async discard(): Promise<void> {
    this.parts = [];
    const f = this.file;
    this.file = undefined;
    if (!f) return;
    // The file is created asynchronously: unlink only once the stream has opened and closed it.
    if (!f.out.closed) await new Promise<void>((resolve) => f.out.once('close', () => resolve()).destroy());
    await unlink(f.path).catch(() => undefined);
  }

  private toFile(): void {
    const file = path.join(this.dir, `cutover-pop3-${process.pid}-${randomUUID()}.eml`);
    const out = fs.createWriteStream(file, { flags: 'wx', mode: 0o600, highWaterMark: READ_CHUNK });
    out.on('error', (err) => {
      this.failure ??= Object.assign(
        new Error(`spooling a large message to ${file} failed: ${err.message}`),
        {
          code: 'SPOOL',
          cause: err,
        },
      );
      this.wake();
    });
    this.file = { path: file, out };
    for (const p of this.parts) out.write(p);
    this.parts = [];
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }
}
