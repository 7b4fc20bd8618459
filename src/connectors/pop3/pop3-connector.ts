/** The POP3 connector: a source only. Opens sources and tests logins; refuses to be a destination. */
import type { AuthSpec, ServerSpec } from '../../config/types.js';
import { ErrorCode, PermanentError } from '../../errors.js';
import type { ConnectionReport, Connector, MailDestination, MailSource } from '../contract.js';
import { Pop3Source, openPop3 } from './pop3-source.js';

/** Why a POP3 server cannot be written to. */
export const POP3_SOURCE_ONLY = 'POP3 can only be a source: it has no way to store messages on the server.';

export class Pop3Connector implements Connector {
  readonly kind = 'pop3';

  async openSource(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<MailSource> {
    const { client, listing, where } = await openPop3(server, auth, signal);
    return new Pop3Source(client, listing, where);
  }

  async openDestination(server: ServerSpec): Promise<MailDestination> {
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `${server.host}:${server.port}: ${POP3_SOURCE_ONLY}`,
      'Use an imap:// or imaps:// destination.',
    );
  }

  async testLogin(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<ConnectionReport> {
    const { client, listing } = await openPop3(server, auth, signal);
    try {
      return {
        greeting: client.greeting,
        capabilities: [...client.capabilities],
        // One folder: INBOX. '/' is how Cutover joins folder paths everywhere.
        delimiter: '/',
        namespace: '',
        quota: { usedBytes: listing.bytes },
        folders: 1,
      };
    } finally {
      await client.quit();
    }
  }
}
