/**
 * The typed shape of what an operator describes: servers, mailboxes and the migration's options.
 * Parsed and validated from a YAML project file, a mailboxes CSV, or imap:// URLs on the command line.
 */
import type { PlanConfig } from './plan.js';

/** The systems Cutover talks to. POP3 can only be a source. */
export type ServerKind = 'imap' | 'pop3' | 'gmail' | 'graph';

/** How the connection is secured. `tls` = implicit TLS (IMAP 993, POP3 995), `starttls` = upgrade, `none` = plain. */
export type TlsMode = 'tls' | 'starttls' | 'none';

/** Item types a mailbox can move. Only `mail` is implemented by the IMAP connector today. */
export type ItemType = 'mail' | 'contacts' | 'calendars' | 'tasks' | 'filters';

/** Where a secret comes from: inline, an environment variable, or a file (first line). */
export type SecretRef = { value: string } | { env: string } | { file: string };

/** How to log in to one mailbox on a server. */
export type AuthSpec =
  | { kind: 'password'; user: string; password: SecretRef }
  /** XOAUTH2 / OAUTHBEARER with an access token. */
  | { kind: 'xoauth2'; user: string; accessToken: SecretRef }
  /** An admin/master login acting for `user` (Dovecot `user*master`, SASL PLAIN authzid). */
  | { kind: 'master'; user: string; masterUser: string; password: SecretRef };

/** A mail server, as declared in the project file or derived from a URL. */
export interface ServerSpec {
  /** Connector kind: 'imap', or 'pop3' (a source only); 'graph' and 'gmail' come later. */
  kind: ServerKind;
  host: string;
  port: number;
  tls: TlsMode;
  /** Accept self-signed certificates (test labs); default false. */
  allowInvalidCertificates: boolean;
  /** Admin/master login used for every mailbox when a mailbox row has no credentials of its own. */
  admin?: { user: string; password: SecretRef; mode: 'master' | 'password' };
  /** Maximum simultaneous connections Cutover opens to this server, all mailboxes together. */
  maxConnections: number;
  /** Mailbox used by `cutover test` to check a normal login. */
  testMailbox?: string;
  /** Google Workspace settings, for `kind: gmail` only. */
  gmail?: GmailSettings;
  /** Microsoft 365 settings, for `kind: graph` only. */
  graph?: GraphSettings;
}

/**
 * Microsoft 365 (Microsoft Graph) settings. Logins: app-only (client credentials) is the server's `admin`
 * in mode `master` (user = the app's client id, password = its client secret), acting for every mailbox;
 * a mailbox's own `xoauth2` login is a delegated access token for that one mailbox.
 */
export interface GraphSettings {
  /** Directory (tenant) id or verified domain. */
  tenantId: string;
  /** Graph base URL; default https://graph.microsoft.com/v1.0 (tests point it at the local emulator). */
  baseUrl?: string;
  /** Entra ID authority host; default https://login.microsoftonline.com. Must be https (MSAL refuses http). */
  authorityHost?: string;
  /** Largest message written; default 35 MB (Exchange Online's default limit; tenants may raise it to 150 MB). */
  maxMessageBytes?: number;
  /**
   * How messages are written (destination only): `json` (default) converts each message to Graph's JSON
   * form (headers Graph has no property for are dropped and said on the copy); `imap` APPENDs the whole MIME
   * message to Exchange Online's IMAP endpoint with an app-only OAuth token (needs IMAP.AccessAsApp and a
   * mailbox permission for the app's service principal); `auto` uses JSON, and IMAP for a message whose
   * attachments do not fit into Graph's 4 MB create request.
   */
  writePath?: GraphWritePath;
  /** Exchange Online's IMAP endpoint for the imap/auto write paths; default outlook.office365.com. */
  imapHost?: string;
  /** Its port (implicit TLS); default 993. */
  imapPort?: number;
  /** Requests per 10 minutes per mailbox Cutover may send; default 10,000 (Graph's documented limit). */
  requestBudget?: number;
  /** Megabytes uploaded per 5 minutes per mailbox; default 150 (Graph's documented limit). */
  uploadBudgetMB?: number;
}

