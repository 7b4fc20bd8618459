/** Table types of the store. One schema for SQLite (default) and PostgreSQL (scale-out). */
import type { ColumnType, Generated } from 'kysely';

/** A mailbox to migrate, keyed by its source and destination identity. */
export interface MailboxTable {
  id: Generated<number>;
  /** "imap://host:port/user → imap://host:port/user": stable across runs and projects. */
  key: string;
  source_user: string;
  dest_user: string;
  starred: number;
  /** idle | running | done | failed | stopped */
  status: string;
  /** Bytes at the source at the last listing (for largest-first ordering and ETA). */
  source_bytes: Generated<number>;
  source_messages: Generated<number>;
  last_error: string | null;
  updated_at: string;
  /** The project it belongs to (null: registered by a one-off CLI run). */
  project_id: number | null;
  /** JSON of per-mailbox item types and date range; null: the project's defaults. */
  options: string | null;
  // What the tracker needs of the mailbox's passes (dry runs aside) and verifications, kept current by
  // store/pass-summary.ts (migration 0020t).
  /** When its first pass finished done. */
  synced_at: ColumnType<string | null, never, string | null>;
  /** Its latest pass: start, status, failed items, error. */
  last_pass_started_at: ColumnType<string | null, never, string | null>;
  last_pass_status: ColumnType<string | null, never, string | null>;
  last_pass_failed: ColumnType<number | null, never, number | null>;
  last_pass_error: ColumnType<string | null, never, string | null>;
  /** The start of its latest pass that finished done with no failed item. */
  clean_pass_started_at: ColumnType<string | null, never, string | null>;
  /** When a pass last wrote to it (pass-summary.ts WRITING_NOW while one may be writing). */
  written_at: ColumnType<string | null, never, string | null>;
  /** Its latest verification. */
  verified_id: ColumnType<number | null, never, number | null>;
}

/** One pass (initial or delta) over one mailbox. */
export interface PassTable {
  id: Generated<number>;
  mailbox_id: number;
  started_at: string;
  finished_at: string | null;
  /** running | done | failed | stopped */
  status: string;
  dry_run: Generated<number>;
  copied: Generated<number>;
  present: Generated<number>;
  skipped: Generated<number>;
  failed: Generated<number>;
  flags_synced: Generated<number>;
  bytes: Generated<number>;
  throttled_ms: Generated<number>;
  error: string | null;
}

/** Per source folder: where it goes and the state that lets a pass skip it when unchanged. */
export interface FolderTable {
  mailbox_id: number;
  /** JSON array of the source path segments. */
  folder_key: string;
  dest_path: string | null;
  uid_validity: string | null;
  uid_next: number | null;
  highest_modseq: string | null;
  /** Messages at the source at the last listing. */
  messages: Generated<number>;
  dest_uid_validity: string | null;
  renamed: string | null;
  excluded: string | null;
  error: string | null;
  last_pass_id: number | null;
}

/**
 * The ledger: one row per source message ever seen. status is intent (write under way), copied,
 * present (found at the destination by fingerprint), skipped (reason), failed (reason), gone (expunged at source),
 * missing (a verification found it absent at the destination: the next pass copies it again).
 */
export interface LedgerTable {
  mailbox_id: number;
  folder_key: string;
  uid_validity: string;
  uid: number;
  fingerprint: string;
  size: number;
  status: string;
  reason: string | null;
  dest_uid: number | null;
  /** Flags last written to the destination, sorted and space-joined. */
  flags: string;
  pass_id: number;
}

/**
 * The ledger of items that are not messages (item types other than mail), keyed by strings: one row per
 * source item (a Sieve script, a rule, the vacation reply, a signature, a collection, a contact, an event,
 * a task) with where it ended. For groupware, source_hash is the source's ETag and dest_hash the
 * destination's, so a delta pass knows what changed on either side. status is
 * copied (written and read back), present (already there identically), skipped (reason: e.g. the destination
 * cannot express it), failed (reason: the destination's words).
 */
