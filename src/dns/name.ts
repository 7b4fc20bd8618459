/**
 * Domain names in presentation form (lower-case, no trailing dot, `\.` and `\DDD` escapes as in RFC 1035
 * §5.1) and on the wire (RFC 1035 §3.1, §4.1.4 compression).
 */
import { ErrorCode, PermanentError } from '../errors.js';

/** A name as Cutover keeps it: lower-case, fully qualified, no trailing dot (the root is ''). */
export function normalizeName(name: string): string {
  const n = name.trim().toLowerCase();
  return n.endsWith('.') && !n.endsWith('\\.') ? n.slice(0, -1) : n;
}

/** True when `name` is `zone` or below it. */
export function inZone(name: string, zone: string): boolean {
  const n = normalizeName(name);
  const z = normalizeName(zone);
  return z === '' || n === z || n.endsWith(`.${z}`);
}

/** Encode a presentation-form name as uncompressed wire labels (RFC 1035 §3.1). */
export function encodeName(name: string): Buffer {
  const n = normalizeName(name);
  const labels: Buffer[] = [];
  let label: number[] = [];
  const flush = () => {
    if (label.length === 0 || label.length > 63) throw invalidName(name, 'each label must be 1–63 bytes');
    labels.push(Buffer.from([label.length, ...label]));
    label = [];
  };
  const bytes = Buffer.from(n, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === 0x2e) flush();
    else if (b === 0x5c) {
      // `\DDD` (decimal byte) or `\X` (X literally, e.g. `\.` inside a label).
      const ddd = bytes.subarray(i + 1, i + 4).toString('latin1');
      if (/^\d{3}$/.test(ddd) && Number(ddd) < 256) {
        label.push(Number(ddd));
        i += 3;
      } else if (i + 1 < bytes.length) label.push(bytes[++i]!);
      else throw invalidName(name, 'it ends with a lone backslash');
    } else label.push(b);
  }
  if (bytes.length > 0) flush();
  const wire = Buffer.concat([...labels, Buffer.from([0])]);
  if (wire.length > 255) throw invalidName(name, 'it is longer than 255 bytes');
  return wire;
}

/** Read a possibly compressed name at `offset`; returns the name and the offset after it. */
export function readName(buf: Buffer, offset: number): [string, number] {
  const labels: string[] = [];
  let pos = offset;
  let end = -1; // where the name ends in the original position, once a pointer was followed
  let wireLength = 1;
  for (let jumps = 0; ;) {
    const len = buf[pos];
    if (len === undefined) throw malformed('a name runs past the end of the message');
    if (len === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      const target = ((len & 0x3f) << 8) | (buf[pos + 1] ?? 0);
      if (pos + 1 >= buf.length) throw malformed('a compression pointer is cut off');
      // Pointers must go backwards (RFC 1035 §4.1.4 prior occurrence); this also rules out loops.
      if (target >= pos || ++jumps > 127) throw malformed('a compression pointer points forward or loops');
      if (end < 0) end = pos + 2;
      pos = target;
      continue;
    }
    if (len & 0xc0) throw malformed(`unsupported label type 0x${(len & 0xc0).toString(16)}`);
    if (pos + 1 + len > buf.length) throw malformed('a label runs past the end of the message');
    labels.push(escapeLabel(buf.subarray(pos + 1, pos + 1 + len)));
    wireLength += len + 1;
    if (wireLength > 255) throw malformed('a name is longer than 255 bytes');
    pos += len + 1;
  }
  return [labels.join('.').toLowerCase(), end];
}

/** Presentation form of one label: printable ASCII as is, `.` `\` `"` `;` `(` `)` and others escaped. */
function escapeLabel(label: Buffer): string {
  let s = '';
  for (const b of label) {
    if (b === 0x2e || b === 0x5c || b === 0x22 || b === 0x3b || b === 0x28 || b === 0x29)
      s += `\\${String.fromCharCode(b)}`;
    else if (b > 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += `\\${String(b).padStart(3, '0')}`;
  }
  return s;
}

function invalidName(name: string, why: string): PermanentError {
  return new PermanentError(
    ErrorCode.DnsRecordInvalid,
    `Invalid DNS name ${JSON.stringify(name)}: ${why}`,
    'Check the domain or host name for typos.',
  );
}

/** A DNS message Cutover cannot read. */
export function malformed(why: string): PermanentError {
  return new PermanentError(
    ErrorCode.ProtocolError,
    `Malformed DNS message: ${why}`,
    'The server sent a reply Cutover cannot read; try another server, or report it with a packet capture.',
  );
}
