/**
 * The IMAP connector: opens sources and destinations, and tests logins. Capabilities come from the server.
 * Filters (item type `filters`) are on the same host's ManageSieve port, when the settings name it.
 */
import type { ImapFlow } from 'imapflow';
import type { AuthSpec, ItemType, ServerSpec } from '../../config/types.js';
import { NotConfiguredError } from '../../errors.js';
import type { ConnectionReport, Connector, MailDestination, MailSource } from '../contract.js';
import type { FilterEndpoint } from '../filters-contract.js';
import { openSieveFilters } from '../sieve/sieve-open.js';
import { AppendWriter } from './append-writer.js';
import { RawFetcher } from './raw-fetcher.js';
import { ImapDestination } from './imap-destination.js';
import { mapImapError } from './imap-errors.js';
import { closeImap, delimiterOf, listFolders, openImap } from './imap-session.js';
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
    const { client, login, where } = await openImap(server, auth, signal);
    try {
      // Keywords survive only where the server lets clients create them (PERMANENTFLAGS \*), which only a
      // read-write SELECT reports. The selection stays until the next SELECT/EXAMINE or LOGOUT, which leave
      // it without expunging; CLOSE would expunge every \Deleted message of the user's INBOX.
      // The writer's connection logs in meanwhile (one round trip of latency instead of two).
      const writing = AppendWriter.connect(server, login, where, signal);
      writing.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
      let inbox: Awaited<ReturnType<ImapFlow['mailboxOpen']>>;
      try {
        inbox = await client.mailboxOpen('INBOX');
      } catch (err) {
        await writing.then((w) => w.close()).catch(() => undefined);
        throw err;
      }
      const keywords = !inbox.permanentFlags || inbox.permanentFlags.has('\\*');
      const writer = await writing;
      return new ImapDestination(client, writer, where, keywords, () =>
        RawFetcher.connect(server, login, where, signal),
      );
    } catch (err) {
      await closeImap(client);
      throw mapImapError(err, where);
    }
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
