/**
 * Microsoft's per-user consent flow: Entra ID with the Graph server's app registration (admin in mode master:
 * client id + secret), whose delegated Mail.ReadWrite the user grants; the connector then redeems the stored
 * refresh token with that same app registration.
 */
import { resolveSecret } from '../../config/secrets.js';
import type { ServerSpec } from '../../config/types.js';
import type { OAuthProvider } from '../oauth-provider.js';
import { appOf } from './graph-auth.js';
import { graphTarget } from './graph-config.js';

/** Entra ID's v2.0 endpoints of the server's tenant, with its app registration as the OAuth client. */
export function microsoftProvider(server: ServerSpec): OAuthProvider | undefined {
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
