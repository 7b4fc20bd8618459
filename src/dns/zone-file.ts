/**
 * A complete zone in BIND master-file format (RFC 1035 §5, RFC 3597 for unknown types): the current zone
 * with the cutover changes applied and the SOA serial bumped, for DNS providers that import a zone file.
 */
import { ErrorCode, PermanentError } from '../errors.js';
import type { DnsChange } from './diff.js';
import { inZone, normalizeName } from './name.js';
import { txtStrings } from './rdata.js';
import { rrsetKey, sameRecord, type DnsRecord } from './records.js';
import type { OpaqueRecord, ZoneTransfer } from './resolver.js';

/**
 * DNSSEC records made by the old signer (RRSIG, NSEC, DNSKEY, NSEC3, NSEC3PARAM) are left out: they no
 * longer verify once the zone changes, and the new provider signs the zone itself (and the DS record at the
 * registrar has to follow).
 */
const SIGNER_TYPES = new Set([46, 47, 48, 50, 51]);
const TYPE_ORDER = ['SOA', 'NS', 'MX', 'TXT', 'A', 'AAAA', 'CNAME', 'SRV'];

/** Zone text for `domain`: `current` (e.g. from axfr()) with `changes` applied. */
export function zoneFile(
  domain: string,
  current: readonly DnsRecord[] | ZoneTransfer,
  changes: readonly DnsChange[],
  opts: { now?: Date } = {},
): string {
  const zone = normalizeName(domain);
  const known = 'records' in current ? current.records : current;
  const opaque = 'records' in current ? current.other : [];
  const gone = changes.flatMap((c) => (c.action === 'delete' ? [c.record] : c.previous ? [c.previous] : []));
  let records = known.filter((r) => !gone.some((g) => sameRecord(g, r)));
  for (const c of changes)
    if (c.action !== 'delete' && !records.some((r) => sameRecord(r, c.record))) records.push(c.record);
  for (const r of [...records, ...opaque])
    if (!inZone(r.name, zone))
      throw new PermanentError(
        ErrorCode.DnsRecordInvalid,
        `${r.name} is not in zone ${zone}`,
        `A zone file for ${zone} can only hold names that end in ${zone}.`,
      );
  const soa = records.find((r) => r.type === 'SOA' && normalizeName(r.name) === zone);
  if (!soa)
    throw new PermanentError(
      ErrorCode.DnsRecordInvalid,
      `The records of ${zone} have no SOA record`,
      'Pass the whole zone (axfr() gives it), not a few records.',
    );
  const f = soa.value.split(/\s+/);
  const bumped = {
    ...soa,
    value: [f[0], f[1], nextSerial(Number(f[2]), opts.now ?? new Date()), ...f.slice(3)].join(' '),
  };
  records = [bumped, ...records.filter((r) => r !== soa)];
  // One TTL per RRset (RFC 2181 §5.2): where old and new records mix, the lowest, so changes stay quick.
  const rrsetTtl = new Map<string, number>();
  for (const r of records) rrsetTtl.set(rrsetKey(r), Math.min(r.ttl, rrsetTtl.get(rrsetKey(r)) ?? r.ttl));
  records = records.map((r) => ({ ...r, ttl: rrsetTtl.get(rrsetKey(r))! }));

  const rel = (name: string) => {
    const n = normalizeName(name);
    return n === zone ? '@' : n.slice(0, n.length - zone.length - 1);
  };
  const lines: Array<[string, number, string, string]> = records.map((r) => [
    rel(r.name),
    r.ttl,
    r.type,
    rdataText(r),
  ]);
  const kept = opaque.filter((o) => !SIGNER_TYPES.has(o.type));
  for (const o of kept) lines.push([rel(o.name), o.ttl, `TYPE${o.type}`, genericRdata(o)]);
  const rank = (type: string) => (TYPE_ORDER.includes(type) ? TYPE_ORDER.indexOf(type) : TYPE_ORDER.length);
  lines.sort(
    (a, b) =>
      Number(b[2] === 'SOA') - Number(a[2] === 'SOA') ||
      Number(b[0] === '@') - Number(a[0] === '@') ||
      (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0) ||
      rank(a[2]) - rank(b[2]) ||
      (a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0),
  );
  const width = Math.max(...lines.map((l) => l[0].length), 1);
  const dropped = opaque.length - kept.length;
  return [
    `; Zone ${zone}, written by Cutover: the current zone with ${changes.length} cutover change(s) applied.`,
    ...(dropped
      ? [`; ${dropped} DNSSEC record(s) of the old signer left out: the new provider signs the zone.`]
      : []),
    `$ORIGIN ${zone}.`,
    `$TTL ${bumped.ttl}`,
    ...lines.map(
      ([owner, ttl, type, data]) =>
        `${owner.padEnd(width)} ${String(ttl).padStart(6)} IN ${type.padEnd(5)} ${data}`,
    ),
    '',
  ].join('\n');
}

/**
 * The next SOA serial: a date-style serial (YYYYMMDDnn) moves to today's first number or one more; any other
 * serial goes up by one (RFC 1982 arithmetic, wrapping at 2^32).
 */
export function nextSerial(serial: number, now: Date): number {
  const today = Number(now.toISOString().slice(0, 10).replaceAll('-', '')) * 100;
  const dateLike = /^(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\d\d$/.test(String(serial));
  return dateLike ? Math.max(serial + 1, today) : (serial + 1) % 2 ** 32;
}

const fqdn = (name: string) => `${normalizeName(name)}.`;

function rdataText(r: DnsRecord): string {
  switch (r.type) {
    case 'NS':
    case 'CNAME':
      return fqdn(r.value);
    case 'MX':
      return `${r.priority ?? 0} ${fqdn(r.value)}`;
    case 'SRV':
      return `${r.priority ?? 0} ${r.weight ?? 0} ${r.port ?? 0} ${fqdn(r.value)}`;
    case 'SOA': {
      const [mname, rname, ...nums] = r.value.split(/\s+/);
      return [fqdn(mname!), fqdn(rname!), ...nums].join(' ');
    }
    case 'TXT':
      return txtStrings(r).map(quote).join(' ');
    default:
      return r.value;
  }
}

/** A character-string in quotes: `"` and `\` escaped, bytes outside printable ASCII as `\DDD`. */
function quote(bytes: Buffer): string {
  let s = '"';
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) s += `\\${String.fromCharCode(b)}`;
    else if (b >= 0x20 && b < 0x7f) s += String.fromCharCode(b);
    else s += `\\${String(b).padStart(3, '0')}`;
  }
  return `${s}"`;
}

/** RFC 3597 §5 generic form: `\# length hex`. */
const genericRdata = (o: OpaqueRecord) =>
  `\\# ${o.rdata.length}${o.rdata.length ? ` ${o.rdata.toString('hex')}` : ''}`;
