/**
 * The Microsoft 365 connector (Microsoft Graph): source and destination, login test, mailbox discovery,
 * inbox rules and automatic replies.
 * Every open checks that the mailbox exists and is provisioned before anything is copied.
 */
import type { AuthSpec, ItemType, ServerSpec } from '../../config/types.js';
import type {
  ConnectionReport,
  Connector,
  ConnectorContext,
  LiveCheck,
  MailboxPace,
  DiscoveredMailbox,
  MailDestination,
  MailSource,
} from '../contract.js';
import type { FilterEndpoint } from '../filters-contract.js';
import type { GroupwareEndpoint } from '../groupware-contract.js';
import { appOf, tokenSourceFor } from './graph-auth.js';
import { GraphClient } from './graph-client.js';
import { paceOf } from './graph-budget.js';
import { budgetLimits, graphTarget, type GraphTarget } from './graph-config.js';
import { ImapLane } from './graph-imap.js';
import { graphLiveChecks } from './graph-live.js';
import { ErrorCode, PermanentError } from '../../errors.js';
import { resolveSecret } from '../../config/secrets.js';
import { GraphDestination } from './graph-destination.js';
import { discoverMailboxes } from './graph-discovery.js';
import { FolderTree } from './graph-folders.js';
import { checkMailbox } from './graph-provision.js';
import { GraphGroupware } from './graph-groupware.js';
import { GraphFilters } from './graph-rules.js';
import { GraphSource } from './graph-source.js';

function clientFor(server: ServerSpec, auth: AuthSpec, context: ConnectorContext): GraphClient {
  const target = graphTarget(server, auth);
  return new GraphClient(target, tokenSourceFor(target, auth, appOf(server), context), context.sharedLimits);
}

/** The IMAP session of the imap/auto write paths: app-only tokens for Exchange Online's IMAP endpoint. */
function imapLaneFor(
  target: GraphTarget,
  server: ServerSpec,
  auth: AuthSpec,
  context: ConnectorContext,
): ImapLane | undefined {
  if (target.writePath === 'json') return undefined;
  if (auth.kind !== 'master')
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `${target.where}: graph.writePath: ${target.writePath} needs app-only access (IMAP takes app tokens of the client-credentials flow); this mailbox has a delegated login.`,
      "Give the server's admin as the app registration (mode master) for this mailbox, or use graph.writePath: json.",
    );
  return new ImapLane(
    target,
    server,
    { clientId: auth.masterUser, clientSecret: resolveSecret(auth.password) },
    context,
  );
}

/** Microsoft 365 as a source and a destination (registry kind `graph`). */
export class GraphConnector implements Connector {
  readonly kind = 'graph';
  /** Mail, inbox rules with automatic replies (graph-rules.ts), contacts, calendars and To Do tasks. */
  readonly items: readonly ItemType[] = ['mail', 'filters', 'contacts', 'calendars', 'tasks'];

  /** `context`: the data directory for the sealed token cache, and whom to tell of a rotated refresh token. */
  constructor(private readonly context: ConnectorContext = {}) {}

  async openSource(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<MailSource> {
    const client = clientFor(server, auth, this.context);
    await checkMailbox(client, signal);
    return new GraphSource(client);
  }

  async openDestination(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<MailDestination> {
    const client = clientFor(server, auth, this.context);
    await checkMailbox(client, signal);
    return new GraphDestination(client, imapLaneFor(client.target, server, auth, this.context));
  }

  /** Inbox rules and automatic replies, on either side (graph-rules.ts). */
  async openFilters(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<FilterEndpoint> {
    const client = clientFor(server, auth, this.context);
    await checkMailbox(client, signal);
    return new GraphFilters(client);
  }

  /** Contacts, calendars and To Do tasks, on either side (graph-groupware.ts). */
  async openGroupware(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<GroupwareEndpoint> {
    const client = clientFor(server, auth, this.context);
    await checkMailbox(client, signal);
    return new GraphGroupware(client);
  }

  async testLogin(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<ConnectionReport> {
    const client = clientFor(server, auth, this.context);
    await checkMailbox(client, signal);
    const folders = await new FolderTree(client).list(signal);
    return {
      capabilities: [auth.kind === 'master' ? 'app-only' : 'delegated', 'ImmutableId', 'delta', '$batch'],
      delimiter: '/',
      namespace: '',
      appendLimit: client.target.maxMessageBytes,
      folders: folders.length,
    };
  }

  /** What the tenant really does with the requests Cutover relies on (graph-live.ts). */
  async liveChecks(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<LiveCheck[]> {
    const client = clientFor(server, auth, this.context);
    await checkMailbox(client, signal);
    return graphLiveChecks(client, signal);
  }

  /** Graph's request and upload budgets per mailbox, as a pace (estimates use it). */
  mailboxPace(server: ServerSpec, side: 'source' | 'destination'): MailboxPace {
    return paceOf(budgetLimits(server), side);
  }

  /** The tenant's user and shared mailboxes (app-only access: the server's admin in mode master). */
  listMailboxes(
    server: ServerSpec,
    auth: AuthSpec,
    signal?: AbortSignal,
  ): AsyncIterable<DiscoveredMailbox[]> {
    return discoverMailboxes(clientFor(server, { ...auth, user: '(directory)' }, this.context), signal);
  }
}
