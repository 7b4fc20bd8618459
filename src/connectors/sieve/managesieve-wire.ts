/**
 * The ManageSieve wire format (RFC 5804 §4): reading one response line — atoms, quoted strings, literals
 * `{n}` and parenthesised response codes — from a byte buffer, and writing strings the server takes (quoted
 * when short and single-line, else a non-synchronizing literal `{n+}`, the only client literal RFC 5804 has).
 */

/** One token of a response line. Strings are bytes: script bodies are kept byte-exact. */
export type WireToken =
  { kind: 'atom'; value: string } | { kind: 'string'; value: Buffer } | { kind: 'list'; items: WireToken[] };

/** A reply the server sent that is not ManageSieve; the session cannot go on. */
export class WireError extends Error {
  readonly code = 'PROTOCOL';
}

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** RFC 5804 §4: a quoted string is at most 1024 octets; longer ones go as literals. */
const MAX_QUOTED = 1024;

/**
 * One response line from the start of `buf`, with the literals it contains: its tokens and the bytes it
 * took, or undefined when the line has not fully arrived yet.
 */
export function readResponseLine(buf: Buffer): { tokens: WireToken[]; used: number } | undefined {
  const stack: WireToken[][] = [[]];
  let pos = 0;
  const push = (t: WireToken) => stack[stack.length - 1]!.push(t);
  while (pos < buf.length) {
    const c = buf[pos]!;
    if (c === SP) {
      pos++;
    } else if (c === CR || c === LF) {
      const end = c === CR ? pos + 1 : pos;
      if (end >= buf.length) return undefined;
      if (buf[end] !== LF) throw new WireError('a bare CR in a response line');
      if (stack.length > 1) throw new WireError('an unclosed parenthesis in a response line');
      return { tokens: stack[0]!, used: end + 1 };
    } else if (c === QUOTE) {
      const parts: number[] = [];
      let i = pos + 1;
      for (; i < buf.length && buf[i] !== QUOTE; i++) {
        if (buf[i] === CR || buf[i] === LF) throw new WireError('a line break inside a quoted string');
        if (buf[i] === BACKSLASH) i++;
        if (i < buf.length) parts.push(buf[i]!);
      }
      if (i >= buf.length) return undefined;
      push({ kind: 'string', value: Buffer.from(parts) });
      pos = i + 1;
    } else if (c === 0x7b /* { */) {
      const m = /^\{(\d{1,10})\+?\}\r\n/.exec(buf.subarray(pos, pos + 16).toString('latin1'));
      if (!m) {
        if (buf.length - pos < 16 && !buf.subarray(pos).includes(LF)) return undefined;
        throw new WireError('a malformed literal in a response line');
      }
      const start = pos + m[0].length;
      const end = start + Number(m[1]);
      if (end > buf.length) return undefined;
      push({ kind: 'string', value: Buffer.from(buf.subarray(start, end)) });
      pos = end;
    } else if (c === 0x28 /* ( */) {
      const items: WireToken[] = [];
      push({ kind: 'list', items });
      stack.push(items);
      pos++;
    } else if (c === 0x29 /* ) */) {
      if (stack.length === 1) throw new WireError('an unopened parenthesis in a response line');
      stack.pop();
      pos++;
    } else {
      let i = pos;
      while (i < buf.length && ![SP, CR, LF, QUOTE, 0x28, 0x29, 0x7b].includes(buf[i]!)) i++;
      if (i >= buf.length) return undefined;
      push({ kind: 'atom', value: buf.subarray(pos, i).toString('latin1') });
      pos = i;
    }
  }
  return undefined;
}

/** A string argument as the server takes it: quoted when it can be, else a literal `{n+}`. */
export function wireString(value: string | Buffer): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  if (bytes.length <= MAX_QUOTED && !bytes.includes(CR) && !bytes.includes(LF) && !bytes.includes(0)) {
    const escaped = bytes.toString('latin1').replace(/["\\]/g, (x) => `\\${x}`);
    return Buffer.from(`"${escaped}"`, 'latin1');
  }
  return wireLiteral(bytes);
}

/** Bytes as a non-synchronizing literal (RFC 5804 `literal-c2s`), sent without waiting for the server. */
export function wireLiteral(bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`{${bytes.length}+}\r\n`, 'latin1'), bytes]);
}

/** The text of a string token (UTF-8), or of an atom. */
export function tokenText(t: WireToken | undefined): string | undefined {
  if (!t || t.kind === 'list') return undefined;
  return t.kind === 'atom' ? t.value : t.value.toString('utf8');
}
