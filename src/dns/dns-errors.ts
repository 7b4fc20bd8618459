/** DNS answers that mean failure (RCODEs, TSIG errors), mapped once to Cutover's typed errors. */
import { ErrorCode, PermanentError, TransientError, type CutoverError } from '../errors.js';
import type { DnsServerAddress } from './transport.js';
import { Rcode, rcodeName } from './wire.js';

const at = (s: DnsServerAddress) => `${s.host}:${s.port}`;

/** A query answered with an RCODE other than NOERROR and NXDOMAIN. */
export function queryError(server: DnsServerAddress, what: string, rcode: number): CutoverError {
  const message = `The DNS server at ${at(server)} answered ${rcodeName(rcode)} for ${what}`;
  if (rcode === Rcode.SERVFAIL)
    return new TransientError(
      ErrorCode.DnsQueryFailed,
      message,
      'The server could not answer (often a broken delegation, an unreachable authoritative server or a DNSSEC failure): retry later or ask another server.',
    );
  if (rcode === Rcode.REFUSED)
    return new PermanentError(
      ErrorCode.DnsQueryFailed,
      message,
      'It does not serve this domain and does not resolve for you: ask a server authoritative for the domain, or a resolver that allows you.',
    );
  return new PermanentError(
    ErrorCode.DnsQueryFailed,
    message,
    'The server cannot handle this query: try another DNS server.',
  );
}

/** A zone transfer refused or failed. */
export function transferError(
  server: DnsServerAddress,
  zone: string,
  rcode: number,
  keyName: string | undefined,
): CutoverError {
  if (rcode === Rcode.BADSIG || rcode === Rcode.BADKEY || rcode === Rcode.BADTIME)
    return tsigError(
      server,
      `a transfer of ${zone}`,
      rcode,
      keyName ?? '(none)',
      ErrorCode.DnsTransferRefused,
    );
  if (rcode === Rcode.SERVFAIL) return queryError(server, `a transfer of ${zone}`, rcode);
  return new PermanentError(
    ErrorCode.DnsTransferRefused,
    `The DNS server at ${at(server)} refused a zone transfer (AXFR) of ${zone} (${rcodeName(rcode)})`,
    keyName
      ? `Allow transfers of ${zone} for TSIG key ${keyName} on the server (BIND: allow-transfer { key ${keyName}; }; Knot: an acl with action transfer), or export the zone file from the DNS provider's panel.`
      : `Transfers usually need a TSIG key: pass one, allow transfers to this address on the server, or export the zone file from the DNS provider's panel.`,
  );
}

/** A dynamic update (RFC 2136) answered with anything but NOERROR. */
export function updateError(
  server: DnsServerAddress,
  zone: string,
  rcode: number,
  keyName: string,
): CutoverError {
  const what = `the update of ${zone}`;
  const message = `The DNS server at ${at(server)} rejected ${what}: ${rcodeName(rcode)}`;
  switch (rcode) {
    case Rcode.BADSIG:
    case Rcode.BADKEY:
    case Rcode.BADTIME:
      return tsigError(server, what, rcode, keyName, ErrorCode.DnsUpdateRefused);
    case Rcode.REFUSED:
      return new PermanentError(
        ErrorCode.DnsUpdateRefused,
        `${message} (refused: updates of this zone are not allowed with key ${keyName}, or the server does not serve the zone)`,
        `Allow updates of ${zone} for key ${keyName} on the server (BIND: update-policy or allow-update { key ${keyName}; }; Knot: an acl with action update), and check that this is the zone's primary server.`,
      );
    case Rcode.NOTAUTH:
      return new PermanentError(
        ErrorCode.DnsUpdateRefused,
        `${message} (not authoritative: the server does not serve ${zone} as a primary)`,
        `Check the zone name, and send updates to the zone's primary server (the MNAME of its SOA record).`,
      );
    case Rcode.NOTZONE:
      return new PermanentError(
        ErrorCode.DnsUpdateRefused,
        `${message} (a record is outside the zone)`,
        `Only change names that end in ${zone}.`,
      );
    case Rcode.YXDOMAIN:
    case Rcode.YXRRSET:
    case Rcode.NXDOMAIN:
    case Rcode.NXRRSET:
      return new PermanentError(
        ErrorCode.DnsUpdateRefused,
        `${message} (a prerequisite failed: the zone changed since the plan was made)`,
        'Look at the zone again and make a new plan.',
      );
    case Rcode.SERVFAIL:
      return new TransientError(
        ErrorCode.DnsUpdateRefused,
        `${message} (server failure)`,
        'Retry later; see the server log if it persists.',
      );
    default:
      return new PermanentError(
        ErrorCode.DnsUpdateRefused,
        message,
        'The server does not accept this update: check that it supports RFC 2136 dynamic updates.',
      );
  }
}

/** The server rejected our TSIG signature (RFC 8945 §5.2). */
function tsigError(
  server: DnsServerAddress,
  what: string,
  rcode: number,
  keyName: string,
  code: ErrorCode,
): CutoverError {
  const message = `The DNS server at ${at(server)} rejected the TSIG signature on ${what}: ${rcodeName(rcode)}`;
  if (rcode === Rcode.BADKEY)
    return new PermanentError(
      code,
      `${message} (it does not know key ${keyName} with algorithm hmac-sha256, or does not allow that key here)`,
      `Use the key name exactly as configured on the server, with algorithm hmac-sha256, and allow key ${keyName} to do this on the server (BIND: update-policy, allow-update or allow-transfer; Knot: an acl with action update or transfer).`,
    );
  if (rcode === Rcode.BADTIME)
    return new PermanentError(
      code,
      `${message} (the clocks differ by more than 5 minutes)`,
      "Synchronise this machine's clock (NTP) and the server's.",
    );
  return new PermanentError(
    code,
    `${message} (the signature does not verify: the secret of key ${keyName} is wrong)`,
    `Copy the secret of key ${keyName} again, exactly as the server has it (base64).`,
  );
}
