/**
 * Access tokens for the Gmail and Directory APIs without Google's SDK: a service account with domain-wide
 * delegation signs a JWT (RS256; iss = the service account, sub = the user it acts for, aud = the token
 * endpoint) and exchanges it (RFC 7523 jwt-bearer grant); a per-user refresh token is exchanged with the
 * OAuth client; a ready access token is used as given. Tokens are cached until a minute before expiry.
 */
import { createSign } from 'node:crypto';
import { ErrorCode, PermanentError } from '../../errors.js';
import type { GmailCredential } from './gmail-config.js';
import { mapGmailError } from './gmail-errors.js';
import { readText, send } from './gmail-http.js';

/** Full mailbox access (read, import, labels). */
export const GMAIL_SCOPE = 'https://mail.google.com/';
/**
 * Changing filters, the vacation responder and send-as signatures: the settings methods that write take
 * only this scope (full mailbox access does not cover them); reads take either.
 */
export const SETTINGS_SCOPE = 'https://www.googleapis.com/auth/gmail.settings.basic';
/** Reading the user directory for discovery. */
export const DIRECTORY_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';

const cache = new Map<string, { token: string; expires: number }>();
const MARGIN_MS = 60_000;

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

/** A signed JWT assertion for the jwt-bearer grant (valid one hour, Google's maximum). */
export function serviceAccountAssertion(
  key: { client_email: string; private_key: string },
  subject: string,
  scope: string,
  audience: string,
  now = Date.now(),
): string {
  const iat = Math.floor(now / 1000);
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }));
  const claims = b64url(
    JSON.stringify({ iss: key.client_email, sub: subject, scope, aud: audience, iat, exp: iat + 3600 }),
  );
  let signature: Buffer;
  try {
    signature = createSign('RSA-SHA256').update(`${head}.${claims}`).sign(key.private_key);
  } catch (err) {
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `The private key of service account ${key.client_email} cannot sign (${(err as Error).message}).`,
      'Download a new JSON key for the service account.',
      { cause: err },
    );
  }
  return `${head}.${claims}.${b64url(signature)}`;
}

/** Gets (and caches) access tokens for one credential. */
export class TokenSource {
  constructor(
    private readonly credential: GmailCredential,
    private readonly tokenUrl: string,
    private readonly where: string,
  ) {}

  /** A current access token for `scope`. */
  async token(scope: string, signal?: AbortSignal): Promise<string> {
    const c = this.credential;
    if (c.kind === 'access-token') return c.token;
    const id =
      c.kind === 'service-account'
        ? `sa:${c.key.client_email}:${c.subject}:${scope}`
        : `rt:${c.clientId}:${c.refreshToken}`;
    const hit = cache.get(id);
    if (hit && hit.expires > Date.now()) return hit.token;
    const form: Record<string, string> =
      c.kind === 'service-account'
        ? {
            grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
            assertion: serviceAccountAssertion(c.key, c.subject, scope, this.tokenUrl),
          }
        : {
            grant_type: 'refresh_token',
            refresh_token: c.refreshToken,
            client_id: c.clientId,
            client_secret: c.clientSecret,
          };
    const res = await send(
      {
        method: 'POST',
        url: this.tokenUrl,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: Buffer.from(new URLSearchParams(form).toString()),
      },
      this.where,
      signal,
    );
    const text = await readText(res, this.where);
    if (res.statusCode !== 200) {
      const err = mapGmailError(
        res.statusCode ?? 0,
        text,
        res.headers['retry-after'],
        `${this.where} (token)`,
      );
      // The token endpoint answers 400/401 for refused grants: that is a login problem.
      if (res.statusCode === 400 || res.statusCode === 401)
        throw new PermanentError(ErrorCode.AuthFailed, err.message, err.hint);
      throw err;
    }
    const body = JSON.parse(text) as { access_token?: string; expires_in?: number };
    if (!body.access_token)
      throw new PermanentError(
        ErrorCode.AuthFailed,
        `${this.where}: the token endpoint gave no access token.`,
      );
    cache.set(id, {
      token: body.access_token,
      expires: Date.now() + (body.expires_in ?? 3600) * 1000 - MARGIN_MS,
    });
    return body.access_token;
  }

  /** Forget a token the API refused (revoked, or expired early). */
  forget(scope: string): void {
    const c = this.credential;
    if (c.kind === 'service-account') cache.delete(`sa:${c.key.client_email}:${c.subject}:${scope}`);
    else if (c.kind === 'refresh-token') cache.delete(`rt:${c.clientId}:${c.refreshToken}`);
  }
}
