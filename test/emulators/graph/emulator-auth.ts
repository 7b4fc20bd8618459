/**
 * LOCAL EMULATOR of Entra ID for the Microsoft Graph emulator (test code, not the real service): the
 * tenant's OpenID configuration and the v2.0 token endpoint, client-credentials grant only, with the
 * AADSTS errors Entra returns for an unknown app or a wrong secret.
 */
import { randomBytes } from 'node:crypto';
import { fail, type EmRequest, type EmResponse } from './emulator-http.js';

/** The one app registration the emulated tenant knows. */
export interface EmulatedApp {
  origin: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Record a token handed out. */
  issued(token: string): void;
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
  if (req.path.endsWith('/oauth2/v2.0/token') && req.method === 'POST') {
    const f = new URLSearchParams(req.body.toString('utf8'));
    if (f.get('grant_type') !== 'client_credentials')
      return {
        status: 400,
        json: {
          error: 'unsupported_grant_type',
          error_description: 'Only client_credentials is emulated.',
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
    const tok = `emu-app-${randomBytes(12).toString('hex')}`;
    app.issued(tok);
    return {
      status: 200,
      json: { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: tok },
    };
  }
  return fail(404, 'NotFound', 'Not emulated.');
}
