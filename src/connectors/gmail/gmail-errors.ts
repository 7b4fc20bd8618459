/**
 * Google API error answers mapped once, at the connector's edge, to Cutover's typed errors:
 * 429 and 403 rate-limit reasons → RateLimitError (the scheduler waits), 401/403 auth → AuthFailed,
 * 413 → MessageTooLarge, 5xx → transient, the rest permanent.
 */
import {
  ErrorCode,
  PermanentError,
  RateLimitError,
  TransientError,
  type CutoverError,
} from '../../errors.js';

/** 404: the message, label or history point no longer exists (callers decide what that means). */
export class GmailNotFoundError extends PermanentError {}

/** Wait when the server asks to slow down without saying for how long. */
export const DEFAULT_RETRY_MS = 2000;

const RATE_REASONS = new Set([
  'rateLimitExceeded',
  'userRateLimitExceeded',
  'quotaExceeded',
  'dailyLimitExceeded',
  'concurrentLimitExceeded',
]);

/** The parts of Google's error body Cutover reads. */
interface GoogleError {
  error?: { code?: number; message?: string; errors?: Array<{ reason?: string }>; status?: string };
  error_description?: string;
}

/** Retry-After in seconds or as an HTTP date; else Google's "Retry after <ISO time>" in the message. */
export function retryAfterMs(header: string | undefined, message: string, now = Date.now()): number {
  if (header) {
    const s = Number(header);
    if (Number.isFinite(s)) return Math.max(0, s * 1000);
    const t = Date.parse(header);
    if (Number.isFinite(t)) return Math.max(0, t - now);
  }
  const m = /retry after (\S+)/i.exec(message);
  const t = m ? Date.parse(m[1]!) : NaN;
  return Number.isFinite(t) ? Math.max(0, t - now) : DEFAULT_RETRY_MS;
}

/** Map a non-2xx answer. */
export function mapGmailError(
  status: number,
  bodyText: string,
  retryAfter: string | undefined,
  where: string,
): CutoverError {
  let body: GoogleError = {};
  try {
    body = JSON.parse(bodyText) as GoogleError;
  } catch {
    /* not JSON: use the text */
  }
  const message =
    body.error?.message ?? body.error_description ?? (bodyText.slice(0, 200) || `HTTP ${status}`);
  const reasons = (body.error?.errors ?? []).map((e) => e.reason ?? '');
  const what = `${where}: ${message} (HTTP ${status}${reasons.length ? `, ${reasons.join(', ')}` : ''})`;
  if (status === 429 || (status === 403 && reasons.some((r) => RATE_REASONS.has(r))))
    return new RateLimitError(`${what}.`, retryAfterMs(retryAfter, message));
  if (status === 401 || (status === 400 && /invalid_grant|unauthorized_client/.test(bodyText)))
    return new PermanentError(
      ErrorCode.AuthFailed,
      `${what}.`,
      'Check the credentials: for a service account, that domain-wide delegation grants its client ID the Gmail scope in the Admin console; for OAuth, that the token is current.',
    );
  if (status === 403)
    return new PermanentError(
      ErrorCode.AuthFailed,
      `${what}.`,
      'The account may lack Gmail (licence or service off), or the scope was not granted.',
    );
  if (status === 404)
    return new GmailNotFoundError(ErrorCode.SourceReadFailed, `${what}.`, 'It was deleted meanwhile.');
  if (status === 413)
    return new PermanentError(ErrorCode.MessageTooLarge, `${what}.`, 'Gmail takes messages up to 150 MB.');
  if (status >= 500 || status === 408)
    return new TransientError(ErrorCode.ConnectionLost, `${what}.`, 'Cutover retries on its own.');
  return new PermanentError(ErrorCode.MessageRejected, `${what}.`, 'Report this with the message details.');
}
