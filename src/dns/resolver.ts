/** Lookups (UDP, TCP when truncated) and zone transfers (AXFR over TCP, optionally TSIG-signed). */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { queryError, transferError } from './dns-errors.js';
import { inZone, malformed, normalizeName } from './name.js';
import type { DnsRecord } from './records.js';
import { signMessage, TsigVerifier, type TsigKey } from './tsig.js';
import { tcpExchange, udpExchange, type DnsServerAddress } from './transport.js';
import {
  buildQuery,
  decodeMessage,
  newId,
  Rcode,
  RRClass,
  RRType,
  toDnsRecord,
  type DecodedMessage,
} from './wire.js';

export type { DnsServerAddress } from './transport.js';

/** Where to ask, for how long. */
export interface LookupOptions {
  /** Default: the first nameserver of /etc/resolv.conf. */
  server?: DnsServerAddress;
  /** Per transport attempt (UDP, then TCP when truncated); default 5 s. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Per attempt, when no timeout is given. */
export const DEFAULT_TIMEOUT_MS = 5000;

/**
 * The records of `type` that answer `name` (following a CNAME chain the server resolves: their owner is the
 * chain's end). NXDOMAIN and "no such type" are []; a timeout, refusal or server failure throws.
 */
export async function lookup(
  name: string,
  type: DnsRecord['type'],
  opts: LookupOptions = {},
): Promise<DnsRecord[]> {
  const m = await query(name, RRType[type], opts);
  if (m.rcode === Rcode.NXDOMAIN) return [];
  if (m.rcode !== Rcode.NOERROR) throw queryError(serverOf(opts), `${normalizeName(name)} ${type}`, m.rcode);
  return m.answers.map(toDnsRecord).filter((r): r is DnsRecord => r?.type === type);
}

/** One query by UDP, repeated by TCP when the answer is truncated (RFC 7766 §5); the answer with any RCODE. */
export async function query(name: string, type: number, opts: LookupOptions = {}): Promise<DecodedMessage> {
  const server = serverOf(opts);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const ask = async (edns: boolean) => {
    const q = buildQuery(name, type, newId(), edns);
    return answerTo(q, decodeMessage(await udpExchange(server, q, { timeoutMs, signal: opts.signal })));
  };
  let m = await ask(true);
  // RFC 6891 §7: a server that does not know EDNS answers FORMERR; ask again without it.
  if (m.rcode === Rcode.FORMERR) m = await ask(false);
  if (!m.tc) return m;
  const q = buildQuery(name, type, newId(), false);
  let answer: DecodedMessage | undefined;
  await tcpExchange(server, q, { timeoutMs, signal: opts.signal }, (raw) => {
    answer = answerTo(q, decodeMessage(raw));
    return 'done';
  });
  return answer!;
}

/** Check that `m` answers question `q` (same ID is checked by the transport). */
function answerTo(q: Buffer, m: DecodedMessage): DecodedMessage {
  const asked = decodeMessage(q).questions[0]!;
  const got = m.questions[0];
  if (!m.qr || !got || got.name !== asked.name || got.type !== asked.type)
    throw malformed(`the answer is not for the question asked (${asked.name} type ${asked.type})`);
  return m;
}

/** A record of a type Cutover does not model, kept as its type number and wire RDATA (RFC 3597). */
export interface OpaqueRecord {
  name: string;
  type: number;
  ttl: number;
  rdata: Buffer;
}

/** A whole zone: the SOA first, then the other records in the order the server sent them. */
export interface ZoneTransfer {
  zone: string;
  records: DnsRecord[];
  other: OpaqueRecord[];
}

/**
 * Every record of `zone` by AXFR (RFC 5936) over TCP, signed with `tsig` when given (the server's answer
 * must then be signed too). A refusal is a DnsTransferRefused PermanentError.
 */
export async function axfr(
  zone: string,
  opts: LookupOptions & { tsig?: TsigKey } = {},
): Promise<ZoneTransfer> {
  const server = serverOf(opts);
  const origin = normalizeName(zone);
  let q = buildQuery(origin, RRType.AXFR, newId(), false);
  let verifier: TsigVerifier | undefined;
  if (opts.tsig) {
    const signed = signMessage(q, opts.tsig);
    q = signed.wire;
    verifier = new TsigVerifier(opts.tsig, signed.mac);
  }
  const out: ZoneTransfer = { zone: origin, records: [], other: [] };
  let soas = 0;
  await tcpExchange(
    server,
    q,
    { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal: opts.signal },
    (raw) => {
      const m = decodeMessage(raw);
      if (m.tsig?.error) throw transferError(server, origin, m.tsig.error, opts.tsig?.name);
      if (m.rcode !== Rcode.NOERROR) throw transferError(server, origin, m.rcode, opts.tsig?.name);
      verifier?.check(m);
      for (const rr of m.answers) {
        if (soas === 0 && rr.type !== RRType.SOA)
          throw malformed('a zone transfer does not start with the SOA');
        if (rr.type === RRType.SOA && ++soas > 1) break; // the closing SOA repeats the first
        if (rr.class !== RRClass.IN || !inZone(rr.name, origin)) continue;
        const known = toDnsRecord(rr);
        if (known) out.records.push(known);
        else out.other.push({ name: rr.name, type: rr.type, ttl: rr.ttl, rdata: rr.rdata });
      }
      return soas > 1 ? 'done' : 'more';
    },
  );
  verifier?.finish();
  return out;
}

let systemServer: DnsServerAddress | undefined;

/** The first `nameserver` of /etc/resolv.conf (port 53), or 127.0.0.1 when there is none. */
export function systemNameserver(): DnsServerAddress {
  if (!systemServer) {
    let host = '127.0.0.1';
    try {
      const conf = readFileSync('/etc/resolv.conf', 'utf8');
      const ns = /^\s*nameserver\s+(\S+)/m.exec(conf)?.[1]?.replace(/%.*$/, '');
      if (ns && net.isIP(ns)) host = ns;
    } catch {
      // No resolv.conf (containers, Windows): the local resolver is the usual guess.
    }
    systemServer = { host, port: 53 };
  }
  return systemServer;
}

const serverOf = (opts: LookupOptions): DnsServerAddress => opts.server ?? systemNameserver();
