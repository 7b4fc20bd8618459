/**
 * The only thing the engine knows about a mail system. One folder per system implements it
 * (imap/ today; pop3/, graph/, gmail/ later); capabilities are data, never a branch on the system's name.
 *
 * Folder paths are arrays of decoded UTF-8 segments; delimiters and encodings stay inside connectors.
 */
import type { Readable } from 'node:stream';
import type { AuthSpec, ItemType, ServerSpec } from '../config/types.js';
import type { KeptSecrets, SharedLimits } from './context-hooks.js';
import type { FilterEndpoint } from './filters-contract.js';
import type { GroupwareEndpoint } from './groupware-contract.js';
import type { SpecialUse } from './special-use.js';

export type { KeptSecrets, SharedLimits, SharedWindowTake } from './context-hooks.js';

/** A folder as listed by a system. */
export interface FolderInfo {
  path: string[];
  specialUse?: SpecialUse;
  /** False for \Noselect containers that hold only children. */
  selectable: boolean;
}

/** Cheap per-folder state used to skip unchanged folders and detect renumbering. */
export interface FolderState {
  /** Changes when the system renumbers the folder: every earlier key is void. */
  uidValidity: string;
  /** Next key the folder will assign: unchanged means nothing new arrived. */
  uidNext: number;
  /** Items now in the folder. */
  messages: number;
  /** CONDSTORE modification sequence; absent when the system has none. */
  highestModseq?: string;
}

/** Per-message facts read without the body. */
export interface MessageMeta {
  uid: number;
  /** Exact byte size of the message as stored. */
  size: number;
  internalDate: Date;
  /** System flags and keywords, as on the wire (`\\Seen`, `$Forwarded`, `custom`). */
  flags: string[];
  /** Normalised Message-ID (no angle brackets, no whitespace), absent when the message has none. */
  messageId?: string;
  /** The Date header as written, whitespace-collapsed. */
  dateHeader?: string;
  /** Hash of the whole header block; set only when there is no Message-ID (fingerprint fallback). */
  headerHash?: string;
  /** Set when the source says the message is not live mail and must not be copied: why, in words. */
  skip?: string;
}

/** What an enumeration asks for. */
export interface ListOptions {
  /** Only keys >= this. */
  fromUid?: number;
  /** Only keys in this list (already known to exist). */
  uids?: number[];
  /** Flags-only listing: skip Message-ID/Date/size (cheap delta re-sync of flags). */
  flagsOnly?: boolean;
  /** CONDSTORE: only messages whose flags changed since this modseq. */
  changedSince?: string;
}

/** One open folder on a source. Enumerations are paged; bodies are bounded batches or streams. */
export interface SourceFolderReader {
  readonly state: FolderState;
  /** Every key in the folder, ascending. */
  listUids(signal?: AbortSignal): Promise<number[]>;
  /** Metadata in pages, ascending by key. */
  listMessages(opts: ListOptions, signal?: AbortSignal): AsyncIterable<MessageMeta[]>;
  /**
   * Bodies of these messages, streamed one after another as they arrive (ascending key order, except that a
   * message the source must read again to serve exactly may come later); a key that
   * is gone (expunged) is simply not yielded; a message that exists but that the source will not deliver
   * (a corrupt file, BODY[] NIL) is yielded as `unreadable` with the reason, so its batch-mates still go.
   * Each body must be read to its end before the next is pulled.
   */
  streamBodies(uids: number[], signal?: AbortSignal): AsyncIterable<StreamedMessage>;
  /**
   * The system's own full-fidelity form of these messages (see `SourceCapabilities.nativeFormat`), one after
   * another; a message gone meanwhile is not yielded, one the native path cannot serve is yielded as
   * `fallback` (the engine copies it the ordinary way), one that exists but will not export as `unreadable`.
   * Absent when the connector has no native form.
   */
  exportItems?(metas: MessageMeta[], signal?: AbortSignal): AsyncIterable<NativeItem>;
  close(): Promise<void>;
}

