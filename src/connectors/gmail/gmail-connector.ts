/**
 * The Google Workspace connector (Gmail API): source and destination, user discovery through the
 * Directory API; filters, vacation responder and signatures; contacts, calendars and tasks through the People,
 * Calendar and Tasks APIs (google-groupware.ts). Logins: see GmailSettings in config/types.ts. Given the
 * application's shared limits (ConnectorContext.sharedLimits), each user's quota is paced over every worker.
 */
import type { AuthSpec, ItemType, ServerSpec } from '../../config/types.js';
import type {
  ConnectionReport,
  Connector,
  ConnectorContext,
  DiscoveredMailbox,
  LiveCheck,
  MailDestination,
  MailSource,
} from '../contract.js';
import type { FilterEndpoint } from '../filters-contract.js';
import type { GroupwareEndpoint } from '../groupware-contract.js';
import { GmailApi, type GmailLabel } from './gmail-api.js';
import { gmailTarget, type GmailTarget } from './gmail-config.js';
import { GmailDestination } from './gmail-destination.js';
import { GmailFilters } from './gmail-filters.js';
import { listDirectoryUsers } from './gmail-directory.js';
import { GMAIL_FOLDER_NAMING } from './gmail-label-names.js';
import { gmailLiveChecks } from './gmail-live-checks.js';
import { GmailSource } from './gmail-source.js';
import { GoogleApi } from './google-api.js';
import { GoogleGroupware } from './google-groupware.js';

export class GmailConnector implements Connector {
  readonly kind = 'gmail';
  /** Gmail's label rules, so scan and plan map folders as a pass will (gmail-label-names.ts). */
  readonly folderNaming = GMAIL_FOLDER_NAMING;
  /** Mail, filters with the vacation responder and signatures, contacts, calendars and tasks. */
  readonly items: readonly ItemType[] = ['mail', 'filters', 'contacts', 'calendars', 'tasks'];

  /** `context.sharedLimits`: the users' quota is paced over every worker that shares them. */
  constructor(private readonly context: ConnectorContext = {}) {}

  async openSource(server: ServerSpec, auth: AuthSpec): Promise<MailSource> {
    return new GmailSource(this.api(gmailTarget(server, auth)));
  }

  async openDestination(server: ServerSpec, auth: AuthSpec): Promise<MailDestination> {
    return new GmailDestination(this.api(gmailTarget(server, auth)));
  }

  /** Filters, the vacation responder and send-as signatures, on either side (gmail-filters.ts). */
  async openFilters(server: ServerSpec, auth: AuthSpec): Promise<FilterEndpoint> {
    return new GmailFilters(this.api(gmailTarget(server, auth)));
  }

  /** Contacts, calendars and task lists, on either side (google-groupware.ts); never sends invitations. */
  async openGroupware(server: ServerSpec, auth: AuthSpec): Promise<GroupwareEndpoint> {
    return new GoogleGroupware(new GoogleApi(gmailTarget(server, auth), this.context.sharedLimits));
  }

  async testLogin(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<ConnectionReport> {
    const api = this.api(gmailTarget(server, auth));
    const profile = await api.json<{ emailAddress: string; messagesTotal?: number }>(
      { op: 'getProfile', path: '/profile' },
      signal,
    );
    const { labels = [] } = await api.json<{ labels?: GmailLabel[] }>(
      { op: 'labels.list', path: '/labels' },
      signal,
    );
    return {
      greeting: `Gmail API, ${profile.emailAddress} (${profile.messagesTotal ?? 0} messages)`,
      capabilities: ['GMAIL-API', `QUOTA=${api.target.unitsPerSecond}/s`],
      delimiter: '/',
      namespace: '',
      appendLimit: api.target.maxMessageBytes,
      folders: labels.length,
    };
  }

  /** `cutover test --live`: Gmail's label rules, Sent and Drafts, throttling, tried on the mailbox (gmail-live-checks.ts). */
  liveChecks(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<LiveCheck[]> {
    return gmailLiveChecks(this.api(gmailTarget(server, auth)), signal);
  }

  listMailboxes(
    server: ServerSpec,
    auth: AuthSpec,
    signal?: AbortSignal,
  ): AsyncIterable<DiscoveredMailbox[]> {
    return listDirectoryUsers(gmailTarget(server, auth), signal);
  }

  private api(target: GmailTarget): GmailApi {
    return new GmailApi(target, this.context.sharedLimits);
  }
}
