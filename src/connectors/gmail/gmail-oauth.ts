/** Google's per-user consent flow, offered when a Google Workspace server names `gmail.oauthClient`. */
import { resolveSecret } from '../../config/secrets.js';
import type { ServerSpec } from '../../config/types.js';
import type { OAuthProvider } from '../oauth-provider.js';
import { GOOGLE_TOKEN_URL } from './gmail-config.js';

/** Google's documented authorization endpoint. */
export const GOOGLE_AUTH_URL = 'https://accounts.google.com/o/oauth2/v2/auth';

/** Google's consent flow with the server's OAuth client, or undefined when it names none. */
export function googleProvider(server: ServerSpec): OAuthProvider | undefined {
  const g = server.gmail;
  if (!g?.oauthClient) return undefined;
  const client = g.oauthClient;
  return {
    id: 'google',
    label: 'Sign in with Google',
    authorizeUrl: g.authUrl ?? GOOGLE_AUTH_URL,
    tokenUrl: g.tokenUrl ?? GOOGLE_TOKEN_URL,
    clientId: client.id,
    clientSecret: () => resolveSecret(client.secret),
    scopes: ['https://mail.google.com/', 'openid', 'email'],
    mailScope: 'https://mail.google.com/',
    accountClaims: ['email'],
    // prompt=consent: Google returns a refresh token only on a consent screen the user actually saw.
    extra: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'false' },
  };
}
