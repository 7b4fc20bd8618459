/**
 * Which per-user OAuth consent flow a server offers: the one its connector kind's descriptor describes
 * (Google Workspace when the server names `gmail.oauthClient`; Microsoft 365 when the Graph server names
 * its app registration).
 */
import type { ServerSpec } from '../config/types.js';
import type { OAuthProvider } from '../connectors/oauth-provider.js';
import { descriptorFor } from '../connectors/registry.js';

export type { OAuthProvider } from '../connectors/oauth-provider.js';
export { GOOGLE_AUTH_URL } from '../connectors/gmail/gmail-oauth.js';

/** The consent flow `server` offers, or undefined when it has none configured. */
export function oauthProviderFor(server: ServerSpec): OAuthProvider | undefined {
  return descriptorFor(server.kind)?.oauthProvider?.(server);
}
