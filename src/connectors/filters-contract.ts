/**
 * Filters, vacation replies and signatures (item type `filters`): what the engine knows about a system's
 * mail rules. Two forms meet here:
 *
 * - **Scripts**: systems that keep Sieve scripts (ManageSieve, RFC 5804) hand them over as stored, bytes and
 *   all, and take them back the same way; between two such systems the scripts are copied byte for byte
 *   (only `fileinto` folder names follow the migration's folder mapping).
 * - **Rules**: every system also reads and writes the neutral form below (`FilterSet`): Microsoft 365 inbox
 *   rules and automatic replies, Gmail filters and the vacation responder, and Sieve parsed into rules or
 *   written as a generated script. What one side cannot express is reported rule by rule with the original
 *   text (`Untranslated`), never written half-translated and enabled.
 *
 * Folder references are paths of decoded segments, as in contract.ts; each connector turns them into its
 * own names (a Sieve mailbox name with the server's delimiter, a Graph folder id, a Gmail label).
 */

/** A header-like field a text condition looks at. */
export type RuleField =
  | 'from'
  | 'to'
  | 'cc'
  /** To or Cc. */
  | 'to-or-cc'
  | 'subject'
  | 'body'
  | 'subject-or-body'
  /** Any other header, by name (case-insensitive). */
  | { header: string };

/** One condition; a rule's conditions must all hold. */
export type RuleCondition =
  /** The field contains (or is) any one of the values, case-insensitively. */
  | { kind: 'text'; field: RuleField; match: 'contains' | 'is'; values: string[] }
  /** The message's size in bytes is over / under (either or both bounds). */
  | { kind: 'size'; over?: number; under?: number }
  | { kind: 'has-attachment' };

/** What a rule does; in order. */
export type RuleAction =
  /** Files the message into the folder instead of the inbox (Sieve fileinto, Graph moveToFolder, a Gmail label + archive). */
  | { kind: 'move'; folder: string[] }
  /** Files a copy and keeps the original where it goes anyway (fileinto :copy, copyToFolder, a label). */
  | { kind: 'copy'; folder: string[] }
  /** Sends the message on unchanged (Sieve redirect, Graph redirectTo, Gmail forward); keepCopy = :copy. */
  | { kind: 'redirect'; to: string[]; keepCopy: boolean }
  /** Throws the message away (discard; Graph delete; Gmail trash). */
  | { kind: 'delete' }
  | { kind: 'mark-read' }
  /** Flags (stars) the message. */
  | { kind: 'flag' }
  /** Adds keywords / categories (Sieve imap4flags keywords, Graph categories). */
  | { kind: 'tag'; names: string[] }
  /** Keeps the message in the inbox (explicit keep). */
  | { kind: 'keep' };

/** One rule in the neutral form. */
export interface MailRule {
  /** Its name (Graph displayName; Sieve: the comment or `rule:` line before it; generated when absent). */
  name: string;
  enabled: boolean;
  /** All must hold; empty = every message. */
  conditions: RuleCondition[];
  /** The rule does not apply when any of these holds (Graph exceptions, `not` in Sieve, Gmail negatedQuery). */
  exceptions: RuleCondition[];
  actions: RuleAction[];
  /** No later rule runs on a message this rule matched. */
  stop: boolean;
  /** The rule as the source wrote it (Sieve text, the Graph/Gmail JSON), for reports. */
  original: string;
}

/** The out-of-office reply. */
export interface VacationReply {
  enabled: boolean;
  subject?: string;
  /** The reply text (plain or HTML as `html` says); the one sent to everyone unless `externalBody` is set. */
  body: string;
  html: boolean;
  /** A different reply for senders outside the organisation (Microsoft 365); absent = same for all. */
  externalBody?: string;
  /** Who gets a reply: everyone, only known contacts, only the organisation. */
  audience: 'all' | 'contacts' | 'internal';
  /** Minimum days between two replies to one sender (Sieve :days). */
  days?: number;
  /** When it is on: absent = while enabled. */
  start?: Date;
  end?: Date;
  /** The user's own addresses (Sieve :addresses), so mail to an alias is answered too. */
  addresses?: string[];
  original: string;
}

/** A signature of one sending address (Gmail send-as). */
export interface Signature {
  address: string;
  /** HTML, as the system keeps it. */
  html: string;
  isDefault: boolean;
}