/** One message as `exportItems` hands it over. */
export type NativeItem =
  | { uid: number; format: string; data: string }
  | { uid: number; fallback: string }
  | { uid: number; unreadable: string };

/** One message handed to `importItems`: its native form, and the source metadata it was listed with. */
export interface NativeImport {
  format: string;
  /** Opaque, as `exportItems` gave it. */
  data: string;
  meta: MessageMeta;
}

/** Whether the native path can be used for this mailbox, with the reason (naming the permission) when not. */
export type NativeCheck = { ok: true } | { ok: false; reason: string };

/** One message as `streamBodies` hands it over. */
export type StreamedMessage =
  | {
      uid: number;
      size: number;
      body: Readable | Buffer;
      unreadable?: undefined;
      /** Set when the source could not serve the message exactly as stored: what may differ, in words. */
      altered?: string;
    }
  | { uid: number; unreadable: string };

/** Limits and abilities of a source, declared by the connector. */
export interface SourceCapabilities {
  supportsCondstore: boolean;
  /**
   * The system's own full-fidelity item format (`exportItems`), e.g. Exchange's; the engine moves items in it
   * when the destination declares the same format and both pass `checkNative`. Absent: MIME only.
   */
  nativeFormat?: string;
}

/** A mailbox on a system, open for reading. One instance = one connection. */
export interface MailSource {
  readonly capabilities: SourceCapabilities;
  listFolders(signal?: AbortSignal): Promise<FolderInfo[]>;
  folderState(path: string[], signal?: AbortSignal): Promise<FolderState>;
  openFolder(path: string[], signal?: AbortSignal): Promise<SourceFolderReader>;
  /**
   * Folders will be read on this source soon: start opening what reading them needs (a connection, a login)
   * without waiting for it, so that it overlaps other work. Optional; a failure surfaces at `openFolder`.
   */
  warmUp?(): void;
  /** Whether this mailbox may be read in `nativeFormat` (permissions): run once per mailbox and pass. */
  checkNative?(signal?: AbortSignal): Promise<NativeCheck>;
  close(): Promise<void>;
}

/** One message handed to a destination: `body` is a buffer or a stream of exactly `size` bytes. */
export interface AppendItem {
  size: number;
  body: Buffer | Readable;
  flags: string[];
  internalDate: Date;
}

/** Where `ensureFolder` put a folder: its real path, and why it differs from the one asked for. */
export interface EnsuredFolder {
  path: string[];
  /** Absent when the folder has the name asked for. */
  renamed?: string;
}

/** The destination's key for an appended message, when the system reports it (UIDPLUS). */
export interface AppendResult {
  uid?: number;
  uidValidity?: string;
  /** Set when the destination stored the message differently from what was sent: what changed, in words. */
  altered?: string;
  /** The copy was already there, written by an earlier attempt whose answer was lost: taken, not written again. */
  found?: boolean;
}

/**
 * Folder-name rules a destination declares without a connection, so that scan, plan and every pass map
 * folders the same way (the planner applies them; the destination applies them again when asked directly).
 */
export interface FolderNaming {
  /** Top-level names the system keeps for itself (case-insensitive), refused as a parent of nested names too. */
  reservedTopNames: string[];
  /** INBOX (`inbox`) and the special folders that cannot hold folders at this destination. */
  noSubfolders: SpecialUse[];
  /** The destination's own special folders by use, as its listFolders shows them. */
  specialUse: Partial<Record<SpecialUse, string[]>>;
}

/** Limits and abilities of a destination, declared by the connector. */
export interface DestinationCapabilities {
  /** Largest message accepted (APPENDLIMIT), absent = unknown/unlimited. */
  maxMessageBytes?: number;
  /** Messages per write command (1 = no batching). */
  maxBatchMessages: number;
  /** Hierarchy delimiter, for folder-name sanitising. */
  delimiter: string;
  /** Whether arbitrary keywords survive (PERMANENTFLAGS \*). */
  supportsKeywords: boolean;
  /** Names refused at any level. */
  reservedNames: string[];
  /** Rules for folder names declared up front (the same as the connector's `folderNaming`). */
  folderNaming?: FolderNaming;
  /** Folders are labels (Gmail): a message can be in several, and a copy per folder is a separate item. */
  labelsAreFolders?: boolean;
  /** The item format `importItems` takes (see `SourceCapabilities.nativeFormat`); absent: MIME only. */
  nativeFormat?: string;
}

