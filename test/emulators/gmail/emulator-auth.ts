/**
 * EMULATOR (test code): Google's OAuth 2.0 token endpoint as documented for server-to-server apps —
 * a jwt-bearer grant whose RS256 JWT is verified with the public half of a test service-account key pair
 * generated here (iss, aud = this endpoint, exp/iat, sub = a known user, scope), and a refresh_token grant
 * for per-user OAuth. Issues opaque bearer tokens bound to a user and the granted scopes.
 */
import { createVerify, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

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

  constructor(private readonly knownUser: (u: string) => boolean) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
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

  /** Handle a token request; returns [status, body]. */
  exchange(form: URLSearchParams, audience: string): [number, object] {
    const bad = (error: string, error_description: string): [number, object] => [
      400,
      { error, error_description },
    ];
    const grant = form.get('grant_type');
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
