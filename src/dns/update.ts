/** Applying changes with an RFC 2136 dynamic update, signed with TSIG (RFC 8945). */
import { ErrorCode, PermanentError } from '../errors.js';
import type { DnsChange } from './diff.js';
import { updateError } from './dns-errors.js';
import { inZone, malformed, normalizeName } from './name.js';
import { DEFAULT_TIMEOUT_MS } from './resolver.js';
import { signMessage, TsigVerifier, type TsigKey } from './tsig.js';
import { tcpExchange, type DnsServerAddress } from './transport.js';
import {
  buildUpdate,
  decodeMessage,
  Opcode,
  Rcode,
  type DecodedMessage,
  type Prerequisite,
  type UpdateOp,
} from './wire.js';

/** Where to send an update and how to sign it. */
export interface UpdateOptions {
  /** The zone's primary server (the MNAME of its SOA, usually). */
  server: DnsServerAddress;
  tsig: TsigKey;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Checked by the server before anything changes; a failed one rejects the whole update (RFC 2136 §3.2). */
  prerequisites?: Prerequisite[];
}

/**
 * Make `changes` in `domain` in one atomic update. Deletions go first (a CNAME can only be added once the
 * name's other records are gone, RFC 2136 §3.4.2.2). Rerunning it is harmless: adding a record that is there
 * and deleting one that is not are no-ops. A refusal is a PermanentError naming the RCODE.
 */
export async function applyUpdate(
  domain: string,
  changes: readonly DnsChange[],
  opts: UpdateOptions,
): Promise<void> {
  if (changes.length === 0) return;
  const deletes = changes.flatMap((c): UpdateOp[] =>
    c.action === 'delete'
      ? [{ op: 'delete', record: c.record }]
      : c.previous
        ? [{ op: 'delete', record: c.previous }]
        : [],
  );
  const adds = changes.flatMap((c): UpdateOp[] =>
    c.action === 'delete' ? [] : [{ op: 'add', record: c.record }],
  );
  await sendUpdate(domain, [...deletes, ...adds], opts);
}

/** Send one UPDATE of `zone` made of `ops` (the raw form of applyUpdate). */
export async function sendUpdate(zone: string, ops: readonly UpdateOp[], opts: UpdateOptions): Promise<void> {
  const origin = normalizeName(zone);
  for (const o of ops) {
    const name = 'record' in o ? o.record.name : o.name;
    if (!inZone(name, origin))
      throw new PermanentError(
        ErrorCode.DnsRecordInvalid,
        `${name} is not in zone ${origin}: it cannot be changed by an update of that zone`,
        `Only change names that end in ${origin}, or update their own zone.`,
      );
  }
  // TCP: no size limit, and no retransmitted datagram arriving after a retry.
  const { wire, mac } = signMessage(buildUpdate(origin, [...ops], opts.prerequisites), opts.tsig);
  const verifier = new TsigVerifier(opts.tsig, mac);
  let answer: DecodedMessage | undefined;
  await tcpExchange(
    opts.server,
    wire,
    { timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS, signal: opts.signal },
    (raw) => {
      answer = decodeMessage(raw);
      return 'done';
    },
  );
  const m = answer!;
  if (!m.qr || m.opcode !== Opcode.UPDATE)
    throw malformed('the answer to an UPDATE is not an UPDATE response');
  // BADSIG/BADKEY/BADTIME come as NOTAUTH with the TSIG error set, unsigned (RFC 8945 §5.2).
  if (m.tsig?.error) throw updateError(opts.server, origin, m.tsig.error, opts.tsig.name);
  if (m.rcode !== Rcode.NOERROR) {
    if (m.tsig?.mac.length) verifier.check(m); // a signed refusal must verify; an unsigned one is still reported
    throw updateError(opts.server, origin, m.rcode, opts.tsig.name);
  }
  verifier.check(m);
  verifier.finish();
}
