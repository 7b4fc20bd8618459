/**
 * Lines of a byte range of a file, read in large chunks with flat memory: each line without its line end
 * (LF, or CRLF — the CR goes too), its offset in the file, and whether it had a line end at all (only the
 * last line of a file may not). Synchronous per chunk: a 1 GB file is tens of millions of lines, too many for
 * an await each.
 */
import fs from 'node:fs';
import { throwIfAborted } from '../../errors.js';

const CHUNK = 1024 * 1024;
const EMPTY = Buffer.alloc(0);

/** Called once per line; `offset` is where the line starts in the file. */
export type OnLine = (line: Buffer, ended: boolean, offset: number) => void;

/** Splits chunks into lines. */
export class LineSplitter {
  private carry: Buffer = EMPTY;
  private offset: number;

  constructor(
    start: number,
    private readonly onLine: OnLine,
  ) {
    this.offset = start;
  }

  push(chunk: Buffer): void {
    let data = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    let from = 0;
    for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, from)) {
      const end = nl > from && data[nl - 1] === 0x0d ? nl - 1 : nl;
      this.onLine(data.subarray(from, end), true, this.offset);
      this.offset += nl + 1 - from;
      from = nl + 1;
    }
    data = data.subarray(from);
    // Copied: the chunk it points into must not be kept alive by a short tail.
    this.carry = data.length ? Buffer.from(data) : EMPTY;
  }

  /** The last line, when the range does not end with a line end. */
  end(): void {
    if (this.carry.length) this.onLine(this.carry, false, this.offset);
    this.carry = EMPTY;
  }
}

/**
 * Feed every line of `file` in [start, end) to `onLine` (end undefined: to the end of the file). Returns the
 * offset where reading stopped (the file's size as read, when to the end).
 */
export async function eachLine(
  file: string,
  onLine: OnLine,
  opts: { start?: number; end?: number; signal?: AbortSignal } = {},
): Promise<number> {
  const start = opts.start ?? 0;
  if (opts.end !== undefined && opts.end <= start) return start;
  let at = start;
  const splitter = new LineSplitter(start, onLine);
  const stream = fs.createReadStream(file, {
    start,
    end: opts.end === undefined ? undefined : opts.end - 1,
    highWaterMark: CHUNK,
  });
  for await (const chunk of stream) {
    throwIfAborted(opts.signal);
    splitter.push(chunk as Buffer);
    at += (chunk as Buffer).length;
  }
  splitter.end();
  return at;
}
