/**
 * The login a mail protocol client (IMAP, POP3) authenticates with, resolved from an AuthSpec once: the
 * same three kinds of login mean the same thing to every such protocol.
 */
import type { AuthSpec } from '../../config/types.js';
import { resolveSecret } from '../../config/secrets.js';

/** Resolved login: who authenticates, as whom, with what. Secrets resolved once, never logged. */
export interface MailLogin {
  /** Authentication identity (the master/admin user in master mode). */
  user: string;
  /** Authorization identity: the mailbox acted for (SASL PLAIN authzid), master mode only. */
  authzid?: string;
  password?: string;
  accessToken?: string;
}

/** Resolve the secrets of an AuthSpec into a login. */
export function resolveLogin(auth: AuthSpec): MailLogin {
  switch (auth.kind) {
    case 'password':
      return { user: auth.user, password: resolveSecret(auth.password) };
    case 'xoauth2':
      return { user: auth.user, accessToken: resolveSecret(auth.accessToken) };
    case 'master':
      return { user: auth.masterUser, authzid: auth.user, password: resolveSecret(auth.password) };
  }
}
