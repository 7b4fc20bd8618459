/**
 * DNS messages on the wire (RFC 1035 §4): header, questions and resource records, decoded with name
 * compression; queries with EDNS(0) (RFC 6891, whose OPT record is otherwise ignored); UPDATE messages
 * (RFC 2136 §2: zone, prerequisite and update sections). TSIG records are parsed here and signed in tsig.ts.
 */
import { randomInt } from 'node:crypto';
import { encodeName, malformed, normalizeName, readName } from './name.js';
import { RRType, decodeRdata, expandRdata, recordToWire } from './rdata.js';
import type { DnsRecord, DnsRecordType } from './records.js';

export { RRType } from './rdata.js';
/** Classes: IN for data; NONE and ANY mark deletions and prerequisites in UPDATE (RFC 2136 §2.4–2.5). */
export const RRClass = { IN: 1, NONE: 254, ANY: 255 } as const;
/** Header opcodes Cutover sends. */
export const Opcode = { QUERY: 0, UPDATE: 5 } as const;
/** RCODEs (RFC 1035, RFC 2136) and the TSIG error codes (RFC 8945 §5.3.2) that share their numbering. */
export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  BADSIG: 16,
  BADKEY: 17,
  BADTIME: 18,
  BADTRUNC: 22,
} as const;

/** `REFUSED`, `BADSIG`…, or `RCODE 12` for one without a name. */
export const rcodeName = (code: number): string =>
  Object.entries(Rcode).find(([, v]) => v === code)?.[0] ?? `RCODE ${code}`;

/** A question (in an UPDATE: the zone). */
export interface Question {
  name: string;
  type: number;
  class: number;
}

/** A resource record as on the wire; `rdata` has its names expanded, so it can be re-sent on its own. */
export interface WireRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  rdata: Buffer;
}

/** The fields of a TSIG record (RFC 8945 §4.2). `timeSigned` is in seconds since the epoch. */
export interface TsigRecord {
  keyName: string;
  algorithm: string;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  other: Buffer;
}

/** A message's header fields and sections. */
export interface Message {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  rcode: number;
  /** The zone section in an UPDATE. */
  questions: Question[];
  /** The prerequisite section in an UPDATE. */
  answers: WireRecord[];
  /** The update section in an UPDATE. */
  authorities: WireRecord[];
  /** Without OPT and TSIG, which are taken out. */
  additionals: WireRecord[];
}

/** A received message, with its TSIG record and where that record starts in `raw` (to verify the MAC). */
export interface DecodedMessage extends Message {
  raw: Buffer;
  tsig?: TsigRecord;
  tsigStart?: number;
}

/** Encode a message without compression; `additionals` may hold an OPT record built by `optRecord`. */
export function encodeMessage(m: Partial<Message> & { id: number }): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(m.id);
  header[2] = (m.qr ? 0x80 : 0) | ((m.opcode ?? 0) << 3) | (m.aa ? 4 : 0) | (m.tc ? 2 : 0) | (m.rd ? 1 : 0);
  header[3] = (m.ra ? 0x80 : 0) | ((m.rcode ?? 0) & 0xf);
  const sections = [m.answers ?? [], m.authorities ?? [], m.additionals ?? []];
  header.writeUInt16BE(m.questions?.length ?? 0, 4);
  sections.forEach((s, i) => header.writeUInt16BE(s.length, 6 + i * 2));
  const parts: Buffer[] = [header];
  for (const q of m.questions ?? []) parts.push(encodeName(q.name), u16(q.type), u16(q.class));
  for (const rr of sections.flat()) parts.push(encodeRecord(rr));
  return Buffer.concat(parts);
}

/** One resource record in wire form. */
export function encodeRecord(rr: WireRecord): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(rr.type);
  fixed.writeUInt16BE(rr.class, 2);
  fixed.writeUInt32BE(rr.ttl >>> 0, 4);
  fixed.writeUInt16BE(rr.rdata.length, 8);
  return Buffer.concat([encodeName(rr.name), fixed, rr.rdata]);
}

/** Decode a whole message; throws a ProtocolError PermanentError on anything malformed. */
export function decodeMessage(raw: Buffer): DecodedMessage {
  if (raw.length < 12) throw malformed(`${raw.length} bytes is shorter than a DNS header`);
  const counts = [4, 6, 8, 10].map((o) => raw.readUInt16BE(o));
  const m: DecodedMessage = {
    raw,
    id: raw.readUInt16BE(0),
    qr: (raw[2]! & 0x80) !== 0,
    opcode: (raw[2]! >> 3) & 0xf,
    aa: (raw[2]! & 4) !== 0,
    tc: (raw[2]! & 2) !== 0,
    rd: (raw[2]! & 1) !== 0,
    ra: (raw[3]! & 0x80) !== 0,
    rcode: raw[3]! & 0xf,
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
  };
  let pos = 12;
  for (let i = 0; i < counts[0]!; i++) {
    const [name, next] = readName(raw, pos);
    if (next + 4 > raw.length) throw malformed('a question is cut off');
    m.questions.push({ name, type: raw.readUInt16BE(next), class: raw.readUInt16BE(next + 2) });
    pos = next + 4;
  }
  const sections = [m.answers, m.authorities, m.additionals];
  for (const [s, section] of sections.entries()) {
    for (let i = 0; i < counts[s + 1]!; i++) {
      const start = pos;
      const [name, next] = readName(raw, pos);
      if (next + 10 > raw.length) throw malformed('a resource record header is cut off');
      const type = raw.readUInt16BE(next);
      const rdlength = raw.readUInt16BE(next + 8);
      pos = next + 10 + rdlength;
      if (pos > raw.length) throw malformed('RDATA runs past the end of the message');
      if (type === RRType.TSIG) {
        if (section !== m.additionals || i !== counts[3]! - 1) throw malformed('TSIG is not the last record');
        m.tsig = parseTsig(name, raw, next + 10, rdlength);
        m.tsigStart = start;
        continue;
      }
      if (type === RRType.OPT) continue; // EDNS(0): nothing Cutover needs from it
      const rdata = expandRdata(raw, type, next + 10, rdlength);
      section.push({ name, type, class: raw.readUInt16BE(next + 2), ttl: raw.readUInt32BE(next + 4), rdata });
    }
  }
  if (pos !== raw.length) throw malformed(`${raw.length - pos} stray bytes after the last record`);
  return m;
}

