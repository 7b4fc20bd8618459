/**
 * The authorization-code exchange at a provider's token endpoint (RFC 6749 §4.1.3 with the PKCE verifier,
 * RFC 7636) and the signed-in account read from the ID token. The ID token comes straight from the token
 * endpoint over the connection Cutover opened, so its signature is not checked (OpenID Connect Core
 * §3.1.3.7); its audience must still be our client. Nothing here logs or returns a token in an error.
 * A provider with `insecure` set (Microsoft) is reached with the Graph connector's https client, which
 * honours the server's allowInvalidCertificates.
 */
import { readAll, send } from '../connectors/graph/graph-transport.js';
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
  let res: { ok: boolean; status: number; body: Record<string, unknown> };
  try {
    res = await postForm(p, form, signal ?? AbortSignal.timeout(30_000));
  } catch (err) {
    throw new TransientError(
      ErrorCode.ConnectionLost,
      `The sign-in service's token endpoint could not be reached (${(err as Error).message}).`,
      'Try again in a few minutes.',
    );
  }
  const body = res.body;
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
    email:
      typeof body.id_token === 'string' ? accountOf(body.id_token, p.clientId, p.accountClaims) : undefined,
  };
}

/** POST a form to the token endpoint; the JSON answer ({} when it is not JSON). */
async function postForm(
  p: OAuthProvider,
  form: URLSearchParams,
  signal: AbortSignal,
): Promise<{ ok: boolean; status: number; body: Record<string, unknown> }> {
  const headers = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const parse = (text: string): Record<string, unknown> => {
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      return {};
    }
  };
  if (p.insecure !== undefined) {
    const res = await send(
      p.tokenUrl,
      { method: 'POST', headers, body: form.toString(), insecure: p.insecure },
      'sign-in token endpoint',
      signal,
    );
    const status = res.statusCode ?? 0;
    return { ok: status >= 200 && status < 300, status, body: parse((await readAll(res)).toString('utf8')) };
  }
  const res = await fetch(p.tokenUrl, { method: 'POST', headers, body: form.toString(), signal });
  return { ok: res.ok, status: res.status, body: parse(await res.text().catch(() => '')) };
}

/** The account named in an ID token issued to `clientId` (the first of `names` present), or undefined. */
export function accountOf(idToken: string, clientId: string, names: string[]): string | undefined {
  try {
    const claims = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(clientId)) return undefined;
    if (claims.email_verified === false || claims.email_verified === 'false') return undefined;
    const named = names.map((n) => claims[n]).find((v) => typeof v === 'string' && v.includes('@'));
    return typeof named === 'string' ? named : undefined;
  } catch {
    return undefined;
  }
}
