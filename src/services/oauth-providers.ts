/**
 * Which per-user OAuth consent flow a server offers: its authorization and token endpoints, the project's
 * OAuth client and the scopes to ask for. Google Workspace when the server names `gmail.oauthClient`.
 * Microsoft 365 is not offered yet: the Graph connector takes only a delegated access token, which it cannot
 * refresh, so a consent stored today would stop working within the hour.
 */
import { resolveSecret } from '../config/secrets.js';
import type { ServerSpec } from '../config/types.js';
import { GOOGLE_TOKEN_URL } from '../connectors/gmail/gmail-config.js';

/** Google's documented authorization endpoint. */
export const GOOGLE_AUTH_URL = 'https://accounts.google.com/o/oauth2/v2/auth';

/** One OAuth client of one server, ready for the authorization-code flow. */
export interface OAuthProvider {
  /** Stable id used in stored credentials: 'google'. */
  id: 'google';
  /** For the button: "Sign in with Google". */
  label: string;
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  /** Read at the moment of the exchange, never kept. */
  clientSecret: () => string;
  scopes: string[];
  /** Extra authorization parameters (Google: offline access and a fresh consent, so a refresh token comes back). */
  extra: Record<string, string>;
}

/** The consent flow `server` offers, or undefined when it has none configured. */
export function oauthProviderFor(server: ServerSpec): OAuthProvider | undefined {
  const g = server.gmail;
  if (server.kind !== 'gmail' || !g?.oauthClient) return undefined;
  const client = g.oauthClient;
  return {
    id: 'google',
    label: 'Sign in with Google',
    authorizeUrl: g.authUrl ?? GOOGLE_AUTH_URL,
    tokenUrl: g.tokenUrl ?? GOOGLE_TOKEN_URL,
    clientId: client.id,
    clientSecret: () => resolveSecret(client.secret),
    scopes: ['https://mail.google.com/', 'openid', 'email'],
    // prompt=consent: Google returns a refresh token only on a consent screen the user actually saw.
    extra: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'false' },
  };
}