/** A mailbox on a system, open for writing. One instance = the connections it needs for one worker. */
export interface MailDestination {
  readonly capabilities: DestinationCapabilities;
  listFolders(signal?: AbortSignal): Promise<FolderInfo[]>;
  /**
   * Create the folder (and parents) if missing; an existing folder is never created again. A name the
   * system refuses (or rewrites) is renamed, and the result says where the folder really is and why.
   */
  /**
   * Folders will be written on this destination soon: start what writing them needs (learning which
   * exist) without waiting for it, so that it overlaps other work. Optional; a failure surfaces later.
   */
  warmUp?(): void;
  ensureFolder(path: string[], signal?: AbortSignal): Promise<EnsuredFolder>;
  folderState(path: string[], signal?: AbortSignal): Promise<FolderState | null>;
  /** Metadata of what is already there (duplicate prevention by fingerprint). */
  listMessages(path: string[], signal?: AbortSignal): AsyncIterable<MessageMeta[]>;
  /**
   * Write a batch, all-or-nothing; results in the order items were taken. Items may be produced lazily
   * (streamed from the source as they are written); each body is consumed before the next item is pulled.
   */
  append(
    path: string[],
    items: Iterable<AppendItem> | AsyncIterable<AppendItem>,
    signal?: AbortSignal,
  ): Promise<AppendResult[]>;
  /** Replace the flags of these messages (all get the same set). */
  setFlags(path: string[], uids: number[], flags: string[], signal?: AbortSignal): Promise<void>;
  /**
   * Read back the bodies of these messages exactly as the destination stores them, streamed one after
   * another like a source's `streamBodies` (a key that is gone is not yielded; one the destination will not
   * deliver is yielded as `unreadable`). Absent where the system cannot return a message byte for byte
   * (it re-renders what it was given): `verify --deep` then says the content was not compared.
   */
  streamBodies?(path: string[], uids: number[], signal?: AbortSignal): AsyncIterable<StreamedMessage>;
  /**
   * The flags a read-back of `path` will show after these flags were written: what the system keeps of them
   * (e.g. Microsoft 365 keeps one of \\Answered / $Forwarded, no \\Deleted). Absent: every system flag, and
   * keywords as `supportsKeywords` says.
   */
  keptFlags?(path: string[], flags: string[]): string[];
  /** Whether this mailbox may be written in `nativeFormat` (permissions): run once per mailbox and pass. */
  checkNative?(signal?: AbortSignal): Promise<NativeCheck>;
  /**
   * Recreate messages from their native form, one after another; results in order. Not all-or-nothing: a
   * failure part way leaves the earlier ones written, so the engine hands over one item per call.
   */
  importItems?(path: string[], items: NativeImport[], signal?: AbortSignal): Promise<AppendResult[]>;
  close(): Promise<void>;
}

/** Result of a connection test, in plain facts for a person. */
export interface ConnectionReport {
  greeting?: string;
  capabilities: string[];
  delimiter?: string;
  namespace?: string;
  quota?: { usedBytes?: number; limitBytes?: number };
  appendLimit?: number;
  folders?: number;
}

/**
 * What one live conformance check found (`cutover test --live`): a behaviour the connector relies on, tried
 * against the real service in a scratch folder. `differs` means the service did something other than what
 * the connector assumes (the detail says what it did); `failed` means the check could not be run.
 */
export interface LiveCheck {
  /** The behaviour, e.g. "attachment added to a non-draft message". */
  name: string;
  outcome: 'ok' | 'differs' | 'failed' | 'skipped';
  /** What the service did, in plain words. */
  detail: string;
}

