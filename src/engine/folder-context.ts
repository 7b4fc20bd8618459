/**
 * What one folder pass is given (its context), and the flag rule every writer of a folder shares: kept
 * apart from folder-sync.ts so that the native copy path and the read-back use them without importing the
 * pass itself.
 */
import type { MailboxOptions } from '../config/types.js';
import type { LedgerRepo } from '../store/ledger-repo.js';
import type { PassCounters } from '../store/mailbox-repo.js';
import type { RateLimiter } from '../runner/limits.js';
import type { ProgressSink } from './progress.js';

/** Everything one folder pass needs. */
export interface FolderContext {
  mailboxId: number;
  passId: number;
  sourcePath: string[];
  destPath: string[];
  renamed: string | null;
  options: MailboxOptions;
  dryRun: boolean;
  ledger: LedgerRepo;
  limiter: RateLimiter;
  progress: ProgressSink;
  counters: PassCounters;
  /** Both sides passed their native-format check for this mailbox (native-copy.ts). */
  native?: boolean;
  signal?: AbortSignal;
}

/** Flags as the destination will keep them. */
export function destFlags(flags: string[], keywords: boolean): string[] {
  return flags.filter((f) => !/^\\recent$/i.test(f) && (keywords || f.startsWith('\\')));
}
