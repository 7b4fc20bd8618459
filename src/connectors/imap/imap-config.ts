/**
 * Turns a ServerSpec and a resolved login (shared/login.ts) into the settings both IMAP clients (imapflow and
 * the append writer) use.
 */
import type { ServerSpec } from '../../config/types.js';
import type { MailLogin } from '../shared/login.js';

/**
 * How long a connection may stay silent before it counts as dead: 5 minutes, or CUTOVER_SOCKET_TIMEOUT_MS
 * (read at each connect, so a test can shorten it to turn a stall into a timeout).
 */
export function socketTimeoutMs(): number {
  return Number(process.env.CUTOVER_SOCKET_TIMEOUT_MS) || 5 * 60_000;
}

/** Who a server counts a connection against: the mailbox acted for (master logins), else the login. */
export function loginUser(login: MailLogin): string {
  return login.authzid ?? login.user;
}

/** Options for an ImapFlow client. */
export function imapFlowOptions(server: ServerSpec, login: MailLogin) {
  const auth = login.accessToken
    ? { user: login.user, accessToken: login.accessToken }
    : login.authzid
      ? // SASL PLAIN with an authorization identity: Dovecot master users, Cyrus/Zimbra admins.
        { user: login.user, pass: login.password ?? '', authzid: login.authzid, loginMethod: 'AUTH=PLAIN' }
      : { user: login.user, pass: login.password ?? '' };
  return {
    host: server.host,
    port: server.port,
    secure: server.tls === 'tls',
    doSTARTTLS: server.tls === 'starttls' ? true : server.tls === 'none' ? false : undefined,
    tls: { rejectUnauthorized: !server.allowInvalidCertificates },
    auth,
    logger: false as const,
    disableAutoIdle: true,
    connectionTimeout: 20_000,
    greetingTimeout: 20_000,
    socketTimeout: socketTimeoutMs(),
  };
}
