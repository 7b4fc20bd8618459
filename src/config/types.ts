/**
 * The typed shape of what an operator describes: servers, mailboxes and the migration's options.
 * Parsed and validated from a YAML project file, a mailboxes CSV, or imap:// URLs on the command line.
 */
import type { DavSettings } from '../connectors/dav/dav-settings.js';
import type { GmailSettings } from '../connectors/gmail/gmail-settings.js';
import type { GraphSettings } from '../connectors/graph/graph-settings.js';
import type { ImapSettings } from '../connectors/imap/imap-settings.js';
import type { PlanConfig } from './plan.js';

/** The system a server is: a connector kind of src/connectors/registry.ts (its descriptor says which sides it can be). */
export type ServerKind = string;

/** How the connection is secured. `tls` = implicit TLS (IMAP 993, POP3 995), `starttls` = upgrade, `none` = plain. */
export type TlsMode = 'tls' | 'starttls' | 'none';

/** Item types a mailbox can move (a connector's `items` says which it implements). */
export type ItemType = 'mail' | 'contacts' | 'calendars' | 'tasks' | 'filters';

import type { SecretRef } from './secret-ref.js';

export type { SecretRef } from './secret-ref.js';

/** How to log in to one mailbox on a server. */
export type AuthSpec =
  | { kind: 'password'; user: string; password: SecretRef }
  /** XOAUTH2 / OAUTHBEARER with an access token. */
  | { kind: 'xoauth2'; user: string; accessToken: SecretRef }
  /** An admin/master login acting for `user` (Dovecot `user*master`, SASL PLAIN authzid). */
  | { kind: 'master'; user: string; masterUser: string; password: SecretRef };

/** A mail server, as declared in the project file or derived from a URL. */
export interface ServerSpec {
  /** Connector kind (see src/connectors/registry.ts). */
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
  /** IMAP settings (the ManageSieve port), for `kind: imap` only. */
  imap?: ImapSettings;
  /** CalDAV/CardDAV settings (where discovery starts), for `kind: dav` only. */
  dav?: DavSettings;
  /**
   * Where this side's contacts, calendars and tasks are when the server itself does not hold them: a
   * CalDAV/CardDAV server beside an IMAP server (`dav: { url: https://dav.example.com/ }` in the project
   * file). Logged in to with each mailbox's own login of this side.
   */
  groupware?: ServerSpec;
}

export type { GraphSettings, GraphWritePath } from '../connectors/graph/graph-settings.js';
export type { GmailSettings } from '../connectors/gmail/gmail-settings.js';

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
