/**
 * The Authorization header of a DAV login: Basic for a password login, Bearer for an access token. A
 * master login (an admin acting for a user) has no standard form over HTTP and is refused with a hint.
 * Xandikos has no authentication of its own: it ignores the header (a proxy in front of it may check it).
 */
import { resolveSecret } from '../../config/secrets.js';
import type { AuthSpec } from '../../config/types.js';
import { ErrorCode, PermanentError } from '../../errors.js';

/** The header value for this login; secrets are resolved here, once, and never logged. */
export function authorizationFor(auth: AuthSpec): string {
  switch (auth.kind) {
    case 'password':
      return `Basic ${Buffer.from(`${auth.user}:${resolveSecret(auth.password)}`, 'utf8').toString('base64')}`;
    case 'xoauth2':
      return `Bearer ${resolveSecret(auth.accessToken)}`;
    case 'master':
      throw new PermanentError(
        ErrorCode.ConfigInvalid,
        `A CalDAV/CardDAV server has no admin login acting for ${auth.user}.`,
        'Give each mailbox its own password (or an access token with auth=xoauth2).',
      );
  }
}
