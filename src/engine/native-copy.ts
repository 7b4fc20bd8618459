/**
 * Copy through the systems' own full-fidelity item format (`exportItems` → `importItems`) when source and
 * destination declare the same `nativeFormat` and both passed `checkNative` for this mailbox: no MIME is
 * produced or parsed on the way (Microsoft 365 → Microsoft 365 through Graph's mailbox import/export API).
 *
 * The ledger bracket is the ordinary one: intent rows are committed before anything is exported, and each
 * item's `copied` row right after its own import answer. An import whose answer is lost (a cut connection,
 * a crash) leaves its intent row, and is never imported twice:
 * - the next attempt resolves every intent against the destination by fingerprint before writing anything
 *   (syncOpenFolder in folder-sync.ts): the destination stamps each imported message with the source's
 *   identity (Message-ID, Date header, size), so its listing fingerprints it exactly as the source was;
 * - an import whose answer was lost before that stamp leaves an unstamped copy: the destination looks for
 *   one (same Message-ID, no stamp) before each import, stamps and takes it (`found`), and imports nothing.
 * Messages the source cannot pair with a native item go through the ordinary MIME path, with a note.
 */
import type {
  MailDestination,
  MailSource,
  NativeImport,
  SourceFolderReader,
} from '../connectors/contract.js';
import { ErrorCode, PermanentError, throwIfAborted } from '../errors.js';
import { recordIntents, writeRow, type FolderContext, type Todo } from './folder-context.js';

/** Items exported per round (their native streams are held in memory until imported). */
export const NATIVE_BATCH = 20;

/** The ordinary path, for what the native one does not take (already paced and intended). */
type CopyRest = (todos: Todo[]) => Promise<void>;

/** Whether this mailbox pass may use the native path: both sides' checks, once; a note says why not. */
export async function nativeAllowed(
  src: MailSource,
  dst: MailDestination,
  note: (text: string) => void,
  signal?: AbortSignal,
): Promise<boolean> {
  const format = src.capabilities.nativeFormat;
  if (!format || format !== dst.capabilities.nativeFormat || !src.checkNative || !dst.checkNative)
    return false;
  // The destination first: when it may not import, nothing is read from the source to find out.
  for (const run of [() => dst.checkNative!(signal), () => src.checkNative!(signal)]) {
    const check = await run();
    if (!check.ok) {
      note(`Items are not moved in their native form (${format}): ${check.reason}. They are copied as MIME.`);
      return false;
    }
  }
  return true;
}

/**
 * Copy `todos` through the native path in rounds of NATIVE_BATCH: intents, export, then import one by one
 * with each result recorded as it comes (see the file comment for why an interrupted import is not doubled).
 */
export async function copyNative(
  ctx: FolderContext,
  reader: SourceFolderReader,
  dst: MailDestination,
  f: { folderKey: string; uidValidity: string },
  todos: Todo[],
  rest: CopyRest,
  fail: (r: { uid: number }, reason: string) => void,
): Promise<void> {
  const keywords = dst.capabilities.supportsKeywords;
  const row = (t: Todo) => writeRow(ctx, f, t, keywords);
  for (let i = 0; i < todos.length; i += NATIVE_BATCH) {
    throwIfAborted(ctx.signal);
    const round = todos.slice(i, i + NATIVE_BATCH);
    await recordIntents(ctx, round, row);
    const byUid = new Map(round.map((t) => [t.meta.uid, t]));
    const ready: Array<{ todo: Todo; item: NativeImport }> = [];
    const fallback: Todo[] = [];
    const reasons = new Map<string, number>();
    for await (const x of reader.exportItems!(
      round.map((t) => t.meta),
      ctx.signal,
    )) {
      const t = byUid.get(x.uid);
      if (!t) continue;
      byUid.delete(x.uid);
      if ('data' in x) ready.push({ todo: t, item: { format: x.format, data: x.data, meta: t.meta } });
      else if ('fallback' in x) {
        fallback.push(t);
        reasons.set(x.fallback, (reasons.get(x.fallback) ?? 0) + 1);
      } else {
        fail(row(t), x.unreadable);
        await ctx.ledger.put(ctx.mailboxId, [{ ...row(t), status: 'failed', reason: x.unreadable }]);
      }
    }
    // Not yielded at all: expunged at the source since it was listed.
    if (byUid.size) await ctx.ledger.markGone(ctx.mailboxId, f.folderKey, f.uidValidity, [...byUid.keys()]);
    for (const [why, n] of reasons)
      ctx.progress.note(
        ctx.mailboxId,
        'info',
        `"${ctx.sourcePath.join('/')}": ${n} message(s) copied as MIME, not in native form: ${why}.`,
      );
    for (const { todo, item } of ready) {
      let result;
      try {
        [result] = await dst.importItems!(ctx.destPath, [item], ctx.signal);
      } catch (err) {
        // Refused as an item (not a permission, quota or network matter): the ordinary path may still take it.
        if (
          !(err instanceof PermanentError) ||
          err.code === ErrorCode.AuthFailed ||
          err.code === ErrorCode.QuotaExceeded
        )
          throw err;
        ctx.progress.note(
          ctx.mailboxId,
          'warn',
          `"${ctx.sourcePath.join('/')}" UID ${todo.meta.uid}: the native import was refused (${err.message}); copied as MIME.`,
        );
        fallback.push(todo);
        continue;
      }
      await ctx.ledger.put(ctx.mailboxId, [
        { ...row(todo), status: 'copied', destUid: result?.uid ?? null, reason: result?.altered ?? null },
      ]);
      if (result?.found)
        ctx.progress.note(
          ctx.mailboxId,
          'info',
          `"${ctx.sourcePath.join('/')}" UID ${todo.meta.uid}: imported by an interrupted attempt; found at the destination, not imported again.`,
        );
      ctx.counters.copied++;
      ctx.counters.bytes += todo.meta.size;
      ctx.progress.advanced(ctx.mailboxId, 1, todo.meta.size);
    }
    if (fallback.length) await rest(fallback);
  }
}
