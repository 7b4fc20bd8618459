/**
 * Maps errors from sockets, TLS, DNS and IMAP responses to Cutover's typed errors, once, at the edge.
 * The message says what is wrong; the hint says what to do.
 */
import {
  CutoverError,
  ErrorCode,
  PermanentError,
  RateLimitError,
  RefusedError,
  TransientError,
} from '../../errors.js';
import { mapSocketError, type SocketHints } from '../shared/socket-errors.js';

interface ErrLike {
  code?: string;
  message?: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
  responseText?: string;
  response?: string;
  responseStatus?: string;
}

/** What socket-level errors tell an IMAP user to check. */
const HINTS: SocketHints = {
  ports: 'IMAP 143, IMAPS 993',
  tls: 'Use imaps:// for port 993, imap:// (with starttls=1 if needed) for 143; for a self-signed lab certificate set allowInvalidCertificates (insecure=1).',
};

/** A login answered with a connection cap: Dovecot's `NO [LIMIT] Maximum number of connections…`, others' wording. */
const CONNECTION_CAP = /maximum number of connections|too many (simultaneous |concurrent )?connections/i;

/** Map anything an IMAP operation threw to a CutoverError. `where` names the server/mailbox. */
export function mapImapError(err: unknown, where: string): CutoverError {
  if (err instanceof CutoverError) return err;
  const e = (err ?? {}) as ErrLike;
  const code = e.code ?? '';
  const text = [e.responseText, e.response, e.message].filter(Boolean).join(' ');
  const respCode = (e.serverResponseCode ?? '').toUpperCase();
  const opt = { cause: err };

  const socket = mapSocketError(err, where, HINTS);
  if (socket) return socket;
  // RFC 5530: a subsystem is down (often at LOGIN: "backend down for maintenance"); IN-USE: locked meanwhile.
  if (respCode === 'UNAVAILABLE' || respCode === 'INUSE')
    return new TransientError(
      ErrorCode.ServerUnavailable,
      `${where}: the server is temporarily unavailable: ${text}`,
      'Cutover waits and retries on its own; if it persists, check the server.',
      opt,
    );
  if ((e.authenticationFailed && respCode === 'LIMIT') || CONNECTION_CAP.test(text))
    return new TransientError(
      ErrorCode.ConnectionLimit,
      `${where}: the server refuses more connections for this user: ${text}`,
      'Cutover retries on its own with fewer connections; lower maxConnections (or raise the server limit, e.g. Dovecot mail_max_userip_connections) if this persists.',
      opt,
    );
  // Throttling answered to a login is still throttling, not a wrong password.
  if (e.authenticationFailed && respCode === 'THROTTLED')
    return new RateLimitError(`${where}: the server is throttling logins: ${text}`, 0, opt);
  if (
    e.authenticationFailed ||
    respCode === 'AUTHENTICATIONFAILED' ||
    /AUTHENTICATIONFAILED|authentication failed|invalid credentials/i.test(text)
  )
    return new PermanentError(
      ErrorCode.AuthFailed,
      `${where}: login refused — wrong user name or password (or the account is disabled).`,
      'Check the login and password; for an admin/master login check that it may act for this mailbox.',
      opt,
    );
  if (
    code === 'ETHROTTLE' ||
    respCode === 'THROTTLED' ||
    /\[THROTTLED\]|throttl|too many requests/i.test(text)
  )
    // IMAP servers never say for how long: 0 lets the scheduler back off on its own, growing each time.
    return new RateLimitError(`${where}: the server is throttling us: ${text || code}`, 0, opt);
  if (respCode === 'OVERQUOTA' || /OVERQUOTA|quota exceeded|over quota/i.test(text))
    return new PermanentError(
      ErrorCode.QuotaExceeded,
      `${where}: the destination mailbox is over its quota.`,
      'Raise the destination quota, then rerun: nothing already copied is lost.',
      opt,
    );
  if (respCode === 'TOOBIG' || respCode === 'LIMIT' || /TOOBIG|too big|too large|exceeds.*size/i.test(text))
    return new PermanentError(
      ErrorCode.MessageTooLarge,
      `${where}: the server refused a message as too large: ${text}`,
      'Raise the destination size limit or exclude large messages (maxMessageSize).',
      opt,
    );
  if (
    code === 'NoConnection' ||
    code === 'EConnectionClosed' ||
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    code === 'ClosedAfterConnectText' ||
    code === 'ETIMEOUT' ||
    /BYE|connection (closed|lost|reset)|socket/i.test(text)
  )
    return new TransientError(
      ErrorCode.ConnectionLost,
      /^\* BYE /i.test(e.responseText ?? '')
        ? `${where}: the server closed the connection: ${e.responseText!.slice(6)}`
        : `${where}: the connection was lost (${code || text}).`,
      'Cutover retries on its own; if it persists, check the network and server logs.',
      opt,
    );
  return new TransientError(
    ErrorCode.ProtocolError,
    `${where}: ${text || code || String(err)}`,
    undefined,
    opt,
  );
}

/** Servers that accepted a TCP connection from this process: a refusal from them later is overload, not a wrong port. */
const answered = new Set<string>();

/** Note that something listens at `server` (a connection was accepted). */
export function noteAnswered(server: { host: string; port: number }): void {
  answered.add(`${server.host.toLowerCase()}:${server.port}`);
}

/**
 * Map a failure to connect or log in. A connection turned away — refused by a server that accepted us
 * before, closed or reset before the greeting, a BYE greeting, a connection cap at login — becomes a
 * RefusedError: retried, with fewer connections. ECONNREFUSED at first contact stays permanent: nothing
 * listens there.
 */
export function mapConnectError(
  err: unknown,
  where: string,
  server: { host: string; port: number; user: string },
  greeted: boolean,
): CutoverError {
  const e = mapImapError(err, where);
  const target = { host: server.host, port: server.port };
  const code = (err as ErrLike | undefined)?.code;
  if (code !== 'ECONNREFUSED' && code !== 'ENOTFOUND' && code !== 'EAI_AGAIN') noteAnswered(target);
  if (e.code === ErrorCode.ConnectionLimit)
    return new RefusedError(ErrorCode.ConnectionLimit, e.message, server, { cause: err });
  if (e.code === ErrorCode.ConnectionRefused && answered.has(`${server.host.toLowerCase()}:${server.port}`))
    return new RefusedError(
      ErrorCode.ConnectionRefused,
      `${where}: connection refused (the server accepted connections before: overloaded or restarting).`,
      target,
      { cause: err },
    );
  if (!greeted && e.code === ErrorCode.ConnectionLost)
    return new RefusedError(
      ErrorCode.ConnectionRefused,
      `${where}: the server turned the connection away before its greeting (${e.message.replace(`${where}: `, '')}).`,
      target,
      { cause: err },
    );
  return e;
}

/** A refused login that used an OAuth access token: say so, and what to fix. */
export function forToken(err: CutoverError, where: string): CutoverError {
  if (err.code !== ErrorCode.AuthFailed) return err;
  const said = /the server said: (.*)\)$/.exec(String((err.cause as Error | undefined)?.message ?? ''))?.[1];
  return new PermanentError(
    ErrorCode.AuthFailed,
    `${where}: the OAuth access token was refused (expired, revoked, or issued for another user or scope)${said ? `; the server said: ${said}` : ''}.`,
    'Get a fresh token for this mailbox (they usually last an hour) with the mail scope — Google: https://mail.google.com/, Microsoft 365: IMAP.AccessAsUser.All — then rerun.',
    { cause: err },
  );
}
