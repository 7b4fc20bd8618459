/**
 * Graph's answers mapped to Cutover's typed errors, once, here: throttling (429, and 503/504 with
 * Retry-After) becomes a RateLimitError the scheduler waits out; a missing or unlicensed mailbox, a refused
 * app permission, an oversize message and a full mailbox become permanent errors that say what to do.
 */
import {
  type CutoverError,
  ErrorCode,
  PermanentError,
  RateLimitError,
  TransientError,
} from '../../errors.js';

/** Wait used when Graph throttles without saying for how long (its guidance: back off a few seconds). */
export const DEFAULT_RETRY_AFTER_MS = 5_000;

/** The `error` object of a Graph error body. */
export interface GraphErrorBody {
  code?: string;
  message?: string;
}

/** Parse Retry-After (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const secs = Number(header);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Map one Graph response (status, error body, Retry-After) to a typed error. */
export function graphError(
  status: number,
  body: GraphErrorBody,
  retryAfter: string | undefined,
  where: string,
  what: string,
): CutoverError {
  const code = body.code ?? '';
  const said = `${what}: HTTP ${status}${code ? ` ${code}` : ''}${body.message ? ` — ${body.message}` : ''}`;
  const wait = retryAfterMs(retryAfter);
  if (status === 429 || ((status === 503 || status === 504) && wait !== undefined))
    return new RateLimitError(
      `${where}: throttled by Microsoft Graph (${said}).`,
      wait ?? DEFAULT_RETRY_AFTER_MS,
    );
  if (code === 'MailboxNotEnabledForRESTAPI' || code === 'MailboxNotHostedInExchangeOnline')
    return new PermanentError(
      ErrorCode.ConfigInvalid,
      `${where}: this user has no Exchange Online mailbox (${said}).`,
      'Assign an Exchange Online licence (or create the shared mailbox) and wait for provisioning, then rerun this mailbox.',
    );
  if (
    code === 'ErrorInvalidUser' ||
    code === 'Request_ResourceNotFound' ||
    (code === 'ResourceNotFound' && /user/i.test(body.message ?? ''))
  )
    return new PermanentError(
      ErrorCode.ConfigInvalid,
      `${where}: no such user in the tenant (${said}).`,
      'Check the mailbox address (the user principal name) and that the user exists in this tenant.',
    );
  if (status === 401)
    return new PermanentError(
      ErrorCode.AuthFailed,
      `${where}: the access token was refused (${said}).`,
      'Check the tenant id, the app registration and its secret, or get a fresh delegated token.',
    );
  if (status === 403)
    return new PermanentError(
      ErrorCode.AuthFailed,
      `${where}: access denied (${said}).`,
      'Grant the app the Mail.ReadWrite application permission (and User.Read.All for discovery) with admin consent, and check any application access policy.',
    );
  if (status === 413 || code === 'ErrorMessageSizeExceeded')
    return new PermanentError(
      ErrorCode.MessageTooLarge,
      `${where}: the message is over the mailbox's size limit (${said}).`,
      "Raise the mailbox's MaxReceiveSize (up to 150 MB), or leave the message out.",
    );
  if (code === 'ErrorQuotaExceeded' || status === 507)
    return new PermanentError(
      ErrorCode.QuotaExceeded,
      `${where}: the mailbox is full (${said}).`,
      'Raise the mailbox quota or archive mail, then rerun.',
    );
  if (status >= 500 || status === 408)
    return new TransientError(
      ErrorCode.ConnectionLost,
      `${where}: Microsoft Graph failed (${said}).`,
      'Cutover retries on its own.',
    );
  return new PermanentError(
    ErrorCode.ProtocolError,
    `${where}: Microsoft Graph refused the request (${said}).`,
    'Report this with the request it names.',
  );
}