/**
 * The sustained pace one mailbox can keep under a system's documented budgets (requests and bytes per time
 * window), for estimates: a mailbox never goes faster than this however fast the network is.
 */
export interface MailboxPace {
  messagesPerSecond: number;
  /** Message bytes per second; absent = no byte budget on this side. */
  bytesPerSecond?: number;
  /** Where the figures come from, in words. */
  basis: string;
}

/**
 * What the application hands a connector when it makes one (registry `connectorFor`): where it may keep
 * state across restarts, and whom to tell when the system replaced a credential. A connector reads no
 * environment variable and registers no process-wide listener for these; made without a context, it keeps
 * everything in memory and tells no one.
 */
export interface ConnectorContext {
  /** The data directory: sealed state kept across restarts goes there (Microsoft 365's token cache). */
  dataDir?: string;
  /**
   * A refresh token the system replaced while the connector redeemed it (Entra ID rotates them on use):
   * whoever stored `previous` stores `next`, so a restart does not log in with a retired token. Connectors
   * never store credentials. Awaited; a failure of it does not fail the connector.
   */
  onTokenRotated?: (previous: string, next: string) => Promise<void>;
  /**
   * Limits every process of the application holds together (workers sharing one store): Microsoft 365's
   * concurrent requests and request/upload budgets per mailbox, Gmail's quota units per user. Absent:
   * counted in this process.
   */
  sharedLimits?: SharedLimits;
  /**
   * Secret state kept in the application's store rather than in `dataDir` (Microsoft 365's token cache), so
   * every worker shares it. Absent: a sealed file in `dataDir`, or memory only.
   */
  keptSecrets?: KeptSecrets;
}

/** A system Cutover can read from and/or write to. */
export interface Connector {
  readonly kind: string;
  openSource(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<MailSource>;
  openDestination(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<MailDestination>;
  testLogin(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<ConnectionReport>;
  /**
   * Try each behaviour this connector relies on against the real service, in a scratch folder of the
   * mailbox `auth` opens, and remove what was created. Absent: nothing to check beyond `testLogin`.
   */
  liveChecks?(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<LiveCheck[]>;
  /**
   * The mailbox's filters, vacation reply and signatures (item type `filters`, see filters-contract.ts), on
   * either side. Absent: this system has none Cutover can move. Throws a NotConfigured-style PermanentError
   * when the server's settings do not say where they are (an IMAP server without a ManageSieve port).
   */
  openFilters?(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<FilterEndpoint>;
  /**
   * The mailbox's address books, calendars and task lists (item types contacts, calendars, tasks; see
   * groupware-contract.ts), on either side. Absent: this system has none Cutover can move.
   */
  openGroupware?(server: ServerSpec, auth: AuthSpec, signal?: AbortSignal): Promise<GroupwareEndpoint>;
  /**
   * The item types this system moves (default: mail only); `filters` needs `openFilters`, contacts,
   * calendars and tasks need `openGroupware`.
   */
  readonly items?: readonly ItemType[];
  /** Folder-name rules of this system as a destination, known without a connection; absent = none. */
  readonly folderNaming?: FolderNaming;
  /** The pace the system's budgets allow one mailbox on this side; absent = no documented budget. */
  mailboxPace?(server: ServerSpec, side: 'source' | 'destination'): MailboxPace | undefined;
  /** The mailboxes a system can list for discovery (a directory of users), in pages; absent = cannot list. */
  listMailboxes?(
    server: ServerSpec,
    auth: AuthSpec,
    signal?: AbortSignal,
  ): AsyncIterable<DiscoveredMailbox[]>;
}

/** A mailbox found by discovery. */
export interface DiscoveredMailbox {
  /** The login (primary address). */
  user: string;
  name?: string;
  /** Suspended or archived users are listed but flagged. */
  suspended?: boolean;
  /** What kind of mailbox, where the system says (Microsoft 365: user, shared, room, equipment). */
  kind?: string;
}
