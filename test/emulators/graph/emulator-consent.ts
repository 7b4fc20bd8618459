/**
 * LOCAL EMULATOR of Entra ID's per-user consent (test code, not the real service): the v2.0 authorization
 * endpoint, which — standing in for the user — signs in as `choice.user` at once and redirects back with a
 * code (or error=access_denied, or another error on demand), and the authorization_code grant with PKCE
 * (S256 only) for the app registration: a delegated access token, a refresh token when offline_access was
 * asked, and an RS256 ID token naming the account in `preferred_username`.
 */
import { createHash, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { EmResponse } from './emulator-http.js';

/** An issued authorization code (single use). */
interface Code {
  upn: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
  scopes: string[];
}

/** The app registration and token minting the consent needs from the emulator. */
export interface ConsentApp {
  origin: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** A delegated access token and refresh token for one mailbox. */
  mint(upn: string): { access: string; refresh: string };
}

export class EntraConsent {
  /** What the simulated user does on the sign-in page: who signs in, refuse, or an error Entra answers. */
  choice: { user?: string; deny?: boolean; error?: string } = {};
  /** Authorization requests seen (their query), for tests. */
  readonly requests: URLSearchParams[] = [];
  private readonly codes = new Map<string, Code>();
  private key?: KeyObject;

  /** GET /{tenant}/oauth2/v2.0/authorize: the redirect back to the client, as after the user's choice. */
  authorize(app: ConsentApp, q: URLSearchParams): EmResponse {
    this.requests.push(q);
    const redirectUri = q.get('redirect_uri') ?? '';
    if (q.get('client_id') !== app.clientId || !/^https?:\/\//.test(redirectUri))
      return {
        status: 400,
        json: {
          error: 'unauthorized_client',
          error_description: `AADSTS700016: Application with identifier '${q.get('client_id')}' was not found, or the reply URL is invalid.`,
        },
      };
    const back = new URL(redirectUri);
    const state = q.get('state');
    if (state !== null) back.searchParams.set('state', state);
    const challenge = q.get('code_challenge') ?? '';
    if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !challenge)
      back.searchParams.set('error', 'invalid_request');
    else if (this.choice.error) back.searchParams.set('error', this.choice.error);
    else if (this.choice.deny || !this.choice.user) back.searchParams.set('error', 'access_denied');
    else {
      const code = `emu-code-${randomBytes(12).toString('hex')}`;
      const scopes = (q.get('scope') ?? '').split(' ').filter(Boolean);
      this.codes.set(code, { upn: this.choice.user, clientId: app.clientId, redirectUri, challenge, scopes });
      back.searchParams.set('code', code);
    }
    return { status: 302, headers: { location: back.toString() } };
  }

  /** The authorization_code grant (client id and secret already checked by the caller). */
  redeemCode(app: ConsentApp, form: URLSearchParams): EmResponse {
    const bad = (error: string, error_description: string): EmResponse => ({
      status: 400,
      json: { error, error_description },
    });
    const code = form.get('code') ?? '';
    const c = this.codes.get(code);
    this.codes.delete(code);
    if (!c || c.clientId !== form.get('client_id'))
      return bad('invalid_grant', 'AADSTS70000: The provided authorization code is invalid or has expired.');
    if (c.redirectUri !== form.get('redirect_uri'))
      return bad('invalid_grant', 'AADSTS70000: The redirect URI does not match the authorization request.');
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== c.challenge)
      return bad('invalid_grant', 'AADSTS501481: The Code_Verifier does not match the code_challenge.');
    const tokens = app.mint(c.upn);
    const granted = c.scopes.filter((s) => s !== 'offline_access');
    return {
      status: 200,
      json: {
        token_type: 'Bearer',
        scope: granted.join(' '),
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: tokens.access,
        ...(c.scopes.includes('offline_access') ? { refresh_token: tokens.refresh } : {}),
        ...(c.scopes.includes('openid') ? { id_token: this.idToken(app, c.upn) } : {}),
      },
    };
  }

  private idToken(app: ConsentApp, upn: string): string {
    this.key ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const now = Math.floor(Date.now() / 1000);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = {
      ver: '2.0',
      iss: `${app.origin}/${app.tenantId}/v2.0`,
      aud: app.clientId,
      tid: app.tenantId,
      oid: createHash('sha256').update(upn).digest('hex').slice(0, 32),
      preferred_username: upn,
      name: upn.split('@')[0],
      iat: now,
      nbf: now,
      exp: now + 3600,
    };
    const unsigned = `${b64({ alg: 'RS256', typ: 'JWT', kid: 'emu' })}.${b64(claims)}`;
    return `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(this.key).toString('base64url')}`;
  }
}
