/**
 * What one folder pass is given (its context), and the flag rule every writer of a folder shares: kept
 * apart from folder-sync.ts so that the native copy path and the read-back use them without importing the
 * pass itself.
 */
import type { MailboxOptions } from '../config/types.js';
import type { MessageMeta } from '../connectors/contract.js';
import type { LedgerEntry, LedgerRepo } from '../store/ledger-repo.js';
import type { PassCounters } from '../store/mailbox-repo.js';
import type { MessageRate } from '../runner/message-rate.js';
import { flagKey } from './fingerprint.js';
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
  limiter: MessageRate;
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

/** A message about to be written: its source listing and its fingerprint. */
export interface Todo {
  meta: MessageMeta;
  fp: string;
}

/** The ledger row of a message written into folder generation `f` (its status added by the caller). */
export function writeRow(
  ctx: FolderContext,
  f: { folderKey: string; uidValidity: string },
  t: Todo,
  keywords: boolean,
): Omit<LedgerEntry, 'status'> {
  return {
    folderKey: f.folderKey,
    uidValidity: f.uidValidity,
    uid: t.meta.uid,
    fingerprint: t.fp,
    size: t.meta.size,
    flags: flagKey(destFlags(t.meta.flags, keywords)),
    passId: ctx.passId,
    reason: null,
    destUid: null,
  };
}

/**
 * The first half of every write's bracket: pace the batch (messages and bytes; skipped when it was paced
 * already) and commit its intent rows before any of it is written.
 */
export async function recordIntents(
  ctx: FolderContext,
  todos: Todo[],
  row: (t: Todo) => Omit<LedgerEntry, 'status'>,
  paced = false,
): Promise<void> {
  if (!paced)
    await ctx.limiter.take(
      todos.length,
      todos.reduce((s, t) => s + t.meta.size, 0),
      ctx.signal,
    );
  await ctx.ledger.put(
    ctx.mailboxId,
    todos.map((t) => ({ ...row(t), status: 'intent' as const })),
  );
}
