/**
 * Keeps the header block of a TOP (or RETR) answer: everything up to and including the empty line that ends
 * the headers — the same bytes as IMAP's BODY[HEADER], so a header hash matches at the destination — and
 * ignores what follows. Bounded: a header block beyond HEADER_MAX is cut there.
 */
import type { DataSink } from './data-sink.js';

const HEADER_MAX = 1024 * 1024;
const END = Buffer.from('\r\n\r\n');
const EMPTY = Buffer.alloc(0);

export class HeaderSink implements DataSink {
  private parts: Buffer[] = [];
  private size = 0;
  /** The last bytes seen, for an end of headers split across pieces. */
  private tail: Buffer = EMPTY;
  private complete = false;

  write(part: Buffer): boolean {
    if (this.complete) return true;
    const joined = this.tail.length ? Buffer.concat([this.tail, part]) : part;
    const i = joined.indexOf(END);
    if (i >= 0) {
      this.keep(part.subarray(0, i + END.length - this.tail.length));
      this.complete = true;
    } else {
      this.keep(part);
      this.tail = Buffer.from(joined.subarray(Math.max(0, joined.length - (END.length - 1))));
    }
    return true;
  }

  /** The header block (the whole answer when it has no empty line). */
  header(): Buffer {
    return this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
  }

  private keep(part: Buffer): void {
    const room = HEADER_MAX - this.size;
    if (part.length >= room) this.complete = true;
    const kept = part.length > room ? part.subarray(0, room) : part;
    this.parts.push(kept);
    this.size += kept.length;
  }
}
