/**
 * Maps errors from sockets, TLS, DNS and IMAP responses to Cutover's typed errors, once, at the edge.
 * The message says what is wrong; the hint says what to do.
 */
import { CutoverError, ErrorCode, PermanentError, RateLimitError, TransientError } from '../../errors.js';

interface ErrLike {
  code?: string;
  message?: string;
  authenticationFailed?: boolean;
  serverResponseCode?: string;
  responseText?: string;
  response?: string;
  responseStatus?: string;
}

/** Default wait when a server throttles without saying for how long. */
export const DEFAULT_THROTTLE_MS = 30_000;

/** Map anything an IMAP operation threw to a CutoverError. `where` names the server/mailbox. */
export function mapImapError(err: unknown, where: string): CutoverError {
  if (err instanceof CutoverError) return err;
  const e = (err ?? {}) as ErrLike;
  const code = e.code ?? '';
  const text = [e.responseText, e.response, e.message].filter(Boolean).join(' ');
  const respCode = (e.serverResponseCode ?? '').toUpperCase();
  const opt = { cause: err };

  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new PermanentError(
      ErrorCode.DnsNotFound,
      `${where}: the host name does not resolve (${code}).`,
      'Check the spelling of the host name and that this machine can resolve it (try `getent hosts HOST`).',
      opt,
    );
  if (code === 'ECONNREFUSED')
    return new PermanentError(
      ErrorCode.ConnectionRefused,
      `${where}: connection refused — nothing listens on that port.`,
      'Check the port (IMAP 143, IMAPS 993) and that the server and any firewall allow this machine.',
      opt,
    );
  if (
    code === 'ETIMEDOUT' ||
    code === 'CONNECT_TIMEOUT' ||
    code === 'GREETING_TIMEOUT' ||
    code === 'EHOSTUNREACH' ||
    code === 'ENETUNREACH'
  )
    return new TransientError(
      ErrorCode.ConnectionTimeout,
      `${where}: no answer from the server (${code}).`,
      'Check the host, port and firewall; the server may be overloaded.',
      opt,
    );
  if (
    /CERT|SSL|TLS|self.signed|certificate|wrong version number|EPROTO/i.test(
      code + ' ' + (e.message ?? ''),
    ) &&
    !e.authenticationFailed
  )
    return new PermanentError(
      ErrorCode.TlsFailed,
      `${where}: TLS failed: ${e.message ?? code}.`,
      'Use imaps:// for port 993, imap:// (with starttls=1 if needed) for 143; for a self-signed lab certificate set allowInvalidCertificates (insecure=1).',
      opt,
    );
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
    /\[THROTTLED\]|throttl|too many (connections|requests)/i.test(text)
  )
    return new RateLimitError(
      `${where}: the server is throttling us: ${text || code}`,
      DEFAULT_THROTTLE_MS,
      opt,
    );
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
