/**
 * TSIG (RFC 8945) with HMAC-SHA256: signing requests and verifying the server's answers, including the
 * later messages of a zone transfer (§5.3.1), which are signed over everything since the previous MAC.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCode, PermanentError } from '../errors.js';
import { encodeName, normalizeName } from './name.js';
import { RRClass, RRType, encodeRecord, rcodeName, type DecodedMessage } from './wire.js';

/** A TSIG key as DNS servers configure it; `secret` is base64 (what `tsig-keygen`/`keymgr` print). */
export interface TsigKey {
  name: string;
  algorithm: 'hmac-sha256';
  secret: string;
}

const ALGORITHM = 'hmac-sha256';
/** Allowed clock difference, seconds (RFC 8945 §10 recommends 300). */
const FUDGE = 300;

/** Sign `msg` (a complete unsigned message): returns the message with its TSIG record and the MAC. */
export function signMessage(msg: Buffer, key: TsigKey, now = Date.now()): { wire: Buffer; mac: Buffer } {
  const timeSigned = Math.floor(now / 1000);
  const id = msg.readUInt16BE(0);
  const mac = hmac(key, [msg, variables(key.name, timeSigned, FUDGE, 0)]);
  const rdata = Buffer.concat([
    encodeName(ALGORITHM),
    u48(timeSigned),
    u16(FUDGE),
    u16(mac.length),
    mac,
    u16(id),
    u16(0), // error
    u16(0), // other len
  ]);
  const rr = encodeRecord({
    name: normalizeName(key.name),
    type: RRType.TSIG,
    class: RRClass.ANY,
    ttl: 0,
    rdata,
  });
  const head = Buffer.from(msg);
  head.writeUInt16BE(head.readUInt16BE(10) + 1, 10); // ARCOUNT
  return { wire: Buffer.concat([head, rr]), mac };
}

/** Checks the TSIG of each message answering one signed request, in order; `finish()` after the last. */
export class TsigVerifier {
  private prior: Buffer;
  private pending: Buffer[] = [];
  private first = true;

  constructor(
    private readonly key: TsigKey,
    requestMac: Buffer,
    private readonly now: () => number = Date.now,
  ) {
    this.prior = requestMac;
  }

  /** Throws DnsTsigInvalid unless `m` is correctly signed (or an allowed unsigned middle message). */
  check(m: DecodedMessage): void {
    const t = m.tsig;
    if (!t || m.tsigStart === undefined) {
      // §5.3.1: only messages between signed ones may be unsigned, at most 99 in a row.
      if (this.first) throw this.fail('the answer is not signed');
      if (this.pending.push(m.raw) >= 100) throw this.fail('more than 99 unsigned messages in a row');
      return;
    }
    if (normalizeName(t.keyName) !== normalizeName(this.key.name) || normalizeName(t.algorithm) !== ALGORITHM)
      throw this.fail(`the answer is signed with key ${t.keyName} (${t.algorithm})`);
    if (t.error !== 0) throw this.fail(`the server reports TSIG error ${rcodeName(t.error)}`);
    const body = Buffer.from(m.raw.subarray(0, m.tsigStart));
    body.writeUInt16BE(t.originalId, 0);
    body.writeUInt16BE(body.readUInt16BE(10) - 1, 10);
    const tail = this.first
      ? variables(t.keyName, t.timeSigned, t.fudge, t.error, t.other)
      : Buffer.concat([u48(t.timeSigned), u16(t.fudge)]);
    const expected = hmac(this.key, [u16(this.prior.length), this.prior, ...this.pending, body, tail]);
    // Truncated MACs (§5.2.2.1) are not accepted: Cutover never asks for them.
    if (t.mac.length !== expected.length || !timingSafeEqual(t.mac, expected))
      throw this.fail('its MAC does not match');
    if (Math.abs(this.now() / 1000 - t.timeSigned) > t.fudge)
      throw this.fail(
        `it was signed at ${new Date(t.timeSigned * 1000).toISOString()}, outside the allowed clock skew`,
      );
    this.prior = t.mac;
    this.pending = [];
    this.first = false;
  }

  /** The last message must be signed (§5.3.1). */
  finish(): void {
    if (this.first || this.pending.length) throw this.fail('the last message of the answer is not signed');
  }

  private fail(why: string): PermanentError {
    return new PermanentError(
      ErrorCode.DnsTsigInvalid,
      `The DNS server's answer failed TSIG verification with key ${this.key.name}: ${why}`,
      'Check that the server uses the same key name and secret (hmac-sha256) and that both clocks are right; otherwise something between you and the server alters DNS traffic.',
    );
  }
}

/** RFC 8945 §4.3.3 "TSIG Variables". */
function variables(
  keyName: string,
  timeSigned: number,
  fudge: number,
  error: number,
  other: Buffer = Buffer.alloc(0),
): Buffer {
  const classTtl = Buffer.alloc(6);
  classTtl.writeUInt16BE(RRClass.ANY);
  return Buffer.concat([
    encodeName(keyName), // lower-cased by encodeName: the canonical form §4.3.3 asks for
    classTtl,
    encodeName(ALGORITHM),
    u48(timeSigned),
    u16(fudge),
    u16(error),
    u16(other.length),
    other,
  ]);
}

function hmac(key: TsigKey, parts: Buffer[]): Buffer {
  if (key.algorithm !== ALGORITHM)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `TSIG algorithm ${String(key.algorithm)} is not supported`,
      'Create an hmac-sha256 key on the DNS server.',
    );
  const secret = Buffer.from(key.secret, 'base64');
  if (secret.length === 0 || !/^[A-Za-z0-9+/]+=*$/.test(key.secret.trim()))
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `The secret of TSIG key ${key.name} is not base64`,
      'Copy the secret exactly as the DNS server shows it (base64, e.g. from `tsig-keygen` or `keymgr -t`).',
    );
  const h = createHmac('sha256', secret);
  for (const p of parts) h.update(p);
  return h.digest();
}

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n);
  return b;
};
const u48 = (n: number) => {
  const b = Buffer.alloc(6);
  b.writeUIntBE(n, 0, 6);
  return b;
};
