/**
 * The ManageSieve connector: filters only (item type `filters`), on either side. It has no mail: opening a
 * mail source or destination is refused with what to do instead.
 */
import type { AuthSpec, ItemType, ServerSpec } from '../../config/types.js';
import { ErrorCode, PermanentError } from '../../errors.js';
import type { ConnectionReport, Connector, MailDestination, MailSource } from '../contract.js';
import type { FilterEndpoint } from '../filters-contract.js';
import { connectSieve, describeSieve, openSieveFilters } from './sieve-open.js';
import { connectOptions, sieveSettingsOf } from './sieve-settings.js';

/** Why a ManageSieve server has no mail to open. */
export const SIEVE_FILTERS_ONLY = 'ManageSieve moves filters only';

export class SieveConnector implements Connector {
  readonly kind = 'sieve';
  readonly items: readonly ItemType[] = ['filters'];

  openSource(server: ServerSpec, auth: AuthSpec): Promise<MailSource> {
    return Promise.reject(this.mailRefused(server, auth));
  }

  openDestination(server: ServerSpec, auth: AuthSpec): Promise<MailDestination> {
    return Promise.reject(this.mailRefused(server, auth));
  }

  openFilters(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<FilterEndpoint> {
    const s = sieveSettingsOf(server);
    return openSieveFilters(
      connectOptions(server, s.requireTls ?? false),
      auth,
      { delimiter: s.delimiter ?? '/', prefix: '' },
      signal,
    );
  }

  async testLogin(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<ConnectionReport> {
    const s = sieveSettingsOf(server);
    const client = await connectSieve(connectOptions(server, s.requireTls ?? false), auth, signal);
    try {
      const scripts = await client.listScripts(signal);
      return {
        greeting: client.greeting,
        capabilities: [...client.capabilities.lines, ...(client.secured ? ['(TLS)'] : [])],
        delimiter: s.delimiter ?? '/',
        namespace: '',
        // Scripts, not folders: what a ManageSieve mailbox holds.
        folders: scripts.length,
      };
    } finally {
      await client.logout();
    }
  }

  private mailRefused(server: ServerSpec, auth: AuthSpec): PermanentError {
    return new PermanentError(
      ErrorCode.ConfigInvalid,
      `${describeSieve(server, auth)}: ${SIEVE_FILTERS_ONLY}; it has no mail to read or write.`,
      'Add --items filters to move the filters; move the mail between the IMAP servers (in a project, give the IMAP server imap: { sievePort: 4190 } and use --items mail,filters).',
    );
  }
}
