/**
 * Content lines of iCalendar (RFC 5545 §3.1) and vCard (RFC 6350 §3.3, 3.0, 2.1): one line
 * `group.NAME;PARAM=v1,"v;2":value` parsed into its parts and written back, with RFC 6868 caret escapes in
 * parameter values, unfolding of continuation lines and folding at 75 octets that never splits a UTF-8
 * sequence. The whole-text tree that keeps every line's original bytes is in component-tree.ts.
 */

/** One parameter. Names are upper-cased; a vCard 2.1 bare parameter (`TEL;HOME:`) has no values. */
export interface Param {
  name: string;
  /** Unquoted, RFC 6868-decoded values; empty for a bare parameter. */
  values: string[];
}

/** One content line, unfolded and parsed. The value is as written (not unescaped: that depends on its type). */
export interface ContentLine {
  /** vCard property group (`item1` in `item1.EMAIL`), as written. */
  group?: string;
  /** Upper-cased property name. */
  name: string;
  params: Param[];
  value: string;
}

/** Longest physical line, in octets, without its line break (RFC 5545 §3.1, RFC 6350 §3.2). */
export const FOLD_OCTETS = 75;

/** Join continuation lines (a line break followed by a space or tab) back into logical lines. */
export function unfold(text: string): string {
  return text.replace(/\r?\n[ \t]/g, '');
}

/**
 * Fold one logical line (no line break inside) into physical lines of at most `FOLD_OCTETS` octets, each
 * continuation starting with a space; a break never falls inside a UTF-8 sequence (nor a surrogate pair).
 */
export function fold(line: string, eol = '\r\n'): string {
  if (Buffer.byteLength(line, 'utf8') <= FOLD_OCTETS) return line;
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > FOLD_OCTETS) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += size;
  }
  out.push(current);
  return out.join(eol);
}

/** RFC 6868: `^n` → newline, `^^` → `^`, `^'` → `"`; any other caret stays as it is. */
export function decodeParamValue(value: string): string {
  return value.replace(/\^([n^'])/g, (_, c: string) => (c === 'n' ? '\n' : c === '^' ? '^' : '"'));
}

/** A parameter value as written: RFC 6868-encoded, and quoted when it holds `; : ,`. */
export function encodeParamValue(value: string): string {
  const encoded = value.replace(/\r\n|[\r\n^"]/g, (c) => (c === '^' ? '^^' : c === '"' ? "^'" : '^n'));
  return /[;:,]/.test(encoded) ? `"${encoded}"` : encoded;
}

/**
 * Parse one unfolded content line; undefined when it is not one (no name, or no `:` after the parameters).
 * Quoted parameter values may hold `; : ,`; the value is everything after the first colon outside quotes.
 */
export function parseLine(text: string): ContentLine | undefined {
  const head = /^([A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)/.exec(text);
  if (!head) return undefined;
  const name = head[2] ?? '';
  const group = head[1]?.slice(0, -1);
  const params: Param[] = [];
  let i = head[0].length;
  while (text[i] === ';') {
    i++;
    const pname = /^[^=;:]*/.exec(text.slice(i))?.[0] ?? '';
    i += pname.length;
    const param: Param = { name: pname.trim().toUpperCase(), values: [] };
    if (text[i] === '=') {
      do {
        i++;
        if (text[i] === '"') {
          const close = text.indexOf('"', i + 1);
          if (close < 0) return undefined;
          param.values.push(decodeParamValue(text.slice(i + 1, close)));
          i = close + 1;
        } else {
          const raw = /^[^;:,]*/.exec(text.slice(i))?.[0] ?? '';
          param.values.push(decodeParamValue(raw));
          i += raw.length;
        }
      } while (text[i] === ',');
    }
    params.push(param);
  }
  if (text[i] !== ':') return undefined;
  const line: ContentLine = { name: name.toUpperCase(), params, value: text.slice(i + 1) };
  if (group !== undefined) line.group = group;
  return line;
}

/** A content line as one unfolded line of text (names as given, values encoded and quoted where needed). */
export function formatLine(line: ContentLine): string {
  const params = line.params
    .map((p) =>
      p.values.length === 0 ? `;${p.name}` : `;${p.name}=${p.values.map(encodeParamValue).join(',')}`,
    )
    .join('');
  return `${line.group !== undefined ? `${line.group}.` : ''}${line.name}${params}:${line.value}`;
}

/** The values of parameter `name` (all occurrences, in order), or undefined when it is absent. */
export function paramValues(line: ContentLine, name: string): string[] | undefined {
  const upper = name.toUpperCase();
  const found = line.params.filter((p) => p.name === upper);
  return found.length === 0 ? undefined : found.flatMap((p) => p.values);
}

/** The first value of parameter `name`. */
export function paramValue(line: ContentLine, name: string): string | undefined {
  return paramValues(line, name)?.[0];
}

/** A copy of `line` with parameter `name` set to `values` where it was (or appended); undefined removes it. */
export function withParam(line: ContentLine, name: string, values: string[] | undefined): ContentLine {
  const upper = name.toUpperCase();
  const at = line.params.findIndex((p) => p.name === upper);
  const rest = line.params.filter((p) => p.name !== upper);
  if (values === undefined) return { ...line, params: rest };
  const params = [...rest];
  params.splice(at < 0 ? params.length : at, 0, { name: upper, values });
  return { ...line, params };
}