export interface ItemLedgerTable {
  mailbox_id: number;
  /** filters (contacts, calendars, tasks later). */
  item_type: string;
  /** The item's collection: '' for a mailbox's filters; an address book or calendar later. */
  collection: string;
  item_key: string;
  /** What the item is, for the report: script, rule, vacation, signature, activation. */
  kind: string;
  /** SHA-256 of the item as the source has it. */
  source_hash: string | null;
  /** SHA-256 of what the destination held when it was read back. */
  dest_hash: string | null;
  status: string;
  reason: string | null;
  /** The item as the source wrote it (a rule's text), for an item not copied as it is. */
  original: string | null;
  /** The item's key at the destination (a DAV href, an API id; a collection's id there). */
  dest_ref: string | null;
  /** A collection's delta state at the source (its sync token), for the next pass. */
  state: string | null;
  pass_id: number | null;
  updated_at: string;
}

/** One environment scan (read-only survey of the sources); stopped scans resume. */
export interface ScanTable {
  id: Generated<number>;
  started_at: string;
  finished_at: string | null;
  /** running | done | stopped */
  status: string;
  /** The project whose mailboxes it surveyed (null: a one-off CLI run). */
  project_id: number | null;
}

/** One mailbox in a scan. */
export interface ScanMailboxTable {
  scan_id: number;
  mailbox_id: number;
  /** done | failed */
  status: string;
  error: string | null;
  /** Why the destination could not be checked (quota, size limit), when it could not. */
  dest_error: string | null;
  quota_used: number | null;
  quota_limit: number | null;
  append_limit: number | null;
  /** Messages whose Message-ID another message of the mailbox also has (extra copies). */
  duplicate_ids: Generated<number>;
  finished_at: string | null;
}

/** One source folder in a scan. */
export interface ScanFolderTable {
  scan_id: number;
  mailbox_id: number;
  folder_key: string;
  dest_path: string | null;
  depth: number;
  messages: number;
  bytes: number;
  oldest: string | null;
  newest: string | null;
  /** Messages larger than the destination accepts (or the configured maximum). */
  oversize: Generated<number>;
  no_message_id: Generated<number>;
  /** Extra copies of a Message-ID within this folder. */
  duplicate_ids: Generated<number>;
  /** The destination cannot take the name as it is: what it becomes, and why. */
  name_problem: string | null;
  excluded: string | null;
}

/** A scan's count of one item type that is not mail (contacts, calendars, tasks, filters) of one mailbox. */
export interface ScanItemTable {
  scan_id: number;
  mailbox_id: number;
  /** contacts | calendars | tasks | filters */
  item_type: string;
  /** Address books, calendars or task lists the pass would move; null for filters (no collections). */
  collections: number | null;
  /** Contacts, events, tasks in those collections; scripts or rules for filters. */
  items: number;
  /** Collections shared with the user by someone else: reported by a pass, not moved, not counted above. */
  shared: Generated<number>;
  /** Why this type could not be read at the source (the counts are then what was read before it). */
  problem: string | null;
}

/** The last DNS readiness check of a project's mail domain. */
export interface DnsCheckTable {
  project_id: number;
  domain: string;
  checked_at: string;
  /** 1: every record the plan wants was visible. */
  ready: number;
  /** What was not visible (one change per line), null when ready. */
  missing: string | null;
}

/** One verification of a mailbox: its destination read back and compared with the source and the ledger. */
export interface VerificationTable {
  id: Generated<number>;
  mailbox_id: number;
  started_at: string;
  finished_at: string;
  /** normal | deep (content compared too) */
  mode: string;
  /** matches | differs | failed (the mailbox could not be read) */
  result: string;
  /** Source messages looked for at the destination. */
  checked: number;
  missing: number;
  flags_differ: number;
  extra: number;
  /** Changed by the destination (size, or bytes with deep). */
  altered: number;
  error: string | null;
  /** JSON: per folder what was found (lists capped, counts exact); see store/verification-repo.ts. */
  details: string;
}

