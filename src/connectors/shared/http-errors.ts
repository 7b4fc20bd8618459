/**
 * Socket-level failures of the HTTP-based connectors (Microsoft Graph, Gmail), mapped once: a name that
 * does not resolve or an untrusted certificate fails at once with what to check; a refused, silent or
 * dropped connection is transient (the engine retries it within its budget).
 */
import { AbortError, ErrorCode, PermanentError, TransientError } from '../../errors.js';

/** A request with no byte in either direction for this long is given up (and retried). */
export const IDLE_TIMEOUT_MS = 120_000;

/** The typed error for `err`; `check` says what to verify when the service cannot be reached. */
export function httpNetworkError(err: Error, where: string, check: string, signal?: AbortSignal): Error {
  if (signal?.aborted || err.name === 'AbortError') return new AbortError();
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const opt = { cause: err };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new PermanentError(
      ErrorCode.DnsNotFound,
      `${where}: the host name does not resolve (${code}).`,
      `${check} Try \`getent hosts HOST\` on this machine.`,
      opt,
    );
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code))
    return new PermanentError(
      ErrorCode.TlsFailed,
      `${where}: the server's certificate is not trusted (${code}).`,
      'Fix the certificate chain, or for a test lab set allowInvalidCertificates.',
      opt,
    );
  if (code === 'ETIMEDOUT')
    return new TransientError(
      ErrorCode.ConnectionTimeout,
      `${where}: no answer for ${IDLE_TIMEOUT_MS / 1000} s.`,
      'Cutover retries on its own; check the network if this persists.',
      opt,
    );
  if (code === 'ECONNREFUSED')
    return new TransientError(
      ErrorCode.ConnectionRefused,
      `${where}: connection refused (${err.message}).`,
      check,
      opt,
    );
  return new TransientError(
    ErrorCode.ConnectionLost,
    `${where}: the connection failed (${code || err.message}).`,
    'Cutover retries on its own.',
    opt,
  );
}

/** Give up a request that stays silent for IDLE_TIMEOUT_MS (it then fails as ETIMEDOUT). */
export function idleTimeout(req: {
  setTimeout(ms: number, cb: () => void): unknown;
  destroy(e: Error): unknown;
}) {
  req.setTimeout(IDLE_TIMEOUT_MS, () =>
    req.destroy(Object.assign(new Error('no answer'), { code: 'ETIMEDOUT' })),
  );
}
