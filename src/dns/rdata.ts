/** RDATA of the record types Cutover knows (RFC 1035 §3.3, RFC 3596 AAAA, RFC 2782 SRV), both ways. */
import { ErrorCode, PermanentError } from '../errors.js';
import { encodeName, malformed, normalizeName, readName } from './name.js';
import type { DnsRecord, DnsRecordType } from './records.js';

/** Type numbers (IANA "Resource Record (RR) TYPEs"). */
export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  TSIG: 250,
  AXFR: 252,
  ANY: 255,
} as const;

const KNOWN: Record<number, DnsRecordType> = {
  1: 'A',
  2: 'NS',
  5: 'CNAME',
  6: 'SOA',
  15: 'MX',
  16: 'TXT',
  28: 'AAAA',
  33: 'SRV',
};

/** The DnsRecord type name of a type number, if Cutover knows it. */
export const typeName = (type: number): DnsRecordType | undefined => KNOWN[type];

/**
 * Types whose RDATA holds names that may be compressed (RFC 3597 §4: those of RFC 1035), other than the
 * ones decoded below: MD MF MB MG MR PTR (one name) and MINFO (two). Expanded on decode so that an RDATA
 * can be re-sent or written to a zone file on its own.
 */
const ONE_NAME = new Set([3, 4, 7, 8, 9, 12]);

/** Expand compressed names inside RDATA at `buf[offset..offset+length]`, leaving the bytes otherwise as sent. */
export function expandRdata(buf: Buffer, type: number, offset: number, length: number): Buffer {
  const end = offset + length;
  // Empty RDATA is how UPDATE messages say "the whole RRset" (RFC 2136 §2.4.1, §2.5.2).
  if (length === 0) return Buffer.alloc(0);
  const names = (count: number, from: number): [Buffer[], number] => {
    const out: Buffer[] = [];
    let pos = from;
    for (let i = 0; i < count; i++) {
      const [name, next] = readName(buf, pos);
      out.push(encodeName(name));
      pos = next;
    }
    return [out, pos];
  };
  let parts: Buffer[];
  let pos: number;
  if (type === RRType.NS || type === RRType.CNAME || ONE_NAME.has(type)) [parts, pos] = names(1, offset);
  else if (type === 14) [parts, pos] = names(2, offset);
  else if (type === RRType.SOA) {
    [parts, pos] = names(2, offset);
    parts.push(buf.subarray(pos, (pos += 20)));
  } else if (type === RRType.MX) {
    const [n, p] = names(1, offset + 2);
    [parts, pos] = [[buf.subarray(offset, offset + 2), ...n], p];
  } else if (type === RRType.SRV) {
    // RFC 2782 forbids compressing the target, but reading one costs nothing.
    const [n, p] = names(1, offset + 6);
    [parts, pos] = [[buf.subarray(offset, offset + 6), ...n], p];
  } else return Buffer.from(buf.subarray(offset, end));
  if (pos !== end) throw malformed(`RDATA of type ${type} has ${end - pos} bytes too many or too few`);
  return Buffer.concat(parts);
}

/** The DnsRecord fields (value, priority…) of an expanded RDATA; undefined for types Cutover does not know. */
export function decodeRdata(type: number, rdata: Buffer): Omit<DnsRecord, 'name' | 'ttl'> | undefined {
  const t = typeName(type);
  const need = (n: number) => {
    if (rdata.length < n) throw malformed(`${t} RDATA is ${rdata.length} bytes, expected ${n}`);
  };
  switch (t) {
    case 'A':
      need(4);
      return { type: t, value: [...rdata.subarray(0, 4)].join('.') };
    case 'AAAA':
      need(16);
      return { type: t, value: formatIPv6(rdata) };
    case 'NS':
    case 'CNAME':
      return { type: t, value: readName(rdata, 0)[0] };
    case 'MX':
      need(3);
      return { type: t, priority: rdata.readUInt16BE(0), value: readName(rdata, 2)[0] };
    case 'SRV': {
      need(7);
      const [priority, weight, port] = [rdata.readUInt16BE(0), rdata.readUInt16BE(2), rdata.readUInt16BE(4)];
      return { type: t, priority, weight, port, value: readName(rdata, 6)[0] };
    }
    case 'SOA': {
      const [mname, p1] = readName(rdata, 0);
      const [rname, p2] = readName(rdata, p1);
      if (rdata.length !== p2 + 20) throw malformed('SOA RDATA has the wrong length');
      const nums = [0, 4, 8, 12, 16].map((o) => rdata.readUInt32BE(p2 + o));
      return { type: t, value: [mname, rname, ...nums].join(' ') };
    }
    case 'TXT': {
      const chunks: Buffer[] = [];
      for (let pos = 0; pos < rdata.length; pos += 1 + rdata[pos]!) {
        if (pos + 1 + rdata[pos]! > rdata.length) throw malformed('a TXT string runs past its RDATA');
        chunks.push(rdata.subarray(pos + 1, pos + 1 + rdata[pos]!));
      }
      const strings = chunks.map((c) => c.toString('utf8'));
      return { type: t, value: Buffer.concat(chunks).toString('utf8'), strings };
    }
    default:
      return undefined;
  }
}