/** A scheduled phase (pre-stage, nightly delta, final, catch-up) and whether it has run. */
export interface PhaseRunTable {
  key: string;
  phase: string;
  due_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** running | done | failed | superseded */
  status: string;
  note: string | null;
}

/**
 * Something a person should know or do, raised by the engine, the scan or the planner. Critical alerts
 * hold the affected mailbox until resolved; advisory ones inform.
 */
export interface AlertTable {
  id: Generated<number>;
  /** The mailbox concerned, or null for the project (DNS, plan). */
  mailbox_id: number | null;
  /** Stable kind, e.g. quota-too-small, oversize-items, folder-renamed, scan-failed, dns-not-ready. */
  type: string;
  /** critical | advisory */
  level: string;
  text: string;
  /** active | completed | archived */
  status: string;
  created_at: string;
  updated_at: string;
  /** The project of a project-wide alert (mailbox alerts take their mailbox's). */
  project_id: number | null;
}

/** A migration project: its settings as one JSON document (see src/services/project-settings.ts). */
export interface ProjectTable {
  id: Generated<number>;
  name: string;
  settings: string;
  created_at: string;
  updated_at: string;
}

/** A standing rule: every alert of `type` in the project gets `action` (archive), now and in future. */
export interface AlertRuleTable {
  project_id: number;
  type: string;
  action: string;
  created_at: string;
}

/** An operator's action on alerts and the statuses it replaced (JSON [{id, from, to}]), for undo. */
export interface AlertActionTable {
  id: Generated<number>;
  project_id: number | null;
  action: string;
  changes: string;
  /** The rule type the action created (auto-archive), removed again on undo. */
  rule_type: string | null;
  created_at: string;
  undone_at: string | null;
}

/** A request to email an alert to someone; sent or not (why not, in `error`). */
export interface AlertEmailTable {
  id: Generated<number>;
  alert_id: number;
  recipient: string;
  note: string | null;
  /** sent | failed | not-configured */
  status: string;
  error: string | null;
  created_at: string;
}

/** An operator of the web UI and HTTP API. */
export interface UserTable {
  id: Generated<number>;
  name: string;
  /** scrypt$N$r$p$salt$hash (base64), see src/services/password.ts. */
  password_hash: string;
  created_at: string;
}

