/**
 * The authorization-code exchange at a provider's token endpoint (RFC 6749 §4.1.3 with the PKCE verifier,
 * RFC 7636) and the signed-in account read from the ID token. The ID token comes straight from the token
 * endpoint over the connection Cutover opened, so its signature is not checked (OpenID Connect Core
 * §3.1.3.7); its audience must still be our client. Nothing here logs or returns a token in an error.
 */
import { ErrorCode, PermanentError, TransientError } from '../errors.js';
import type { OAuthProvider } from './oauth-providers.js';

/** What a successful exchange gives. */
export interface ExchangedTokens {
  accessToken: string;
  refreshToken?: string;
  expiresInS: number;
  /** Granted scopes, when the endpoint lists them. */
  scopes?: string[];
  /** The account's e-mail address from the ID token, when verified. */
  email?: string;
}

/** Exchange `code` for tokens; PermanentError(AuthFailed) when the endpoint refuses it, TransientError when unreachable. */
export async function exchangeCode(
  p: OAuthProvider,
  code: string,
  redirectUri: string,
  verifier: string,
  signal?: AbortSignal,
): Promise<ExchangedTokens> {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    client_id: p.clientId,
    client_secret: p.clientSecret(),
    code_verifier: verifier,
  });
  let res: Response;
  try {
    res = await fetch(p.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      signal: signal ?? AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new TransientError(
      ErrorCode.ConnectionLost,
      `The sign-in service's token endpoint could not be reached (${(err as Error).message}).`,
      'Try again in a few minutes.',
    );
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok || typeof body.access_token !== 'string')
    throw new PermanentError(
      ErrorCode.AuthFailed,
      // The provider's error code only (e.g. invalid_grant): descriptions may echo request values.
      `The sign-in service refused the code (${res.status} ${typeof body.error === 'string' ? body.error : 'no access token'}).`,
      'Start the sign-in again from the personal page.',
    );
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
    expiresInS: typeof body.expires_in === 'number' ? body.expires_in : 3600,
    scopes: typeof body.scope === 'string' ? body.scope.split(' ').filter(Boolean) : undefined,
    email: typeof body.id_token === 'string' ? emailOf(body.id_token, p.clientId) : undefined,
  };
}

/** The verified e-mail address in an ID token issued to `clientId`, or undefined. */
export function emailOf(idToken: string, clientId: string): string | undefined {
  try {
    const claims = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(clientId)) return undefined;
    if (claims.email_verified === false || claims.email_verified === 'false') return undefined;
    return typeof claims.email === 'string' ? claims.email : undefined;
  } catch {
    return undefined;
  }
}
