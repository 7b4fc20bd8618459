/** Turns an AuthSpec into the login the POP3 client uses, and names the mailbox in messages. */
import type { AuthSpec, ServerSpec } from '../../config/types.js';
import { resolveSecret } from '../../config/secrets.js';

/** Resolved login: who authenticates, as whom, with what. Secrets resolved once, never logged. */
export interface Pop3Login {
  /** Authentication identity (the master/admin user in master mode). */
  user: string;
  /** Authorization identity: the mailbox acted for (SASL PLAIN authzid), master mode only. */
  authzid?: string;
  password?: string;
  accessToken?: string;
}

/** Resolve the secrets of an AuthSpec into a login. */
export function resolveLogin(auth: AuthSpec): Pop3Login {
  switch (auth.kind) {
    case 'password':
      return { user: auth.user, password: resolveSecret(auth.password) };
    case 'xoauth2':
      return { user: auth.user, accessToken: resolveSecret(auth.accessToken) };
    case 'master':
      return { user: auth.masterUser, authzid: auth.user, password: resolveSecret(auth.password) };
  }
}

/** "alice@example.com on pop3 old.example.com:995" — names the server and mailbox in every message. */
export function describe(server: ServerSpec, auth: AuthSpec): string {
  return `${auth.user} on pop3 ${server.host}:${server.port}`;
}
