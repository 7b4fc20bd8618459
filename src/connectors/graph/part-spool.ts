/**
 * Where one decoded MIME part collects while a message is read: in memory up to a threshold, beyond it in a
 * private temporary file (0600, created exclusively in $TMPDIR). The file is removed by `discard` — the
 * writer calls it in `finally` for every part of the message, written or not.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';

/** Decoded parts above this many bytes go to a temporary file (unless the part must stay in memory). */
export const PART_MEMORY_MAX = 1024 * 1024;
const STAGE = 256 * 1024;

/** A decoded part held in a temporary file. */
export interface SpooledPart {
  path: string;
  size: number;
}

/** One part's decoded bytes on their way to memory or a file (see the file comment). */
export class PartSink {
  private parts: Buffer[] = [];
  private size = 0;
  private stage: Buffer | undefined;
  private staged = 0;
  private out: fs.WriteStream | undefined;
  private file: string | undefined;
  private failure: Error | undefined;

  constructor(
    /** Bytes kept in memory before the part moves to a file. */
    private readonly memoryMax = PART_MEMORY_MAX,
    private readonly dir = os.tmpdir(),
  ) {}

  /** Take decoded bytes (the buffer may be reused by the caller after this returns). */
  write(b: Buffer): void {
    this.size += b.length;
    if (!this.out) {
      this.parts.push(Buffer.from(b));
      if (this.size > this.memoryMax) this.toFile();
      return;
    }
    // Small writes (one base64 line decodes to 57 bytes) are staged into large ones.
    for (let at = 0; at < b.length;) {
      this.stage ??= Buffer.allocUnsafe(STAGE);
      const n = b.copy(this.stage, this.staged, at);
      this.staged += n;
      at += n;
      if (this.staged === STAGE) this.flush();
    }
  }

  /** Resolves once the file has taken what it was given (backpressure for the reader). */
  async drained(): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.out?.writableNeedDrain) await new Promise<void>((r) => this.out!.once('drain', () => r()));
  }

  /** The part is complete: its bytes in memory, or its file. */
  async finish(): Promise<Buffer | SpooledPart> {
    if (!this.out) {
      const all = Buffer.concat(this.parts, this.size);
      this.parts = [];
      return all;
    }
    this.flush();
    this.out.end();
    await finished(this.out).catch((err: Error) => (this.failure ??= err));
    if (this.failure) throw this.failure;
    return { path: this.file!, size: this.size };
  }

  /** Drop the part: memory released, the temporary file (if any) removed. */
  async discard(): Promise<void> {
    this.parts = [];
    const [out, file] = [this.out, this.file];
    this.out = this.file = undefined;
    if (!out || !file) return;
    if (!out.closed) await new Promise<void>((r) => out.once('close', () => r()).destroy());
    await unlink(file).catch(() => undefined);
  }

  private flush(): void {
    if (!this.staged || !this.out) return;
    this.out.write(Buffer.from(this.stage!.subarray(0, this.staged)));
    this.staged = 0;
  }

  private toFile(): void {
    this.file = path.join(this.dir, `cutover-graph-${process.pid}-${randomUUID()}.part`);
    this.out = fs.createWriteStream(this.file, { flags: 'wx', mode: 0o600, highWaterMark: 1024 * 1024 });
    this.out.on('error', (err) => (this.failure ??= err));
    for (const p of this.parts) this.out.write(p);
    this.parts = [];
  }
}

/** Read a spooled part's bytes from `at` into `into`; returns how many were read. */
export async function readSpooled(part: SpooledPart, into: Buffer, at: number): Promise<number> {
  const h = await open(part.path, 'r');
  try {
    let n = 0;
    while (n < into.length) {
      const { bytesRead } = await h.read(into, n, into.length - n, at + n);
      if (!bytesRead) break;
      n += bytesRead;
    }
    return n;
  } finally {
    await h.close();
  }
}
