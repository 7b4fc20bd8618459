/**
 * CalDAV/CardDAV servers (RFC 4791, RFC 6352) as a connector: contacts, calendars and tasks only, on either
 * side, through openGroupware. Mail is not theirs to carry: openSource and openDestination refuse with the
 * item types this kind moves.
 */
import type { AuthSpec, ServerSpec } from '../../config/types.js';
import { ErrorCode, PermanentError } from '../../errors.js';
import type { ConnectionReport, Connector, MailDestination, MailSource } from '../contract.js';
import type { GroupwareEndpoint } from '../groupware-contract.js';
import { DavEndpoint } from './dav-endpoint.js';
import { DavHttp } from './dav-http.js';
import { authorizationFor } from './dav-login.js';

export class DavConnector implements Connector {
  readonly kind = 'dav';
  readonly items = ['contacts', 'calendars', 'tasks'] as const;

  openSource(): Promise<MailSource> {
    return Promise.reject(mailRefused());
  }

  openDestination(): Promise<MailDestination> {
    return Promise.reject(mailRefused());
  }

  /** Discovery and the collection listing, as facts: the DAV classes, the homes, the collections. */
  async testLogin(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<ConnectionReport> {
    const ep = await this.open(server, auth, signal);
    const collections = await ep.listCollections(signal);
    return {
      capabilities: [
        ...(await ep.davClasses(signal)),
        ...(ep.homes.calendarHome ? [`calendar home ${ep.homes.calendarHome}`] : []),
        ...(ep.homes.addressbookHome ? [`address-book home ${ep.homes.addressbookHome}`] : []),
        `vCard ${ep.capabilities.vcardVersion}`,
      ],
      folders: collections.length,
    };
  }

  openGroupware(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<GroupwareEndpoint> {
    return this.open(server, auth, signal);
  }

  private open(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<DavEndpoint> {
    const host = server.host.includes(':') ? `[${server.host}]` : server.host;
    const http = new DavHttp({
      origin: `${server.tls === 'none' ? 'http' : 'https'}://${host}:${server.port}`,
      authorization: authorizationFor(auth),
      user: auth.user,
      insecure: server.allowInvalidCertificates,
    });
    return DavEndpoint.open(http, server.dav?.path ?? '/', signal);
  }
}

function mailRefused(): PermanentError {
  return new PermanentError(
    ErrorCode.ConfigInvalid,
    'A CalDAV/CardDAV server carries contacts, calendars and tasks only, not mail.',
    'Add --items contacts,calendars,tasks to move them; move the mail with the mail server’s own URL (imap://, graph://, gmail://).',
  );
}
