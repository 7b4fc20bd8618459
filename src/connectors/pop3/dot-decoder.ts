/**
 * The body of a POP3 multi-line response (RFC 1939 §3), decoded as it arrives: a line that starts with "."
 * loses that first dot (byte-stuffing), and a line that is exactly "." ends the response. Works on any
 * chunking of the input — the terminator ".\r\n" and a stuffed dot may be split across reads at any byte —
 * and hands on the data as slices of the input chunks, never copied.
 */

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const LF_DOT = Buffer.from('\n.');
const CR_ONLY = Buffer.from('\r');

/** Where the decoder stands between two bytes. */
const enum At {
  /** Inside a line. */
  Mid,
  /** At the first byte of a line. */
  LineStart,
  /** After a "." that started a line (dropped: either stuffing or the terminator). */
  Dot,
  /** After ".\r" at the start of a line (held back: a following "\n" makes it the terminator). */
  DotCr,
}

export class DotDecoder {
  // The response data starts right after the "+OK ...\r\n" status line: at a line start.
  private at: At = At.LineStart;
  private ended = false;

  /** True once the terminating ".\r\n" has been read. */
  get done(): boolean {
    return this.ended;
  }

  /**
   * Feed the next chunk. `emit` gets the decoded data, in order. Returns undefined while the response goes
   * on; once its terminator is in `chunk`, returns the bytes that follow it (the next response, if any).
   */
  push(chunk: Buffer, emit: (part: Buffer) => void): Buffer | undefined {
    if (this.ended) return chunk;
    const n = chunk.length;
    let pos = 0;
    // Start of the pending run of data not yet emitted.
    let run = 0;
    while (pos < n) {
      switch (this.at) {
        case At.Mid: {
          // Only a "." right after a line feed matters: jump from one to the next.
          const i = chunk.indexOf(LF_DOT, pos);
          if (i < 0) {
            this.at = chunk[n - 1] === LF ? At.LineStart : At.Mid;
            pos = n;
          } else {
            pos = i + 1;
            this.at = At.LineStart;
          }
          break;
        }
        case At.LineStart:
          if (chunk[pos] === DOT) {
            if (pos > run) emit(chunk.subarray(run, pos));
            run = ++pos;
            this.at = At.Dot;
          } else this.at = At.Mid;
          break;
        case At.Dot:
          if (chunk[pos] === CR) {
            run = ++pos;
            this.at = At.DotCr;
          } else this.at = At.Mid; // a stuffed dot: the line goes on from here
          break;
        case At.DotCr:
          if (chunk[pos] === LF) {
            this.ended = true;
            return chunk.subarray(pos + 1);
          }
          // ".\r" not followed by "\n" is no terminator: the dot was stuffing, the CR is data.
          emit(CR_ONLY);
          this.at = At.Mid;
          break;
      }
    }
    if (pos > run) emit(chunk.subarray(run, pos));
    return undefined;
  }
}
