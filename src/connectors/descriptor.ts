/**
 * What the rest of Cutover knows about a connector kind without naming it: its label, which sides it can be,
 * its URL schemes and default ports, its settings block (the API schema, and how a project file's block is
 * read), whether it can discover mailboxes, and how to make its connector. Each connector folder has one
 * `<kind>-descriptor.ts`; src/connectors/registry.ts lists them.
 */
import type { TSchema } from '@sinclair/typebox';
import type { AuthSpec, SecretRef, ServerSpec, TlsMode } from '../config/types.js';
import type { Connector, ConnectorContext } from './contract.js';
import type { OAuthProvider } from './oauth-provider.js';

/** The side of a migration a connector can be. */
export type ConnectorRole = 'source' | 'destination';

/** How a connection is secured (as ServerSpec.tls). */
export type ConnectorTls = 'tls' | 'starttls' | 'none';

/** A value of the project file and where it sits (the YAML reader's field). */
export interface SettingsField {
  value: unknown;
  at: unknown;
  path: string;
}

/**
 * The part of the project file's YAML reader a kind's settings reader uses: each bad value is recorded as a
 * problem (FILE:LINE, message, hint) and read as undefined.
 */
export interface SettingsReader {
  /** The entries of a mapping; unknown keys are reported. */
  map(f: SettingsField, allowed: readonly string[]): Map<string, SettingsField> | undefined;
  str(f: SettingsField | undefined): string | undefined;
  int(f: SettingsField | undefined, min: number, max: number, hint: string): number | undefined;
  /** A password: a string, { env: NAME } or { file: PATH }. */
  secret(f: SettingsField | undefined): SecretRef | undefined;
  add(at: unknown, message: string, hint: string): undefined;
}

/** What the one-off URL form (gmail://…, graph://…) has parsed, for the kind's own part. */
export interface UrlContext {
  /** The URL with its secret hidden, for messages. */
  shown: string;
  host: string;
  /** The host as it sits in a URL (IPv6 literals in brackets). */
  urlHost: string;
  port: number;
  tls: TlsMode;
  user: string;
  /**
   * The absolute local path a `localPath` kind's URL names (file:///ABS/DIR); the URL's path, percent-encoded
   * as written, for a `serverPath` kind (dav://HOST/dav/alice/, '' when none); '' for other kinds.
   */
  path: string;
  /** Values of the kind's own query parameters (its urlParams). */
  params: Readonly<Record<string, string>>;
  secret: SecretRef;
  /** The secret is an access token (auth=xoauth2, or the kind's tokenLogin). */
  tokenLogin: boolean;
  /** Refuse the URL with a message and a hint. */
  fail: (message: string, hint: string) => never;
}

/** One connector kind, described. */
export interface ConnectorDescriptor {
  /** The `kind:` of a server in the project file and the API. */
  kind: string;
  /** What the operator chooses in the web form, e.g. "IMAP server". */
  label: string;
  /** The system's name in messages, e.g. "IMAP", "Microsoft 365". */
  name: string;
  /** The sides it can be. */
  roles: readonly ConnectorRole[];
  /** Why it cannot be the other side, when it has one role only (said with the refusal). */
  roleNote?: string;
  /**
   * Set when the kind works only in the command line's one-off URL form (a local path, not a server a
   * project can name yet): why, said when a project file or the API names it.
   */
  urlOnly?: string;
  /** URL schemes of the command line's one-off form, each with the TLS it implies (imap: none, imaps: tls). */
  urlSchemes: Readonly<Record<string, ConnectorTls>>;
  /** Query parameters of the one-off URL form that only this kind takes (e.g. tenant= of graph://). */
  urlParams?: readonly string[];
  /** The one-off URL form's kind-specific part. */
  urlForm?: {
    /** A secret in the URL is an access token, not a password. */
    tokenLogin?: boolean;
    /** The URL names an absolute local path (mbox:///ABS/FILE, file:///ABS/DIR), not a server: no host, port,
     * login or secret. */
    localPath?: boolean;
    /** The URL's path says where on the server to start (dav://HOST:PORT/PATH): handed over as `path`, not refused. */
    serverPath?: boolean;
    /** The settings block made from the URL, and the login when the kind decides it (else the URL's). */
    complete: (u: UrlContext) => { settings?: unknown; auth?: AuthSpec };
  };
  /** The port when none is given. */
  defaultPort: (tls: ConnectorTls) => number;
  /** The one well-known API host of a hosted system (no host, port or TLS to choose); absent = a host is required. */
  defaultHost?: string;
  /** The DNS target kind of a hosted system (client setup, DNS switch). */
  hosted?: 'microsoft365' | 'google';
  /** Name of the kind's settings block in the project file, the API and ServerSpec. */
  settingsKey?: string;
  /** The settings block as the API takes it (TypeBox, with descriptions). */
  settings?: TSchema;
  /** The settings block as the API shows it (secrets as flags). */
  settingsOut?: TSchema;
  /**
   * Reads the settings block of a project file (`block` undefined when absent), reporting problems on `r`;
   * undefined = no settings. `server` is the server's own field, pointed at when a required block is missing.
   */
  readSettings?: (
    r: SettingsReader,
    block: SettingsField | undefined,
    server: SettingsField,
    side: string,
  ) => unknown;
  /** The per-user sign-in (OAuth consent) a server of this kind offers, when it has one configured. */
  oauthProvider?: (server: ServerSpec) => OAuthProvider | undefined;
  /** Which keys of the settings block say where logins are sent (a stored secret is kept only while they stay). */
  endpointKeys?: readonly string[];
  /** The API's settings block in the project file's words; `secret` stands in for its write-only secrets. */
  settingsToFile?: (block: Record<string, unknown>, secret: string) => Record<string, unknown>;
  /** Whether it can list the mailboxes of a directory (discovery). */
  discovery: boolean;
  /** A new connector of this kind, given what the application hands it (see ConnectorContext). */
  create: (context: ConnectorContext) => Connector;
}

/** Why a kind cannot be on this side (a sentence without the final stop), or undefined when it can. */
export function roleProblem(d: ConnectorDescriptor, side: string): string | undefined {
  if ((d.roles as readonly string[]).includes(side)) return undefined;
  const only = side === 'destination' ? 'a source' : 'a destination';
  return `${d.name} can only be ${only}${d.roleNote ? `; ${d.roleNote}` : ''}`;
}

/** Why a kind cannot be named by a project (a sentence without the final stop), or undefined when it can. */
export function projectProblem(d: ConnectorDescriptor): string | undefined {
  if (!d.urlOnly) return undefined;
  const schemes = Object.keys(d.urlSchemes).map((s) => `${s}:///…`);
  return `${d.name} works only in the one-off form (cutover migrate --from/--to ${schemes.join(' or ')}): ${d.urlOnly}`;
}
