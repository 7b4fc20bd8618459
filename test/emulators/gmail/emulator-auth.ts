/**
 * EMULATOR (test code): Google's OAuth 2.0 token endpoint as documented for server-to-server apps —
 * a jwt-bearer grant whose RS256 JWT is verified with the public half of a test service-account key pair
 * generated here (iss, aud = this endpoint, exp/iat, sub = a known user, scope), and a refresh_token grant
 * for per-user OAuth. Issues opaque bearer tokens bound to a user and the granted scopes.
 * The consent flow: an authorization endpoint (/o/oauth2/v2/auth) that, standing in for the user, signs in
 * as `consent.user` at once and redirects back with a code (or error=access_denied), and the
 * authorization_code grant with PKCE (S256 only), returning a refresh token and an RS256 ID token.
 */
import {
  createHash,
  createSign,
  createVerify,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';

export interface Grant {
  user: string;
  scopes: string[];
  expires: number;
}

export class EmuAuth {
  readonly clientEmail = 'cutover-test@emulator-project.iam.gserviceaccount.com';
  readonly privateKeyPem: string;
  private readonly publicKey: KeyObject;
  readonly tokens = new Map<string, Grant>();
  readonly refreshTokens = new Map<string, string>(); // refresh token → user
  readonly client = { id: 'emulator-client.apps.googleusercontent.com', secret: 'emulator-secret' };
  /** Users for whom delegation is granted (a real admin grants it to the client id for the whole domain). */
  delegationGranted = true;
  /** What the simulated user does on the consent screen: who signs in, deny, or untick the mail scope. */
  consent: { user?: string; deny?: boolean; dropMailScope?: boolean; error?: string } = {};
  /** Issued authorization codes (single use). */
  readonly codes = new Map<
    string,
    {
      user: string;
      clientId: string;
      redirectUri: string;
      challenge: string;
      scopes: string[];
      offline: boolean;
    }
  >();
  private readonly privateKey: KeyObject | string;

  constructor(private readonly knownUser: (u: string) => boolean) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /** The JSON key file Google hands out for the service account. */
  keyFile(tokenUri: string): string {
    return JSON.stringify(
      {
        type: 'service_account',
        project_id: 'emulator-project',
        private_key_id: 'emulator',
        private_key: this.privateKeyPem,
        client_email: this.clientEmail,
        client_id: '100000000000000000001',
        token_uri: tokenUri,
      },
      null,
      2,
    );
  }

  /** An access token handed straight to a user (as a per-user OAuth consent would). */
  issue(user: string, scopes: string[], ttlSeconds = 3600): string {
    const token = `ya29.emu-${randomBytes(16).toString('hex')}`;
    this.tokens.set(token, { user, scopes, expires: Date.now() + ttlSeconds * 1000 });
    return token;
  }

  /** A refresh token for a user. */
  refreshTokenFor(user: string): string {
    const t = `1//emu-${randomBytes(12).toString('hex')}`;
    this.refreshTokens.set(t, user);
    return t;
  }

  /** The authorization endpoint: the redirect (Location) back to the client, as after the user's choice. */
  authorize(q: URLSearchParams): [number, object | undefined, Record<string, string>?] {
    const redirectUri = q.get('redirect_uri') ?? '';
    if (q.get('client_id') !== this.client.id || !/^https?:\/\//.test(redirectUri))
      return [400, { error: 'invalid_request', error_description: 'Unknown client or redirect_uri.' }];
    const back = new URL(redirectUri);
    const state = q.get('state');
    if (state !== null) back.searchParams.set('state', state);
    const challenge = q.get('code_challenge') ?? '';
    if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !challenge)
      back.searchParams.set('error', 'invalid_request');
    else if (this.consent.error) back.searchParams.set('error', this.consent.error);
    else if (this.consent.deny || !this.consent.user) back.searchParams.set('error', 'access_denied');
    else {
      const code = `4/emu-${randomBytes(12).toString('hex')}`;
      const asked = (q.get('scope') ?? '').split(' ').filter(Boolean);
      this.codes.set(code, {
        user: this.consent.user,
        clientId: this.client.id,
        redirectUri,
        challenge,
        scopes: this.consent.dropMailScope ? asked.filter((x) => x !== 'https://mail.google.com/') : asked,
        offline: q.get('access_type') === 'offline',
      });
      back.searchParams.set('code', code);
    }
    return [302, undefined, { location: back.toString() }];
  }

  /** The authorization_code grant (RFC 6749 §4.1.3, PKCE RFC 7636). */
  private codeGrant(form: URLSearchParams): [number, object] {
    const bad = (error: string, error_description: string): [number, object] => [
      400,
      { error, error_description },
    ];
    if (form.get('client_id') !== this.client.id || form.get('client_secret') !== this.client.secret)
      return [401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' }];
    const code = form.get('code') ?? '';
    const c = this.codes.get(code);
    this.codes.delete(code);
    if (!c) return bad('invalid_grant', 'Malformed auth code.');
    if (c.redirectUri !== form.get('redirect_uri')) return bad('redirect_uri_mismatch', 'Bad Request');
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== c.challenge)
      return bad('invalid_grant', 'Invalid code verifier.');
    const now = Math.floor(Date.now() / 1000);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ iss: 'https://accounts.google.com', aud: c.clientId, sub: `emu-${c.user}`, email: c.user, email_verified: true, iat: now, exp: now + 3600 })}`;
    const idToken = `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(this.privateKey).toString('base64url')}`;
    return [
      200,
      {
        access_token: this.issue(c.user, c.scopes),
        expires_in: 3599,
        token_type: 'Bearer',
        scope: c.scopes.join(' '),
        ...(c.offline ? { refresh_token: this.refreshTokenFor(c.user) } : {}),
        ...(c.scopes.includes('openid') ? { id_token: idToken } : {}),
      },
    ];
  }

  /** Handle a token request; returns [status, body]. */
  exchange(form: URLSearchParams, audience: string): [number, object] {
    const bad = (error: string, error_description: string): [number, object] => [
      400,
      { error, error_description },
    ];
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') return this.codeGrant(form);
    if (grant === 'refresh_token') {
      const user = this.refreshTokens.get(form.get('refresh_token') ?? '');
      if (form.get('client_id') !== this.client.id || form.get('client_secret') !== this.client.secret)
        return [401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' }];
      if (!user) return bad('invalid_grant', 'Token has been expired or revoked.');
      return [
        200,
        {
          access_token: this.issue(user, ['https://mail.google.com/']),
          expires_in: 3599,
          token_type: 'Bearer',
        },
      ];
    }
    if (grant !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
      return bad('unsupported_grant_type', 'Invalid grant_type');
    const parts = (form.get('assertion') ?? '').split('.');
    if (parts.length !== 3) return bad('invalid_grant', 'Invalid JWT: not three segments');
    const [h, c, sig] = parts as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string };
    if (header.alg !== 'RS256') return bad('invalid_grant', 'Invalid JWT: alg must be RS256');
    const ok = createVerify('RSA-SHA256')
      .update(`${h}.${c}`)
      .verify(this.publicKey, Buffer.from(sig, 'base64url'));
    if (!ok) return bad('invalid_grant', 'Invalid JWT Signature.');
    const claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>;
    const now = Math.floor(Date.now() / 1000);
    if (claims.iss !== this.clientEmail) return bad('invalid_grant', 'Invalid issuer');
    if (claims.aud !== audience) return bad('invalid_grant', 'Invalid JWT: aud must be the token endpoint');
    if (
      typeof claims.exp !== 'number' ||
      typeof claims.iat !== 'number' ||
      claims.exp < now ||
      claims.exp - claims.iat > 3600
    )
      return bad(
        'invalid_grant',
        'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.',
      );
    const sub = typeof claims.sub === 'string' ? claims.sub : '';
    if (!this.knownUser(sub)) return bad('invalid_grant', 'Invalid email or User ID');
    if (!this.delegationGranted)
      return [
        401,
        {
          error: 'unauthorized_client',
          error_description: 'Client is unauthorized to retrieve access tokens using this method.',
        },
      ];
    const scopes = (typeof claims.scope === 'string' ? claims.scope : '').split(' ').filter(Boolean);
    return [200, { access_token: this.issue(sub, scopes), expires_in: 3599, token_type: 'Bearer' }];
  }

  /** The grant behind an Authorization header, if it is valid and has `scope`. */
  check(authorization: string | undefined, scope: string): Grant | 'unauthenticated' | 'forbidden' {
    const token = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    const grant = token ? this.tokens.get(token) : undefined;
    if (!grant || grant.expires < Date.now()) return 'unauthenticated';
    return grant.scopes.includes(scope) ? grant : 'forbidden';
  }
}
