/**
 * The one thing Graph's request code needs from a login: a bearer token. App-only logins (graph-auth.ts),
 * delegated refresh tokens (graph-refresh.ts) and given access tokens all provide it.
 */

/** Where bearer tokens come from. */
export interface TokenSource {
  /** A valid token; `fresh` skips any cache (after Graph refused the previous one). */
  token(fresh?: boolean): Promise<string>;
}