/** Wire RDATA of a record (names uncompressed, as RFC 2136 updates and TSIG-covered messages want). */
export function encodeRdata(r: DnsRecord): Buffer {
  const u16 = (n: number | undefined) => {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(checkInt(r, n ?? 0, 0xffff));
    return b;
  };
  switch (r.type) {
    case 'A':
      return parseIPv4(r);
    case 'AAAA':
      return parseIPv6(r);
    case 'NS':
    case 'CNAME':
      return encodeName(r.value);
    case 'MX':
      return Buffer.concat([u16(r.priority), encodeName(r.value)]);
    case 'SRV':
      return Buffer.concat([u16(r.priority), u16(r.weight), u16(r.port), encodeName(r.value)]);
    case 'SOA': {
      const f = r.value.trim().split(/\s+/);
      if (f.length !== 7) throw invalid(r, 'SOA needs "mname rname serial refresh retry expire minimum"');
      const nums = Buffer.alloc(20);
      f.slice(2).forEach((n, i) => nums.writeUInt32BE(checkInt(r, Number(n), 0xffffffff), i * 4));
      return Buffer.concat([encodeName(f[0]!), encodeName(f[1]!), nums]);
    }
    case 'TXT':
      return Buffer.concat(txtStrings(r).map((s) => Buffer.concat([Buffer.from([s.length]), s])));
  }
}

/** The character-strings of a TXT record: `strings` when it matches `value`, else `value` in 255-byte pieces. */
export function txtStrings(r: DnsRecord): Buffer[] {
  if (r.strings && r.strings.join('') === r.value && r.strings.every((s) => Buffer.byteLength(s) <= 255))
    return r.strings.map((s) => Buffer.from(s, 'utf8'));
  const all = Buffer.from(r.value, 'utf8');
  const out: Buffer[] = [];
  for (let i = 0; i < all.length; i += 255) out.push(all.subarray(i, i + 255));
  return out.length ? out : [Buffer.alloc(0)];
}

function parseIPv4(r: DnsRecord): Buffer {
  const parts = r.value.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) < 256))
    throw invalid(r, 'not an IPv4 address');
  return Buffer.from(parts.map(Number));
}

function parseIPv6(r: DnsRecord): Buffer {
  let text = r.value.toLowerCase();
  // A dotted IPv4 tail (`::ffff:192.0.2.1`) is two 16-bit groups.
  const v4 = /(?<=:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = parseIPv4({ ...r, value: v4[1]! });
    text = `${text.slice(0, v4.index)}${b.readUInt16BE(0).toString(16)}:${b.readUInt16BE(2).toString(16)}`;
  }
  const halves = text.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const head = groups(halves[0]);
  const rest = groups(halves[1]);
  const free = 8 - head.length - rest.length;
  const ok =
    halves.length <= 2 &&
    (halves.length === 2 ? free >= 1 : free === 0) &&
    [...head, ...rest].every((g) => /^[0-9a-f]{1,4}$/.test(g));
  if (!ok) throw invalid(r, 'not an IPv6 address');
  const zeros = Array<string>(halves.length === 2 ? free : 0).fill('0');
  const out = Buffer.alloc(16);
  [...head, ...zeros, ...rest].forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

/** RFC 5952 text form: lower-case, leading zeros dropped, the longest run of ≥2 zero groups as `::`. */
export function formatIPv6(b: Buffer): string {
  const w = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2));
  let best = [-1, 0];
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > best[1]! && j - i >= 2) best = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = w.map((x) => x.toString(16));
  if (best[0]! < 0) return hex.join(':');
  return `${hex.slice(0, best[0]).join(':')}::${hex.slice(best[0]! + best[1]!).join(':')}`;
}

/** The expanded wire form of `r` plus its type number, for messages. */
export function recordToWire(r: DnsRecord): { name: string; type: number; ttl: number; rdata: Buffer } {
  return { name: normalizeName(r.name), type: RRType[r.type], ttl: r.ttl, rdata: encodeRdata(r) };
}

function checkInt(r: DnsRecord, n: number, max: number): number {
  if (!Number.isInteger(n) || n < 0 || n > max) throw invalid(r, `${n} is not an integer from 0 to ${max}`);
  return n;
}

function invalid(r: DnsRecord, why: string): PermanentError {
  return new PermanentError(
    ErrorCode.DnsRecordInvalid,
    `Invalid ${r.type} record for ${r.name} (${JSON.stringify(r.value)}): ${why}`,
    'Correct the record value.',
  );
}
