/**
 * Just enough of RFC 5322 / MIME (RFC 2045–2047, 2231) to turn a message into Graph's message resource:
 * header fields (unfolded, encoded words decoded), address lists, the multipart tree, transfer encodings
 * and charsets. Works on one message in memory; anything it cannot read stays an attachment, never dropped.
 */

/** A header field, name lower-cased, value unfolded (still encoded). */
export interface Field {
  name: string;
  value: string;
}

/** A leaf part: its headers and its decoded content. */
export interface Leaf {
  fields: Field[];
  type: string;
  params: Record<string, string>;
  disposition?: string;
  dispParams: Record<string, string>;
  content: Buffer;
}

/** Where the header block ends (the index of the body) and the block itself. */
export function splitHead(raw: Buffer): { head: Buffer; body: Buffer } {
  let i = raw.indexOf('\r\n\r\n');
  let skip = 4;
  const lf = raw.indexOf('\n\n');
  if (i < 0 || (lf >= 0 && lf < i)) [i, skip] = [lf, 2];
  if (i < 0) return { head: raw, body: Buffer.alloc(0) };
  return { head: raw.subarray(0, i + skip), body: raw.subarray(i + skip) };
}

/** Header fields of a header block. */
export function fieldsOf(head: Buffer): Field[] {
  const out: Field[] = [];
  for (const line of head.toString('latin1').split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && out.length) out[out.length - 1]!.value += ' ' + line.trim();
    else {
      const i = line.indexOf(':');
      if (i > 0) out.push({ name: line.slice(0, i).trim().toLowerCase(), value: line.slice(i + 1).trim() });
    }
  }
  return out;
}

