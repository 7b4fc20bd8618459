/**
 * The Sieve lexer (RFC 5228 §8.1): identifiers, tags, numbers with K/M/G, quoted strings with escapes,
 * multi-line `text:` strings with dot-stuffing, punctuation, hash and bracket comments. It works on the
 * script's bytes (read as latin1, one character per byte), so every token knows its byte range and a rewrite
 * can replace one token leaving every other byte as it was; string values are decoded as UTF-8.
 */

/** A token and where it sits in the script (byte offsets, end exclusive). */
export type SieveToken = { start: number; end: number } & (
  | { kind: 'identifier'; value: string }
  | { kind: 'tag'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string; multiline: boolean }
  | { kind: 'punct'; value: ';' | ',' | '[' | ']' | '{' | '}' | '(' | ')' }
);

/** A comment; `text` is what follows `#` (to the line end) or what is inside the brackets. */
export interface SieveComment {
  start: number;
  end: number;
  text: string;
  hash: boolean;
}

/** A script that is not valid Sieve: where and what. */
export class SieveSyntaxError extends Error {
  constructor(
    message: string,
    /** Byte offset. */
    readonly at: number,
  ) {
    super(message);
  }
}

const QUANTIFIER: Record<string, number> = { K: 1024, M: 1024 * 1024, G: 1024 * 1024 * 1024 };

/** Latin1 text of the bytes: index = byte offset. */
const bytesAsText = (b: Buffer) => b.toString('latin1');
/** Decode a latin1-read slice back into the UTF-8 it was. */
export const utf8Of = (latin1: string) => Buffer.from(latin1, 'latin1').toString('utf8');

/** Every token and comment of a script. Throws SieveSyntaxError on what no Sieve script can hold. */
export function lexSieve(script: Buffer): { tokens: SieveToken[]; comments: SieveComment[] } {
  const s = bytesAsText(script);
  const tokens: SieveToken[] = [];
  const comments: SieveComment[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    const start = i;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
    } else if (c === '#') {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl;
      comments.push({ start, end: i, text: utf8Of(s.slice(start + 1, i).replace(/\r$/, '')), hash: true });
    } else if (s.startsWith('/*', i)) {
      const close = s.indexOf('*/', i + 2);
      if (close < 0) throw new SieveSyntaxError('a bracket comment /* … is never closed', start);
      i = close + 2;
      comments.push({ start, end: i, text: utf8Of(s.slice(start + 2, close)), hash: false });
    } else if (c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= s.length) throw new SieveSyntaxError('a quoted string is never closed', start);
        const ch = s[i]!;
        if (ch === '"') break;
        // RFC 5228 §2.4.2: \" and \\ are the escapes; a backslash before anything else is dropped.
        if (ch === '\\' && i + 1 < s.length) {
          value += s[i + 1];
          i += 2;
        } else {
          value += ch;
          i++;
        }
      }
      i++;
      tokens.push({ kind: 'string', value: utf8Of(value), multiline: false, start, end: i });
    } else if (/^text:/i.test(s.slice(i, i + 5))) {
      const { value, end } = multiline(s, i);
      i = end;
      tokens.push({ kind: 'string', value: utf8Of(value), multiline: true, start, end });
    } else if (/[A-Za-z_]/.test(c) || (c === ':' && /[A-Za-z_]/.test(s[i + 1] ?? ''))) {
      i = c === ':' ? i + 1 : i;
      while (i < s.length && /[A-Za-z0-9_]/.test(s[i]!)) i++;
      const word = s.slice(c === ':' ? start + 1 : start, i);
      tokens.push(
        c === ':'
          ? { kind: 'tag', value: word, start, end: i }
          : { kind: 'identifier', value: word, start, end: i },
      );
    } else if (/[0-9]/.test(c)) {
      while (i < s.length && /[0-9]/.test(s[i]!)) i++;
      let value = Number(s.slice(start, i));
      const q = QUANTIFIER[(s[i] ?? '').toUpperCase()];
      if (q) {
        value *= q;
        i++;
      }
      tokens.push({ kind: 'number', value, start, end: i });
    } else if (';,[]{}()'.includes(c)) {
      i++;
      tokens.push({ kind: 'punct', value: c as ';', start, end: i });
    } else {
      throw new SieveSyntaxError(`unexpected character '${c}'`, start);
    }
  }
  return { tokens, comments };
}

/**
 * A `text:` string from `at`: optional blanks and a hash comment on its first line, then lines up to one
 * holding only "."; a line starting ".." stands for one starting "." (RFC 5228 §2.4.2, dot-stuffing).
 */
function multiline(s: string, at: number): { value: string; end: number } {
  let i = at + 5;
  const firstEnd = s.indexOf('\n', i);
  if (firstEnd < 0) throw new SieveSyntaxError('text: is not followed by a line break', at);
  const rest = s.slice(i, firstEnd).replace(/\r$/, '');
  if (!/^[ \t]*(#.*)?$/.test(rest)) throw new SieveSyntaxError('text: must end its line', at);
  i = firstEnd + 1;
  let value = '';
  for (;;) {
    if (i >= s.length) throw new SieveSyntaxError('a text: string has no closing "." line', at);
    const nl = s.indexOf('\n', i);
    const lineEnd = nl < 0 ? s.length : nl + 1;
    const line = s.slice(i, lineEnd);
    if (line === '.\r\n' || line === '.\n' || (nl < 0 && line === '.')) return { value, end: lineEnd };
    value += line.startsWith('..') ? line.slice(1) : line;
    i = lineEnd;
  }
}

/** A value as a Sieve quoted string: `"` and `\` escaped; line breaks are allowed inside (RFC 5228 §2.4.2). */
export function quoteSieve(value: string): string {
  return `"${value.replace(/["\\]/g, (x) => `\\${x}`)}"`;
}
