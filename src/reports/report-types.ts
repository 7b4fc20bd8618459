/**
 * The shape of the report that proves a migration (per mailbox and folder), which every format in this
 * folder renders; src/services/report-service.ts builds it from the ledger, passes and verifications.
 */
import type { PassRow } from '../store/mailbox-repo.js';
import type { VerificationSummary } from '../store/verification-repo.js';

/** How the ledger and the last read-back agree (src/services/reconcile.ts decides it). */
export type ReconcileState = 'reconciles' | 'ledger-only' | 'differs' | 'unaccounted';

/** One folder's line of the report. */
export interface FolderReport {
  source: string;
  destination: string | null;
  sourceItems: number;
  copied: number;
  present: number;
  skipped: number;
  failed: number;
  /** Writes interrupted (intent without result) or items not yet looked at. */
  pending: number;
  /** Of the copied: items the servers forced to differ from the source (a keyword, a NUL byte, a date). */
  altered: number;
  renamed: string | null;
  excluded: string | null;
  error: string | null;
}

/** One item that is not a message (a Sieve script, a rule, the vacation reply, a signature): where it ended. */
export interface ItemReport {
  /** filters (contacts, calendars, tasks later). */
  itemType: string;
  /** script | rule | vacation | signature | activation | filters (the whole filters pass, when it failed). */
  kind: string;
  name: string;
  status: 'copied' | 'present' | 'skipped' | 'failed';
  /** Why it was skipped or failed (the destination's words), or a note on a copy. */
  reason: string | null;
  /** The source's text of an item not copied as it is (a rule the destination cannot express). */
  original: string | null;
}

/** Items that are not messages, counted by outcome. */
export interface ItemCounts {
  copied: number;
  present: number;
  skipped: number;
  failed: number;
}

/** One mailbox's report: its folders, totals, passes and problems. */
export interface MailboxReport {
  mailbox: string;
  destination: string;
  status: string;
  lastError: string | null;
  folders: FolderReport[];
  totals: Omit<FolderReport, 'source' | 'destination' | 'renamed' | 'excluded' | 'error'> & {
    bytesCopied: number;
  };
  /** The ledger puts every source item in exactly one column (what the ledger says, not a read-back). */
  accounted: boolean;
  /** The last verification (read-back), null when there was none; `current` when no pass wrote since. */
  verification: (VerificationSummary & { current: boolean }) | null;
  /** reconciles | ledger-only (not verified) | differs (the read-back found differences) | unaccounted. */
  reconcile: ReconcileState;
  /** True only for `reconciles`: accounted for and read back from the destination with nothing different. */
  reconciles: boolean;
  /** What does not add up, in words. */
  discrepancy?: string;
  passes: PassRow[];
  problems: Array<{ folder: string; uid: number; status: string; reason: string | null }>;
  /**
   * Items that are not messages: every filter item and collection, and the contacts, events and tasks that
   * were not copied as they are (skipped, failed, or copied with a change noted).
   */
  items: ItemReport[];
  /** Their counts by outcome. */
  itemTotals: ItemCounts;
  /** The same per item type (filters, contacts, calendars, tasks). */
  itemsByType: Record<string, ItemCounts>;
}