/** The write paths of a Microsoft 365 destination (see GraphSettings.writePath). */
export type GraphWritePath = 'json' | 'imap' | 'auto';

/**
 * Google Workspace (Gmail API) settings. Logins: a service account with domain-wide delegation is the
 * server's `admin` in mode `master` (user = the Workspace admin used for user discovery, password = the
 * service account's JSON key, read whole); a mailbox's own `xoauth2` login is a per-user access token and
 * its own `password` login a per-user refresh token (needs `oauthClient`).
 */
export interface GmailSettings {
  /** OAuth client that issued per-user refresh tokens. */
  oauthClient?: { id: string; secret: SecretRef };
  /** Gmail API base URL; default https://gmail.googleapis.com (tests point it at the local emulator). */
  apiUrl?: string;
  /** OAuth token endpoint; default the key file's token_uri, else https://oauth2.googleapis.com/token. */
  tokenUrl?: string;
  /** OAuth authorization endpoint of the per-user consent flow; default https://accounts.google.com/o/oauth2/v2/auth. */
  authUrl?: string;
  /** Directory API base URL; default https://admin.googleapis.com. */
  directoryUrl?: string;
  /** Quota units per second Cutover spends per user; default 200 (Google allows 250 on average). */
  quotaUnitsPerSecond?: number;
  /** Largest message imported; default 150 MB (messages.import's documented maximum). */
  maxMessageBytes?: number;
}

/** Throttling caps for a server or the whole run; absent = unlimited. */
export interface RateLimits {
  messagesPerSecond?: number;
  bytesPerSecond?: number;
}

/** Rules applied to folders: explicit and regex renames, include/exclude filters. */
export interface FolderRules {
  /** Exact source path (joined with '/') → destination path (joined with '/'). */
  map: Array<{ from: string; to: string }>;
  /** Regex over the source path (joined with '/') → replacement (JS replace syntax). */
  regex: Array<{ pattern: string; replacement: string }>;
  /** When non-empty, only folders matching one of these regexes are migrated. */
  include: string[];
  /** Folders matching any of these regexes are not migrated (reported as excluded). */
  exclude: string[];
}

/** Per-mailbox migration options (project defaults, overridable per CSV row). */
export interface MailboxOptions {
  itemTypes: ItemType[];
  /** Only items whose internal date is >= this (inclusive). */
  since?: Date;
  /** Only items whose internal date is < this (exclusive). */
  before?: Date;
  /** Skip messages larger than this many bytes (reported as skipped). */
  maxMessageBytes?: number;
  folders: FolderRules;
}

/** One mailbox to migrate. */
export interface MailboxSpec {
  /** Stable key: the source login. */
  sourceUser: string;
  /** Destination login ("export name"). */
  destUser: string;
  sourceAuth?: AuthSpec;
  destAuth?: AuthSpec;
  starred: boolean;
  options: MailboxOptions;
  /** Where this mailbox was declared, for error messages ("mailboxes.csv:12"). */
  origin?: string;
}

/** A whole migration project. */
export interface ProjectConfig {
  name: string;
  source: ServerSpec;
  destination: ServerSpec;
  defaults: MailboxOptions;
  mailboxes: MailboxSpec[];
  /** Parallelism: mailboxes at once, folders at once per mailbox. */
  concurrency: { mailboxes: number; foldersPerMailbox: number };
  limits: RateLimits;
  /** Directory of the embedded store (SQLite); relative to the project file. */
  dataDir?: string;
  /** The cutover plan (dates, mode, communications, DNS, windows, phases); defaults when absent. */
  plan?: PlanConfig;
}

/** A problem found while reading configuration: where, what, and what to do. */
export interface ConfigProblem {
  /** "project.yaml:14" or "mailboxes.csv:7". */
  where: string;
  message: string;
  hint: string;
}