/** Something of the source that the neutral form or the destination cannot carry: reported, not written. */
export interface Untranslated {
  /** The rule's or script's name, or "vacation reply", "signature of ADDRESS". */
  name: string;
  /** What cannot be expressed, in words, e.g. "Microsoft 365 has no 'body is' condition". */
  reason: string;
  /** The original text. */
  original: string;
}

/** A mailbox's rules, vacation reply and signatures in the neutral form. */
export interface FilterSet {
  rules: MailRule[];
  vacation?: VacationReply;
  /** Absent when the system has none Cutover can read (Outlook keeps signatures in the client or roaming). */
  signatures?: Signature[];
  /** What reading found that the neutral form cannot hold (a Sieve `include`, a Graph rule on importance…). */
  untranslated: Untranslated[];
}

/** A Sieve script as a ManageSieve server keeps it. */
export interface SieveScript {
  name: string;
  /** The stored bytes, exactly (CRLF and a missing final newline included). */
  content: Buffer;
  active: boolean;
}

/** How one item of a write ended. */
export interface FilterWriteResult {
  /** Script name, rule name, "vacation reply", "signature of ADDRESS". */
  name: string;
  outcome: 'written' | 'unchanged' | 'refused' | 'untranslated';
  /** For refused: the system's own words; for untranslated: what cannot be expressed. */
  detail?: string;
  /** The destination's form of what was written (script text, rule JSON), for the report and verify. */
  written?: string;
}

/** What a filters endpoint can do, declared by the connector. */
export interface FilterCapabilities {
  /** Keeps Sieve scripts (listScripts/readScript/putScript/activateScript are there). */
  scripts: boolean;
  /** Sieve extensions the server supports (ManageSieve SIEVE capability). */
  sieveExtensions?: string[];
  /** Largest script accepted, bytes (ManageSieve MAXSCRIPTSIZE / QUOTA), absent = unknown. */
  maxScriptBytes?: number;
  vacation: boolean;
  /** Signatures can be read and written (Gmail send-as). Absent/false: the report says none were moved. */
  signatures: boolean;
  /** Why signatures cannot be moved, when they cannot (e.g. "Outlook keeps signatures in the client"). */
  signaturesNote?: string;
}

/** A mailbox's filters on one system, open. One instance = one connection. */
export interface FilterEndpoint {
  readonly capabilities: FilterCapabilities;
  /** Every script, with which is active (at most one). Script systems only. */
  listScripts?(signal?: AbortSignal): Promise<Array<{ name: string; active: boolean }>>;
  readScript?(name: string, signal?: AbortSignal): Promise<Buffer>;
  /**
   * Store a script under this name (replacing one of the same name). A script the server refuses (an
   * extension it lacks, too large, a syntax error) throws a PermanentError (ErrorCode.MessageRejected)
   * carrying the server's words. (RefusedError is a connection turned away, retried: not this.)
   */
  putScript?(name: string, content: Buffer, signal?: AbortSignal): Promise<void>;
  /** Make this script the active one (null: none active). */
  activateScript?(name: string | null, signal?: AbortSignal): Promise<void>;
  /** The mailbox's rules, vacation reply and signatures in the neutral form (a script system: its active script, parsed). */
  readRules(signal?: AbortSignal): Promise<FilterSet>;
  /**
   * Write rules, vacation reply and signatures in the neutral form; results per rule (and per vacation
   * reply/signature). A rule this system cannot express is `untranslated` and not written; a rule already
   * there identically is `unchanged` (a rerun writes nothing). Never deletes a rule it did not write.
   */
  writeRules(set: FilterSet, signal?: AbortSignal): Promise<FilterWriteResult[]>;
  /**
   * A script of this (source) system with every folder name it files into (fileinto, including :copy)
   * replaced as `rename` says — given the folder as a path, it returns the destination's name for it, or
   * undefined to leave the name alone — and every other byte as it was. Script systems only.
   */
  rewriteFolders?(
    content: Buffer,
    rename: (path: string[]) => string | undefined,
  ): { content: Buffer; renamed: number };
  /** This (destination) system's name for a folder path, as its scripts write it. Script systems only. */
  folderName?(path: string[]): string;
  close(): Promise<void>;
}
