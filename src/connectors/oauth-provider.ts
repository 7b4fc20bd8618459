/**
 * A per-user OAuth consent flow a connector kind offers (its descriptor's `oauthProvider`): the
 * authorization and token endpoints, the project's OAuth client and the scopes to ask for.
 */

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