/** Bytes (as latin1 text) in a charset → text; unknown charsets are read as UTF-8. */
export function decodeCharset(bytes: Buffer, charset = 'utf-8'): string {
  try {
    return new TextDecoder(charset.trim().toLowerCase()).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function qpBytes(text: string, underscoreIsSpace: boolean): Buffer {
  const s = (underscoreIsSpace ? text.replace(/_/g, ' ') : text).replace(/=\r?\n/g, '');
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const hex = s[i] === '=' ? s.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else out.push(s.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

/** RFC 2047 encoded words → text; raw 8-bit header bytes are taken as UTF-8. */
export function decodeWords(value: string): string {
  const raw = decodeCharset(Buffer.from(value, 'latin1'));
  return raw
    .replace(/(=\?[^?]+\?[bBqQ]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?*]+)(?:\*[^?]*)?\?([bBqQ])\?([^?]*)\?=/g, (_m, cs: string, enc: string, text: string) =>
      decodeCharset(enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : qpBytes(text, true), cs),
    );
}

/** `type/subtype; a=b; c="d"` → value + parameters (RFC 2231 continuations and charsets joined). */
export function parseParams(v: string): { value: string; params: Record<string, string> } {
  const [first, ...rest] = v.match(/(?:[^;"]+|"(?:\\.|[^"])*")+/g) ?? [''];
  const parts: Record<string, string> = {};
  for (const p of rest) {
    const i = p.indexOf('=');
    if (i < 0) continue;
    let val = p.slice(i + 1).trim();
    if (val.startsWith('"')) val = val.slice(1, -1).replace(/\\(.)/g, '$1');
    parts[p.slice(0, i).trim().toLowerCase()] = val;
  }
  const params: Record<string, string> = {};
  const ext = new Map<string, Array<[number, string, boolean]>>();
  for (const [k, val] of Object.entries(parts)) {
    const m = /^([^*]+)(?:\*(\d+))?(\*)?$/.exec(k);
    if (!m || (m[2] === undefined && m[3] === undefined)) params[k] = decodeWords(val);
    else ext.set(m[1]!, [...(ext.get(m[1]!) ?? []), [Number(m[2] ?? 0), val, !!m[3]]]);
  }
  for (const [name, segs] of ext) {
    segs.sort((a, b) => a[0] - b[0]);
    const cs = segs[0]![2] ? (/^([^']*)'[^']*'/.exec(segs[0]![1])?.[1] ?? 'utf-8') : 'utf-8';
    const bytes = segs.map(([n, s, enc]) => {
      const t = n === 0 && enc ? s.replace(/^[^']*'[^']*'/, '') : s;
      return enc
        ? Buffer.from(decodeURIComponent(t.replace(/%(?![0-9A-Fa-f]{2})/g, '%25')), 'utf8')
        : Buffer.from(t, 'latin1');
    });
    params[name] =
      cs.toLowerCase() === 'utf-8'
        ? Buffer.concat(bytes).toString('utf8')
        : decodeCharset(Buffer.concat(bytes), cs);
  }
  return { value: (first ?? '').trim().toLowerCase(), params };
}

/** An address list → { name, address } (groups flattened, comments dropped). */
export function parseAddresses(value: string | undefined): Array<{ name?: string; address: string }> {
  if (!value) return [];
  const out: Array<{ name?: string; address: string }> = [];
  const tokens = value.replace(/\([^)]*\)/g, '').match(/(?:[^,"<]+|"(?:\\.|[^"])*"|<[^>]*>)+/g) ?? [];
  for (let t of tokens) {
    t = t
      .replace(/^[^:"<]*:/, '')
      .replace(/;\s*$/, '')
      .trim(); // group "Team: a, b;"
    if (!t) continue;
    const angle = /<([^>]*)>/.exec(t);
    const address = (angle ? angle[1]! : t).trim();
    if (!address.includes('@')) continue;
    const name = angle
      ? decodeWords(t.slice(0, angle.index).trim().replace(/^"|"$/g, '').replace(/\\(.)/g, '$1'))
      : '';
    out.push(name ? { name, address } : { address });
  }
  return out;
}

/** Base64 → bytes in 1 MB slices written into one buffer: a large part is never one big string. */
function decodeBase64(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(Math.ceil((body.length * 3) / 4));
  let written = 0;
  let carry = '';
  for (let at = 0; at < body.length; at += 1024 * 1024) {
    const text =
      carry +
      body
        .subarray(at, at + 1024 * 1024)
        .toString('latin1')
        .replace(/[^A-Za-z0-9+/=]/g, '');
    const whole = text.length - (text.length % 4);
    written += out.write(text.slice(0, whole), written, 'base64');
    carry = text.slice(whole);
  }
  if (carry) written += out.write(carry, written, 'base64');
  return out.subarray(0, written);
}

function decodeTransfer(body: Buffer, cte: string | undefined): Buffer {
  const enc = (cte ?? '').trim().toLowerCase();
  if (enc === 'base64') return decodeBase64(body);
  if (enc === 'quoted-printable') return qpBytes(body.toString('latin1'), false);
  return body;
}

function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const delim = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Buffer[] = [];
  let start = -1;
  for (let at = body.indexOf(delim); at >= 0; at = body.indexOf(delim, at + delim.length)) {
    const lineStart = at === 0 || body[at - 1] === 0x0a;
    if (!lineStart) continue;
    if (start >= 0) {
      let end = at - 1; // the line break before the delimiter belongs to it
      if (end > start && body[end - 1] === 0x0d) end--;
      parts.push(body.subarray(start, Math.max(start, end)));
    }
    const closing = body[at + delim.length] === 0x2d && body[at + delim.length + 1] === 0x2d;
    if (closing) return parts;
    const eol = body.indexOf('\n', at);
    if (eol < 0) return parts;
    start = eol + 1;
  }
  if (start >= 0) parts.push(body.subarray(start)); // no closing delimiter: keep what came
  return parts;
}

/** The leaves of a part, depth first, with multipart/alternative reduced to its richest text. */
export function leavesOf(raw: Buffer, depth = 0): Leaf[] {
  const { head, body } = splitHead(raw);
  const fields = fieldsOf(head);
  const get = (n: string) => fields.find((f) => f.name === n)?.value;
  const ct = parseParams(get('content-type') ?? 'text/plain');
  if (ct.value.startsWith('multipart/') && ct.params.boundary && depth < 20) {
    const kids = splitMultipart(body, ct.params.boundary);
    if (ct.value === 'multipart/alternative' && kids.length) {
      const typeOf = (k: Buffer) =>
        parseParams(fieldsOf(splitHead(k).head).find((f) => f.name === 'content-type')?.value ?? 'text/plain')
          .value;
      const pick =
        kids.find((k) => /^multipart\/related/.test(typeOf(k))) ??
        kids.find((k) => typeOf(k) === 'text/html') ??
        kids.find((k) => typeOf(k) === 'text/plain') ??
        kids.at(-1)!;
      return leavesOf(pick, depth + 1);
    }
    return kids.flatMap((k) => leavesOf(k, depth + 1));
  }
  const disp = get('content-disposition') ? parseParams(get('content-disposition')!) : undefined;
  return [
    {
      fields,
      type: ct.value,
      params: ct.params,
      disposition: disp?.value,
      dispParams: disp?.params ?? {},
      content: decodeTransfer(body, get('content-transfer-encoding')),
    },
  ];
}