/** A signed-in operator session; the cookie token is stored only as its SHA-256 hash. */
export interface SessionTable {
  token_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

/** An attempt counter of one limiter and key (`login-ip:203.0.113.7`), live until `expires_at` (ms). */
export interface RateLimitTable {
  key: string;
  count: number;
  expires_at: number;
}

/** A single-use value already spent (an OAuth state's nonce), remembered until it would expire anyway (ms). */
export interface UsedNonceTable {
  nonce: string;
  expires_at: number;
}

/** A password handed over for one side of a mailbox, sealed by the secret box; never returned by the API. */
export interface CredentialTable {
  mailbox_id: number;
  /** source | destination */
  side: string;
  /** v1.<iv>.<ciphertext>.<tag>, context `credential:<mailbox>:<side>`. */
  sealed: string;
  /** portal | operator | import */
  entered_by: string;
  /** When a real login with it succeeded; null when stored unverified (import without check). */
  verified_at: string | null;
  updated_at: string;
}

/** A personal credential link; the token is derived from `nonce` with the secret key and stored only as SHA-256. */
export interface CredentialLinkTable {
  id: Generated<number>;
  mailbox_id: number;
  token_hash: string;
  nonce: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** A client set-up download (mobileconfig...) fetched for a mailbox. */
export interface ClientSetupTable {
  mailbox_id: number;
  kind: string;
  first_at: string;
  last_at: string;
  count: number;
}

/** One message to a person, recorded before it is sent; `dedupe_key` makes each event happen once. */
export interface MessageTable {
  id: Generated<number>;
  mailbox_id: number | null;
  /** The project it was sent for (null: a project file run without a stored project). */
  project_id: number | null;
  /** `<mailbox id or project>|<event>`, unique. */
  dedupe_key: string;
  /** announcement | reminder:<date> | dns-change | alert:<id> | pre-cutover | completion | test */
  event: string;
  recipient: string;
  subject: string;
  /** pending | sent | failed | refused | uncertain (see MessageRepo) */
  status: string;
  attempts: Generated<number>;
  error: string | null;
  smtp_id: string | null;
  created_at: string;
  updated_at: string;
}

/** An operator's edit of a message template (the defaults live in code). */
export interface MessageTemplateTable {
  kind: string;
  subject: string;
  text: string;
  html: string;
  updated_at: string;
}

/** A project's edit of a message template (message_templates: those of a project file without a stored project). */
export interface ProjectMessageTemplateTable extends MessageTemplateTable {
  project_id: number;
}

/** A worker process that takes jobs from the shared queue (scale-out), as it last announced itself. */
export interface WorkerTable {
  /** Random per process start. */
  id: string;
  host: string;
  pid: number;
  started_at: string;
  /** Renewed every few seconds while it runs; a stale one is a worker that died without saying so. */
  heartbeat_at: string;
  /** Jobs it may run at once now (the sum over the job kinds it takes). */
  concurrency: number;
  /** Jobs it runs now. */
  running: number;
  /** When it stopped cleanly; null while it runs (or if it died). */
  stopped_at: string | null;
}

export interface Database {
  mailboxes: MailboxTable;
  passes: PassTable;
  folders: FolderTable;
  ledger: LedgerTable;
  item_ledger: ItemLedgerTable;
  scans: ScanTable;
  scan_mailboxes: ScanMailboxTable;
  scan_folders: ScanFolderTable;
  scan_items: ScanItemTable;
  phase_runs: PhaseRunTable;
  dns_checks: DnsCheckTable;
  verifications: VerificationTable;
  alerts: AlertTable;
  projects: ProjectTable;
  alert_rules: AlertRuleTable;
  alert_actions: AlertActionTable;
  alert_emails: AlertEmailTable;
  users: UserTable;
  sessions: SessionTable;
  rate_limits: RateLimitTable;
  used_nonces: UsedNonceTable;
  credentials: CredentialTable;
  credential_links: CredentialLinkTable;
  client_setups: ClientSetupTable;
  messages: MessageTable;
  message_templates: MessageTemplateTable;
  project_message_templates: ProjectMessageTemplateTable;
  runs: RunTable;
  run_mailboxes: RunMailboxTable;
  workers: WorkerTable;
}

/** A pass as data (0019_runs): what any worker needs to run a mailbox of it. */
export interface RunTable {
  id: string;
  /** The stored project; null for a one-off run of this process. */
  project_id: number | null;
  phase: string | null;
  dry_run: number;
  /** running | cancelled (a pause: every worker stops its mailboxes) | done */
  state: string;
  created_at: string;
  finished_at: string | null;
  /** Where it was started ("serve on HOST (pid N)", "cutover migrate --enqueue on HOST"); null: unknown. */
  origin: string | null;
  /** A pass run inside one process (epoch ms, renewed while it runs); null: run by the workers. */
  heartbeat_at: number | null;
}

/** A mailbox of a run: its place in the run's order, and how far it got. */
export interface RunMailboxTable {
  run_id: string;
  mailbox_id: number;
  source_user: string;
  position: number;
  /** queued | running | done | failed | stopped */
  state: string;
  /** The worker running it, and when that worker last said it still is (epoch ms). */
  worker: string | null;
  heartbeat_at: number | null;
  /** JSON of the pass counters, once it ended. */
  counters: string | null;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
}
