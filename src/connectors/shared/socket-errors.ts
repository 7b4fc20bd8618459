/**
 * Socket-level failures of the mail protocol connectors (IMAP, POP3), mapped once: a name that does not
 * resolve, a refused or silent connection, a failed TLS handshake. Each protocol maps what is its own
 * (server replies, a lost connection) and names its ports and TLS forms in the hints.
 */
import { type CutoverError, ErrorCode, PermanentError, TransientError } from '../../errors.js';

/** What the hints say for one protocol. */
export interface SocketHints {
  /** The usual ports, e.g. "IMAP 143, IMAPS 993". */
  ports: string;
  /** What to do about a failed TLS handshake. */
  tls: string;
}

interface ErrLike {
  code?: string;
  message?: string;
  /** Set by imapflow on a refused login: its text may name TLS without the handshake having failed. */
  authenticationFailed?: boolean;
}

/** The typed error for a socket-level failure, or undefined when `err` is none (the protocol maps it). */
export function mapSocketError(err: unknown, where: string, hints: SocketHints): CutoverError | undefined {
  const e = (err ?? {}) as ErrLike;
  const code = e.code ?? '';
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
      `Check the port (${hints.ports}) and that the server and any firewall allow this machine.`,
      opt,
    );
  if (['ETIMEDOUT', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH'].includes(code))
    return new TransientError(
      ErrorCode.ConnectionTimeout,
      `${where}: no answer from the server (${code}).`,
      'Check the host, port and firewall; the server may be overloaded.',
      opt,
    );
  if (
    /CERT|SSL|TLS|self.signed|certificate|wrong version number|EPROTO/i.test(`${code} ${e.message ?? ''}`) &&
    !e.authenticationFailed
  )
    return new PermanentError(
      ErrorCode.TlsFailed,
      `${where}: TLS failed: ${e.message ?? code}.`,
      hints.tls,
      opt,
    );
  return undefined;
}
