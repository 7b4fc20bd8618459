/**
 * ManageSieve replies and socket failures mapped to Cutover's typed errors, once, at the edge. Response codes
 * are RFC 5804 §1.3 (AUTH-TOO-WEAK, ENCRYPT-NEEDED, QUOTA, QUOTA/MAXSCRIPTS, QUOTA/MAXSIZE, NONEXISTENT,
 * ACTIVE, ALREADYEXISTS, TRYLATER, WARNINGS, TRANSITION-NEEDED…).
 */
import { AbortError, CutoverError, ErrorCode, PermanentError, TransientError } from '../../errors.js';
import { mapSocketError, type SocketHints } from '../shared/socket-errors.js';

/** A NO or BYE reply. The message names the command's verb only: never an argument (AUTHENTICATE carries secrets). */
export class SieveReplyError extends Error {
  constructor(
    readonly verb: string,
    readonly status: 'NO' | 'BYE',
    /** The response code, upper-cased ("QUOTA/MAXSIZE", "NONEXISTENT"), if any. */
    readonly code: string | undefined,
    /** The server's human text (quoted or literal), as it said it. */
    readonly text: string,
  ) {
    super(`${verb} refused: ${status}${code ? ` (${code})` : ''}${text ? ` ${text}` : ''}`);
  }
  /** The server's words: code and text. */
  get said(): string {
    return `${this.code ? `(${this.code}) ` : ''}${this.text.trim()}`;
  }
}

/** What socket-level errors tell a ManageSieve user to check. */
const HINTS: SocketHints = {
  ports: 'ManageSieve 4190 (some older servers use 2000)',
  tls: 'ManageSieve upgrades with STARTTLS on its own port; for a self-signed lab certificate add insecure=1, or better trust it with NODE_EXTRA_CA_CERTS=/path/ca.pem.',
};

interface ErrLike {
  code?: string;
  message?: string;
}

/** Map anything a ManageSieve operation threw to a CutoverError. `where` names the server and mailbox. */
export function mapSieveError(err: unknown, where: string, viaToken = false): CutoverError {
  if (err instanceof CutoverError) return err;
  const opt = { cause: err };
  if (err instanceof SieveReplyError) {
    const said = err.said;
    if (err.code === 'TRYLATER' || err.status === 'BYE')
      return new TransientError(
        ErrorCode.ServerUnavailable,
        `${where}: the ManageSieve server is not available just now: ${said || err.status}`,
        'Cutover retries on its own; check the server if it persists.',
        opt,
      );
    if (err.verb === 'AUTHENTICATE') {
      if (err.code === 'ENCRYPT-NEEDED' || err.code === 'AUTH-TOO-WEAK' || err.code === 'TRANSITION-NEEDED')
        return new PermanentError(
          ErrorCode.AuthFailed,
          `${where}: the server refuses this login without TLS: ${said}`,
          'Let Cutover use STARTTLS (leave out tls: none), or enable STARTTLS on the ManageSieve service.',
          opt,
        );
      return new PermanentError(
        ErrorCode.AuthFailed,
        viaToken
          ? `${where}: the OAuth access token was refused (expired, revoked, or for another user or scope): ${said}`
          : `${where}: login refused — wrong user name or password (or the account is disabled): ${said}`,
        viaToken
          ? 'Get a fresh token for this mailbox, then rerun.'
          : 'Check the login and password (the same as for IMAP on most servers); for an admin/master login check that it may act for this mailbox.',
        opt,
      );
    }
    if (err.code === 'NONEXISTENT')
      return new PermanentError(
        ErrorCode.NotFound,
        `${where}: ${err.verb}: the script is not there: ${said}`,
        'List the scripts again; another client may have deleted or renamed it.',
        opt,
      );
    return new PermanentError(ErrorCode.ProtocolError, `${where}: ${err.verb}: ${said}`, undefined, opt);
  }
  if (err instanceof Error && err.name === 'AbortError')
    return new AbortError('Stopped by the user; rerun to resume.');
  const socket = mapSocketError(err, where, HINTS);
  if (socket) return socket;
  const e = (err ?? {}) as ErrLike;
  if (e.code === 'PROTOCOL')
    return new TransientError(
      ErrorCode.ProtocolError,
      `${where}: the server's reply is not ManageSieve: ${e.message}`,
      'Check that the port is the ManageSieve port (usually 4190), not IMAP or another service.',
      opt,
    );
  return new TransientError(
    ErrorCode.ConnectionLost,
    `${where}: the ManageSieve connection was lost (${e.code || e.message || String(err)}).`,
    'Cutover retries on its own; if it persists, check the network and server logs.',
    opt,
  );
}

/**
 * A script the destination refused (PUTSCRIPT said NO): permanent, with the server's own words. RFC 5804
 * QUOTA codes become the quota and size codes; anything else (a missing extension, a syntax error) is a rejection.
 */
export function scriptRefused(err: SieveReplyError, where: string, name: string): PermanentError {
  const code =
    err.code === 'QUOTA/MAXSIZE'
      ? ErrorCode.MessageTooLarge
      : err.code?.startsWith('QUOTA')
        ? ErrorCode.QuotaExceeded
        : ErrorCode.MessageRejected;
  const hint =
    code === ErrorCode.MessageRejected
      ? "The destination's Sieve lacks something the script uses (often an extension, see the server's words): enable it there (Pigeonhole: sieve_extensions), or edit the script at the source and rerun."
      : 'Raise the Sieve quota or script size limit at the destination (Pigeonhole: sieve_max_script_size, sieve_quota_*), or shorten the script, and rerun.';
  return new PermanentError(code, `${where}: the destination refused script '${name}': ${err.said}`, hint, {
    cause: err,
  });
}
