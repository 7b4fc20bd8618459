/**
 * A credential from a consent flow, as sealed in the credentials table: the refresh token with the access
 * token and its expiry, behind a marker no typed password can start with (the portal refuses NUL). A run
 * logs in with the refresh token, which the Gmail connector exchanges with the project's OAuth client and
 * the Graph connector with the server's app registration.
 */
import type { AuthSpec } from '../config/types.js';

const MARK = '\u0000oauth:v1\u0000';

/** The tokens of one consent. */
export interface OAuthCredential {
  provider: 'google' | 'microsoft';
  /** The account that consented (equals the mailbox login). */
  account: string;
  refreshToken: string;
  accessToken?: string;
  /** ISO time the access token expires. */
  accessExpiresAt?: string;
}

/** The plaintext to seal for a consent. */
export const encodeOAuthCredential = (c: OAuthCredential): string => MARK + JSON.stringify(c);

/** The consent in an opened credential, or undefined for a password. */
export function decodeOAuthCredential(opened: string): OAuthCredential | undefined {
  if (!opened.startsWith(MARK)) return undefined;
  return JSON.parse(opened.slice(MARK.length)) as OAuthCredential;
}

/** The login a run uses for an opened credential: a password, or a consent's refresh token. */
export function storedLogin(opened: string, user: string): AuthSpec {
  const c = decodeOAuthCredential(opened);
  return { kind: 'password', user, password: { value: c ? c.refreshToken : opened } };
}
