/**
 * LOCAL EMULATOR of Entra ID for the Microsoft Graph emulator (test code, not the real service): the
 * tenant's OpenID configuration and the v2.0 token endpoint: the client-credentials grant and the
 * refresh-token grant (delegated, rotating refresh tokens), with the AADSTS errors Entra returns for an
 * unknown app, a wrong secret or a refresh token that is expired or revoked; the per-user consent (authorize
 * endpoint and authorization_code grant) is in emulator-consent.ts.
 */
import { randomBytes } from 'node:crypto';
import type { EntraConsent } from './emulator-consent.js';
import { fail, type EmRequest, type EmResponse } from './emulator-http.js';

/** The one app registration the emulated tenant knows. */
export interface EmulatedApp {
  origin: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Record a token handed out. */
  /** An app-only token was issued for `scope` (its audience). */
  issued(token: string, scope: string): void;
  /** Redeem a refresh token: a delegated access token and the next refresh token, or undefined if refused. */
  redeem(refreshToken: string): { access: string; refresh: string } | undefined;
  /** A new delegated access token and refresh token for one mailbox (after a consent). */
  mint(upn: string): { access: string; refresh: string };
  /** The simulated user's consent. */
  consent: EntraConsent;
}

/** Answer a request under /{tenant}/. */
export function tokenRoute(app: EmulatedApp, req: EmRequest): EmResponse {
  const { origin, tenantId, clientId, clientSecret } = app;
  if (req.path.endsWith('/.well-known/openid-configuration'))
    return {
      status: 200,
      json: {
        token_endpoint: `${origin}/${tenantId}/oauth2/v2.0/token`,
        issuer: `${origin}/${tenantId}/v2.0`,
        authorization_endpoint: `${origin}/${tenantId}/oauth2/v2.0/authorize`,
        end_session_endpoint: `${origin}/${tenantId}/oauth2/v2.0/logout`,
        jwks_uri: `${origin}/${tenantId}/discovery/v2.0/keys`,
      },
    };
  if (req.path.endsWith('/oauth2/v2.0/authorize') && req.method === 'GET')
    return app.consent.authorize(app, req.query);
  if (req.path.endsWith('/oauth2/v2.0/token') && req.method === 'POST') {
    const f = new URLSearchParams(req.body.toString('utf8'));
    const grant = f.get('grant_type');
    if (grant !== 'client_credentials' && grant !== 'refresh_token' && grant !== 'authorization_code')
      return {
        status: 400,
        json: {
          error: 'unsupported_grant_type',
          error_description: 'Only client_credentials, refresh_token and authorization_code are emulated.',
        },
      };
    if (f.get('client_id') !== clientId)
      return {
        status: 400,
        json: {
          error: 'unauthorized_client',
          error_description: `AADSTS700016: Application with identifier '${f.get('client_id')}' was not found in the directory.`,
        },
      };
    if (f.get('client_secret') !== clientSecret)
      return {
        status: 401,
        json: {
          error: 'invalid_client',
          error_description: 'AADSTS7000215: Invalid client secret provided.',
        },
      };
    if (grant === 'authorization_code') return app.consent.redeemCode(app, f);
    if (grant === 'refresh_token') {
      const got = app.redeem(f.get('refresh_token') ?? '');
      if (!got)
        return {
          status: 400,
          json: {
            error: 'invalid_grant',
            error_description:
              'AADSTS700082: The refresh token has expired due to inactivity or has been revoked.',
          },
        };
      return {
        status: 200,
        json: {
          token_type: 'Bearer',
          scope: f.get('scope') ?? '',
          expires_in: 3599,
          access_token: got.access,
          refresh_token: got.refresh,
        },
      };
    }
    const tok = `emu-app-${randomBytes(12).toString('hex')}`;
    app.issued(tok, f.get('scope') ?? '');
    return {
      status: 200,
      json: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: tok },
    };
  }
  return fail(404, 'NotFound', 'Not emulated.');
}
