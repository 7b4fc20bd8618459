/**
 * The IMAP connector: opens sources and destinations, and tests logins. Capabilities come from the server.
 * Filters (item type `filters`) are on the same host's ManageSieve port, when the settings name it.
 */
import type { AuthSpec, ItemType, ServerSpec } from '../../config/types.js';
import { NotConfiguredError } from '../../errors.js';
import type { ConnectionReport, Connector, MailDestination, MailSource } from '../contract.js';
import type { FilterEndpoint } from '../filters-contract.js';
import { openSieveFilters } from '../sieve/sieve-open.js';
import { AppendWriter } from './append-writer.js';
import { RawFetcher } from './raw-fetcher.js';
import { ImapDestination } from './imap-destination.js';
import { mapImapError } from './imap-errors.js';
import { closeImap, delimiterOf, describe, listFolders, openImap } from './imap-session.js';
import { resolveLogin } from '../shared/login.js';
import { ImapSource } from './imap-source.js';

export class ImapConnector implements Connector {
  readonly kind = 'imap';
  readonly items: readonly ItemType[] = ['mail', 'filters'];

  /**
   * The mailbox's Sieve filters over ManageSieve at `imap.sievePort` of the same host, with the same login.
   * Folder names in scripts are IMAP names, so the delimiter and personal prefix come from the IMAP server
   * itself (one short login). TLS: required over STARTTLS when IMAP uses TLS, else used when offered.
   */
  async openFilters(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<FilterEndpoint> {
    const port = server.imap?.sievePort;
    if (!port)
      throw new NotConfiguredError(
        `${server.host}: no ManageSieve port is set for this IMAP server, so its filters cannot be moved.`,
        'Add imap: { sievePort: 4190 } to the server in the project file (or sievePort in the web form), or leave filters out of --items.',
      );
    const { client } = await openImap(server, auth, signal);
    let naming: { delimiter: string; prefix: string };
    try {
      naming = { delimiter: delimiterOf(client), prefix: client.namespace?.prefix ?? '' };
    } finally {
      await closeImap(client);
    }
    const opts = {
      host: server.host,
      port,
      tls: 'starttls' as const,
      requireTls: server.tls !== 'none',
      allowInvalidCertificates: server.allowInvalidCertificates,
    };
    return openSieveFilters(opts, auth, naming, signal);
  }

  async openSource(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<MailSource> {
    const { client, login, where } = await openImap(server, auth, signal);
    return new ImapSource(client, where, () => RawFetcher.connect(server, login, where, signal));
  }

  async openDestination(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<MailDestination> {
    // Both connections log in at once (under latency, the writer's two round trips hide behind imapflow's
    // five). Keywords survive only where the server lets clients create them (PERMANENTFLAGS \*), which only
    // a read-write SELECT reports: the writer selects INBOX for that, and keeps it selected until LOGOUT,
    // which leaves it without expunging (CLOSE would expunge every \Deleted message of the user's INBOX).
    const where = describe(server, auth);
    const login = resolveLogin(auth);
    const [imap, writing] = await Promise.allSettled([
      openImap(server, auth, signal),
      (async () => {
        const writer = await AppendWriter.connect(server, login, where, signal);
        try {
          return { writer, keywords: await writer.keepsKeywords() };
        } catch (err) {
          await writer.close();
          throw err;
        }
      })(),
    ]);
    if (imap.status === 'rejected' || writing.status === 'rejected') {
      if (imap.status === 'fulfilled') await closeImap(imap.value.client);
      if (writing.status === 'fulfilled') await writing.value.writer.close();
      // imapflow's login error first: it is the one mapped with the most context.
      throw imap.status === 'rejected' ? imap.reason : (writing as PromiseRejectedResult).reason;
    }
    const { writer, keywords } = writing.value;
    return new ImapDestination(imap.value.client, writer, where, keywords, () =>
      RawFetcher.connect(server, login, where, signal),
    );
  }

  async testLogin(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<ConnectionReport> {
    const { client, where } = await openImap(server, auth, signal);
    try {
      const caps = [...client.capabilities.entries()].map(([k, v]) =>
        typeof v === 'number' ? `${k}=${v}` : k,
      );
      const limit = client.capabilities.get('APPENDLIMIT');
      let quota: ConnectionReport['quota'];
      if (client.capabilities.has('QUOTA')) {
        const q = await client.getQuota('INBOX');
        if (q && q.storage) quota = { usedBytes: q.storage.usage, limitBytes: q.storage.limit };
      }
      const folders = await listFolders(client, where);
      return {
        greeting: typeof client.greeting === 'string' ? client.greeting : undefined,
        capabilities: caps,
        delimiter: delimiterOf(client),
        namespace: client.namespace?.prefix ?? '',
        quota,
        appendLimit: typeof limit === 'number' ? limit : undefined,
        folders: folders.length,
      };
    } catch (err) {
      throw mapImapError(err, where);
    } finally {
      await closeImap(client);
    }
  }
}
