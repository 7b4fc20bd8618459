/**
 * Which per-user OAuth consent flow a server offers: its authorization and token endpoints, the project's
 * OAuth client and the scopes to ask for. Google Workspace when the server names `gmail.oauthClient`;
 * Microsoft 365 when the Graph server names its app registration (admin in mode master: client id +
 * secret), whose delegated Mail.ReadWrite the user grants — the connector then redeems the stored refresh
 * token with that same app registration.
 */
import { resolveSecret } from '../config/secrets.js';
import type { ServerSpec } from '../config/types.js';
import { GOOGLE_TOKEN_URL } from '../connectors/gmail/gmail-config.js';
import { appOf } from '../connectors/graph/graph-auth.js';
import { graphTarget } from '../connectors/graph/graph-config.js';

/** Google's documented authorization endpoint. */
export const GOOGLE_AUTH_URL = 'https://accounts.google.com/o/oauth2/v2/auth';

/** One OAuth client of one server, ready for the authorization-code flow. */
export interface OAuthProvider {
  /** Stable id used in stored credentials. */
  id: 'google' | 'microsoft';
  /** For the button: "Sign in with Google". */
  label: string;
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  /** Read at the moment of the exchange, never kept. */
  clientSecret: () => string;
  scopes: string[];
  /** The scope that grants mail access: a consent whose granted scopes lack it is refused. */
  mailScope: string;
  /** ID-token claims naming the signed-in account, first present wins. */
  accountClaims: string[];
  /** Skip certificate checks at the token endpoint (the server's allowInvalidCertificates; test labs only). */
  insecure?: boolean;
  /**
   * Verify the consent with the access token, not by redeeming the refresh token: Entra rotates refresh
   * tokens on use, so redeeming before storing would store a used one.
   */
  verifyWithAccessToken?: boolean;
  /** Extra authorization parameters (Google: offline access and a fresh consent, so a refresh token comes back). */
  extra: Record<string, string>;
}

/** The consent flow `server` offers, or undefined when it has none configured. */
export function oauthProviderFor(server: ServerSpec): OAuthProvider | undefined {
  if (server.kind === 'graph') return microsoftProvider(server);
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
    mailScope: 'https://mail.google.com/',
    accountClaims: ['email'],
    // prompt=consent: Google returns a refresh token only on a consent screen the user actually saw.
    extra: { access_type: 'offline', prompt: 'consent', include_granted_scopes: 'false' },
  };
}

/** Entra ID's v2.0 endpoints of the server's tenant, with its app registration as the OAuth client. */
function microsoftProvider(server: ServerSpec): OAuthProvider | undefined {
  const app = appOf(server);
  if (!app || !server.graph?.tenantId) return undefined;
  const t = graphTarget(server, { kind: 'password', user: '', password: { value: '' } });
  const authority = `${t.authorityHost}/${encodeURIComponent(t.tenantId)}/oauth2/v2.0`;
  // The resource the connector calls: https://graph.microsoft.com unless a lab points baseUrl elsewhere.
  const mailScope = `${new URL(t.baseUrl).origin}/Mail.ReadWrite`;
  return {
    id: 'microsoft',
    label: 'Sign in with Microsoft',
    authorizeUrl: `${authority}/authorize`,
    tokenUrl: `${authority}/token`,
    clientId: app.clientId,
    clientSecret: () => resolveSecret(app.clientSecret),
    scopes: ['offline_access', mailScope, 'openid', 'email', 'profile'],
    mailScope,
    // preferred_username is the UPN the user signed in with; email may be absent or an alias.
    accountClaims: ['preferred_username', 'email'],
    insecure: t.insecure,
    verifyWithAccessToken: true,
    // select_account: a browser signed in to another work account gets the account picker, not that one.
    extra: { prompt: 'select_account', response_mode: 'query' },
  };
}
