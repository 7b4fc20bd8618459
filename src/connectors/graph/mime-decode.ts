/**
 * Content-Transfer-Encoding decoders that work piece by piece (RFC 2045 §6): a MIME part's body arrives as
 * line contents (possibly cut anywhere) and line breaks, and decoded bytes leave through `out` as they come,
 * so a large part is never one buffer or one string.
 */

/** A streaming decoder for one part. */
export interface PartDecoder {
  /** Bytes of a line (without its line break); a long line may come in several pieces. */
  content(bytes: Buffer): void;
  /** The line break after a line (not given for the part's last line). */
  eol(bytes: Buffer): void;
  /** The part has ended. */
  end(): void;
}

const HEX = (c: number) =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 55 : c >= 0x61 && c <= 0x66 ? c - 87 : -1;

/** Quoted-printable bytes (no line breaks inside) → bytes; a malformed escape stays literal. */
function qpDecode(b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(b.length);
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0x3d && i + 2 < b.length) {
      const hi = HEX(b[i + 1]!);
      const lo = HEX(b[i + 2]!);
      if (hi >= 0 && lo >= 0) {
        out[n++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[n++] = b[i]!;
  }
  return out.subarray(0, n);
}

class Base64Decoder implements PartDecoder {
  private carry = '';
  constructor(private readonly out: (b: Buffer) => void) {}
  content(bytes: Buffer): void {
    const text = this.carry + bytes.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, '');
    const whole = text.length - (text.length % 4);
    if (whole) this.out(Buffer.from(text.slice(0, whole), 'base64'));
    this.carry = text.slice(whole);
  }
  eol(): void {}
  end(): void {
    if (this.carry) this.out(Buffer.from(this.carry, 'base64'));
    this.carry = '';
  }
}

class QuotedPrintableDecoder implements PartDecoder {
  /** An escape cut by a piece boundary ('=' or '=X'), held until the next piece or line break. */
  private tail = Buffer.alloc(0);
  constructor(private readonly out: (b: Buffer) => void) {}
  content(bytes: Buffer): void {
    const all = this.tail.length ? Buffer.concat([this.tail, bytes]) : bytes;
    const eq = all.lastIndexOf(0x3d);
    const keep = eq >= 0 && eq >= all.length - 2 ? all.length - eq : 0;
    this.tail = Buffer.from(all.subarray(all.length - keep));
    if (all.length > keep) this.out(qpDecode(all.subarray(0, all.length - keep)));
  }
  eol(bytes: Buffer): void {
    const soft = this.tail.length === 1; // a line ending in '=' continues on the next (soft line break)
    if (!soft && this.tail.length) this.out(Buffer.from(this.tail));
    this.tail = Buffer.alloc(0);
    if (!soft) this.out(bytes);
  }
  end(): void {
    if (this.tail.length) this.out(Buffer.from(this.tail));
    this.tail = Buffer.alloc(0);
  }
}

class IdentityDecoder implements PartDecoder {
  constructor(private readonly out: (b: Buffer) => void) {}
  content(bytes: Buffer): void {
    this.out(bytes);
  }
  eol(bytes: Buffer): void {
    this.out(bytes);
  }
  end(): void {}
}

/** The decoder for a Content-Transfer-Encoding value (7bit, 8bit, binary and unknown ones pass through). */
export function decoderFor(cte: string | undefined, out: (b: Buffer) => void): PartDecoder {
  const enc = (cte ?? '').trim().toLowerCase();
  if (enc === 'base64') return new Base64Decoder(out);
  if (enc === 'quoted-printable') return new QuotedPrintableDecoder(out);
  return new IdentityDecoder(out);
}