function parseTsig(keyName: string, raw: Buffer, offset: number, length: number): TsigRecord {
  const end = offset + length;
  const [algorithm, p] = readName(raw, offset);
  if (p + 10 > end) throw malformed('TSIG RDATA is cut off');
  const macSize = raw.readUInt16BE(p + 8);
  const q = p + 10 + macSize;
  if (q + 6 > end) throw malformed('TSIG RDATA is cut off');
  const otherLen = raw.readUInt16BE(q + 4);
  if (q + 6 + otherLen !== end) throw malformed('TSIG RDATA has the wrong length');
  return {
    keyName,
    algorithm,
    timeSigned: raw.readUIntBE(p, 6),
    fudge: raw.readUInt16BE(p + 6),
    mac: Buffer.from(raw.subarray(p + 10, q)),
    originalId: raw.readUInt16BE(q),
    error: raw.readUInt16BE(q + 2),
    other: Buffer.from(raw.subarray(q + 6, end)),
  };
}

/** The DnsRecord of an IN-class wire record of a known type; undefined otherwise. */
export function toDnsRecord(rr: WireRecord): DnsRecord | undefined {
  if (rr.class !== RRClass.IN) return undefined;
  const data = decodeRdata(rr.type, rr.rdata);
  return data && { name: rr.name, ttl: rr.ttl, ...data };
}

/** A random message ID (RFC 5452 §4.3: unpredictable IDs make spoofed answers harder). */
export const newId = (): number => randomInt(0x10000);

/** EDNS(0) OPT pseudo-record advertising `udpSize` (1232 bytes: the DNS Flag Day 2020 value). */
export const optRecord = (udpSize = 1232): WireRecord => ({
  name: '',
  type: RRType.OPT,
  class: udpSize,
  ttl: 0,
  rdata: Buffer.alloc(0),
});

/** A standard query (RD set, so a recursive resolver resolves; an authoritative server ignores it). */
export function buildQuery(name: string, type: number, id = newId(), edns = true): Buffer {
  const questions = [{ name: normalizeName(name), type, class: RRClass.IN }];
  return encodeMessage({ id, rd: true, questions, additionals: edns ? [optRecord()] : [] });
}

/** One operation of an UPDATE's update section (RFC 2136 §2.5). */
export type UpdateOp =
  | { op: 'add'; record: DnsRecord }
  | { op: 'delete'; record: DnsRecord }
  | { op: 'deleteRRset'; name: string; type: DnsRecordType }
  | { op: 'deleteName'; name: string };

/** One prerequisite (RFC 2136 §2.4); `rrsetEquals` lists the whole RRset, all of one name and type. */
export type Prerequisite =
  | { kind: 'rrsetExists' | 'rrsetAbsent'; name: string; type: DnsRecordType }
  | { kind: 'rrsetEquals'; records: DnsRecord[] }
  | { kind: 'nameInUse' | 'nameAbsent'; name: string };

/** An UPDATE message for `zone` (unsigned: sign it with tsig.ts). */
export function buildUpdate(
  zone: string,
  updates: UpdateOp[],
  prerequisites: Prerequisite[] = [],
  id = newId(),
): Buffer {
  const empty = Buffer.alloc(0);
  const bare = (name: string, type: number, cls: number): WireRecord => ({
    name,
    type,
    class: cls,
    ttl: 0,
    rdata: empty,
  });
  const prereqs = prerequisites.flatMap((p): WireRecord[] => {
    switch (p.kind) {
      case 'rrsetExists':
        return [bare(p.name, RRType[p.type], RRClass.ANY)];
      case 'rrsetAbsent':
        return [bare(p.name, RRType[p.type], RRClass.NONE)];
      case 'nameInUse':
        return [bare(p.name, RRType.ANY, RRClass.ANY)];
      case 'nameAbsent':
        return [bare(p.name, RRType.ANY, RRClass.NONE)];
      case 'rrsetEquals':
        return p.records.map((r) => ({ ...recordToWire(r), class: RRClass.IN, ttl: 0 }));
    }
  });
  const section = updates.map((u): WireRecord => {
    switch (u.op) {
      case 'add':
        return { ...recordToWire(u.record), class: RRClass.IN };
      case 'delete':
        return { ...recordToWire(u.record), class: RRClass.NONE, ttl: 0 };
      case 'deleteRRset':
        return bare(normalizeName(u.name), RRType[u.type], RRClass.ANY);
      case 'deleteName':
        return bare(normalizeName(u.name), RRType.ANY, RRClass.ANY);
    }
  });
  return encodeMessage({
    id,
    opcode: Opcode.UPDATE,
    questions: [{ name: normalizeName(zone), type: RRType.SOA, class: RRClass.IN }],
    answers: prereqs,
    authorities: section,
  });
}

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
