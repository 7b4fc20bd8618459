/**
 * Maps errors from sockets, TLS, DNS and POP3 "-ERR" replies to Cutover's typed errors, once, at the edge.
 * Response codes are RFC 2449 (IN-USE, LOGIN-DELAY), RFC 3206 (SYS/TEMP, SYS/PERM, AUTH).
 */
import {
  CutoverError,
  ErrorCode,
  PermanentError,
  RateLimitError,
  TransientError,
  AbortError,
} from '../../errors.js';
import { mapSocketError, type SocketHints } from '../shared/socket-errors.js';

/** A "-ERR" reply. The message names the command's verb only: never an argument (PASS, AUTH carry secrets). */
export class Pop3ReplyError extends Error {
  /** The response code in brackets, upper-cased ("IN-USE", "SYS/TEMP"), if any. */
  readonly code: string | undefined;
  /** The human text after the code. */
  readonly text: string;
  constructor(
    readonly verb: string,
    line: string,
    /** Set on a refused login. */
    readonly login = false,
  ) {
    const m = /^-ERR\s*(?:\[([^\]]*)\])?\s*(.*)$/i.exec(line);
    const code = m?.[1]?.toUpperCase();
    const text = (m?.[2] ?? line).trim();
    super(`${verb} refused: ${code ? `[${code}] ` : ''}${text}`);
    this.code = code;
    this.text = text;
  }
}

/** What socket-level errors tell a POP3 user to check. */
const HINTS: SocketHints = {
  ports: 'POP3 110, POP3S 995',
  tls: 'Use pop3s:// for port 995, pop3:// (with stls=1 if needed) for 110; for a self-signed lab certificate add insecure=1, or better trust it with NODE_EXTRA_CA_CERTS=/path/ca.pem.',
};

/** Wait when a server says LOGIN-DELAY without how long. */
const LOGIN_DELAY_MS = 60_000;

interface ErrLike {
  code?: string;
  message?: string;
}

/** True when a "-ERR" to RETR/TOP means the message is not there (any more). */
export function isGone(err: Pop3ReplyError): boolean {
  return /no such message|no message|there'?s no message|expunged|deleted|not found|invalid message|out of range|unknown message/i.test(
    err.text,
  );
}

/** True when a "-ERR" says to try again later (the mailbox is locked, the server has a passing problem). */
export function isTemporary(err: Pop3ReplyError): boolean {
  return err.code === 'IN-USE' || err.code === 'SYS/TEMP' || err.code === 'LOGIN-DELAY';
}

/** Map anything a POP3 operation threw to a CutoverError. `where` names the server and mailbox. */
export function mapPop3Error(err: unknown, where: string, viaToken = false): CutoverError {
  if (err instanceof CutoverError) return err;
  const opt = { cause: err };
  if (err instanceof Pop3ReplyError) {
    const said = `${err.code ? `[${err.code}] ` : ''}${err.text}`;
    if (err.code === 'IN-USE')
      return new TransientError(
        ErrorCode.Busy,
        `${where}: the mailbox is in use by another POP3 session: ${said}`,
        'Another mail client (or a second Cutover run) holds the POP3 lock; Cutover retries on its own. Close the other client if it persists.',
        opt,
      );
    if (err.code === 'LOGIN-DELAY')
      return new RateLimitError(
        `${where}: the server wants a pause between logins: ${said}`,
        LOGIN_DELAY_MS,
        opt,
      );
    if (err.verb === 'greeting')
      return new TransientError(
        ErrorCode.ConnectionRefused,
        `${where}: the server refused the session: ${said}`,
        'The server may be overloaded or limit connections; Cutover retries on its own.',
        opt,
      );
    if (err.code === 'SYS/TEMP')
      return new TransientError(
        ErrorCode.ProtocolError,
        `${where}: temporary server problem: ${said}`,
        'Cutover retries on its own.',
        opt,
      );
    if (err.login && /plaintext|non-secure|ssl|tls|encrypt/i.test(err.text))
      return new PermanentError(
        ErrorCode.AuthFailed,
        `${where}: the server refuses a password over an unencrypted connection: ${said}`,
        'Use pop3s:// (TLS, port 995) or pop3://…?stls=1 (STARTTLS on port 110).',
        opt,
      );
    if (err.login && viaToken)
      return new PermanentError(
        ErrorCode.AuthFailed,
        `${where}: the OAuth access token was refused (expired, revoked, or issued for another user or scope): ${said}`,
        'Get a fresh token for this mailbox with the mail scope, then rerun.',
        opt,
      );
    if (err.login)
      return new PermanentError(
        ErrorCode.AuthFailed,
        `${where}: login refused — wrong user name or password (or the account is disabled): ${said}`,
        'Check the login and password; for an admin/master login check that it may act for this mailbox.',
        opt,
      );
    if (err.code === 'SYS/PERM')
      return new PermanentError(ErrorCode.SourceReadFailed, `${where}: ${said}`, undefined, opt);
    return new TransientError(ErrorCode.ProtocolError, `${where}: ${err.message}`, undefined, opt);
  }
  const e = (err ?? {}) as ErrLike;
  const code = e.code ?? '';
  if (err instanceof Error && err.name === 'AbortError')
    return new AbortError('Stopped by the user; rerun to resume.');
  const socket = mapSocketError(err, where, HINTS);
  if (socket) return socket;
  if (code === 'SPOOL')
    return new TransientError(
      ErrorCode.Internal,
      `${where}: ${e.message}`,
      'Free space in the temporary directory ($TMPDIR, or point TMPDIR at a larger disk), then rerun.',
      opt,
    );
  if (code === 'PROTOCOL')
    return new TransientError(ErrorCode.ProtocolError, `${where}: ${e.message}`, undefined, opt);
  return new TransientError(
    ErrorCode.ConnectionLost,
    `${where}: the connection was lost (${code || e.message || String(err)}).`,
    'Cutover retries on its own; if it persists, check the network and server logs.',
    opt,
  );
}
