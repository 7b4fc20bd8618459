/**
 * Splits one direction of a plaintext IMAP stream into units — a command (client → server) or a response
 * (server → client) — without holding literals: a unit is its first line, then any number of literals each
 * followed by more line text, up to a CRLF that announces no literal. The fault proxy decides a unit's fate
 * from its first line (its tag and verb) and must never cut into the middle of one when it injects an answer.
 */

/** What a framer reports, in stream order. */
export interface FrameSink {
  /** A unit begins: its first line (without CRLF) and that line's bytes (with CRLF). */
  head(line: string, raw: Buffer): void;
  /** More bytes of the current unit (literal data, or line text after a literal). */
  data(raw: Buffer): void;
  /** The current unit is complete. */
  end(): void;
}

const CRLF = Buffer.from('\r\n');
/** `{123}`, `{123+}` (LITERAL+), `~{123}` (BINARY) at the end of a line. */
const LITERAL_AT_END = /~?\{(\d+)(\+?)\}$/;

/** The literal a line announces at its end, if any. */
export function literalAt(line: string): { size: number; synchronizing: boolean } | undefined {
  const m = LITERAL_AT_END.exec(line);
  return m ? { size: Number(m[1]), synchronizing: m[2] !== '+' } : undefined;
}

export class ImapFramer {
  /** Bytes of a line not yet ended by CRLF. */
  private partial: Buffer = Buffer.alloc(0);
  /** Literal bytes still to pass through. */
  private literalLeft = 0;
  /** Whether the next line starts a unit (else it continues one after a literal). */
  private atStart = true;
  /** Set by abandonLiteral() while the sink handles a line. */
  private abandoned = false;

  constructor(private readonly sink: FrameSink) {}

  /** Whether no unit is in progress (an injected unit may be sent now). */
  get atBoundary(): boolean {
    return this.atStart && this.partial.length === 0;
  }

  /**
   * Called from `head()`: the proxy answers this command itself at a synchronizing literal, so the client
   * will not send the literal the line announces; the unit ends with this line.
   */
  abandonLiteral(): void {
    this.abandoned = true;
  }

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.literalLeft > 0) {
        const n = Math.min(this.literalLeft, chunk.length - at);
        this.literalLeft -= n;
        this.sink.data(chunk.subarray(at, at + n));
        at += n;
        continue;
      }
      const nl = chunk.indexOf(0x0a, at);
      if (nl < 0) {
        this.partial = Buffer.concat([this.partial, chunk.subarray(at)]);
        return;
      }
      const raw = this.partial.length
        ? Buffer.concat([this.partial, chunk.subarray(at, nl + 1)])
        : chunk.subarray(at, nl + 1);
      this.partial = Buffer.alloc(0);
      at = nl + 1;
      this.line(raw);
    }
  }

  private line(raw: Buffer): void {
    const text = raw.subarray(0, raw.length - (raw.subarray(-2).equals(CRLF) ? 2 : 1)).toString('latin1');
    this.abandoned = false;
    if (this.atStart) this.sink.head(text, raw);
    else this.sink.data(raw);
    const lit = literalAt(text);
    if (lit && !this.abandoned) {
      this.literalLeft = lit.size;
      this.atStart = false;
      return;
    }
    this.atStart = true;
    this.sink.end();
  }
}
