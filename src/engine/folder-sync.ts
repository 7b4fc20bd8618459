/**
 * One pass over one source folder: decide (ledger) → fetch → write → record.
 *
 * Nothing lost, nothing twice:
 * - every write is bracketed: intent rows are committed before the APPEND, results after it;
 * - an intent left by a crash or a lost connection is resolved against the destination by fingerprint
 *   before anything is written again;
 * - a folder with no ledger rows but messages at the destination (store deleted, pre-filled destination)
 *   is matched by fingerprint, as a multiset, so nothing already there is copied twice.
 */
import type {
  AppendItem,
  FolderState,
  MailDestination,
  MailSource,
  MessageMeta,
  SourceFolderReader,
} from '../connectors/contract.js';
import { ErrorCode, PermanentError, TransientError, blame, throwIfAborted } from '../errors.js';
import { folderRow, type LedgerEntry, type LedgerRepo } from '../store/ledger-repo.js';
import { makeBatches } from './batches.js';
import { skipReason } from './filters.js';
import { FingerprintIndex, fingerprint, flagKey } from './fingerprint.js';
import { destFlags, recordIntents, writeRow, type FolderContext, type Todo } from './folder-context.js';
import { copyNative } from './native-copy.js';

/** The ledger identity of the folder generation being synced. */
interface FolderIds {
  folderKey: string;
  uidValidity: string;
}

const PAGE = 500;

/** The ledger key of a folder. */
export const folderKeyOf = (p: string[]) => JSON.stringify(p);

/** Two report notes as one (either may be absent). */
export function joinNotes(a: string | null | undefined, b: string | null | undefined): string | null {
  return [a, b].filter(Boolean).join('. ') || null;
}

/**
 * When the folder is exactly as the last complete pass left it (same UIDVALIDITY, UIDNEXT, count and, with
 * CONDSTORE, HIGHESTMODSEQ) and the ledger has every message in it at the destination, record it for this pass and return
 * true: nothing to list. A pass that starts on a folder clears its UIDNEXT until it completes, so a folder
 * whose pass was stopped or failed is never taken for unchanged.
 */
export async function settleIfUnchanged(
  ledger: LedgerRepo,
  mb: number,
  folderKey: string,
  state: FolderState,
  passId: number,
): Promise<boolean> {
  const prev = await ledger.getFolder(mb, folderKey);
  if (!prev) return false;
  const unchanged =
    prev.uidValidity === state.uidValidity &&
    prev.uidNext === state.uidNext &&
    prev.messages === state.messages &&
    !!state.highestModseq &&
    prev.highestModseq === state.highestModseq;
  if (!unchanged || prev.error) return false;
  // Every message must be at the destination by the ledger: none pending, failed or skipped — a skip
  // depends on the options of its pass (a date range, a size limit, a phase), which may differ now.
  const settled = await ledger.countWithStatus(mb, folderKey, state.uidValidity, ['copied', 'present']);
  if (settled !== state.messages) return false;
  await ledger.saveFolder(mb, { ...prev, lastPassId: passId, error: null });
  return true;
}

/** Sync one folder. Throws typed errors; the caller owns retries. */
export async function syncFolder(
  planned: FolderContext,
  src: MailSource,
  dst: MailDestination,
): Promise<void> {
  let ctx = planned;
  const { ledger, mailboxId: mb, signal } = ctx;
  const folderKey = folderKeyOf(ctx.sourcePath);
  const prev = await ledger.getFolder(mb, folderKey);

  // Unchanged folders were settled when the mailbox was planned (mailbox-sync): this one has work.
  // The source folder is opened (its EXAMINE gives the state) while the destination folder is made ready
  // on the other connections: under latency, each round trip not waited for in turn is time saved.
  const readying = (async () => {
    let path = ctx.destPath;
    let renamed = ctx.renamed;
    if (!ctx.dryRun) {
      // The destination renames only a name it refuses; from here on the folder is where it really is.
      const made = await dst.ensureFolder(ctx.destPath, signal);
      if (made.renamed) ctx.progress.note(mb, 'warn', `"${ctx.sourcePath.join('/')}": ${made.renamed}`);
      path = made.path;
      renamed = joinNotes(ctx.renamed, made.renamed);
    }
    return { path, renamed, destState: await dst.folderState(path, signal) };
  })();
  readying.catch(() => undefined); // awaited below, after the source side: not unhandled meanwhile
  let reader: SourceFolderReader;
  try {
    reader = await src.openFolder(ctx.sourcePath, signal);
  } catch (err) {
    await readying.catch(() => undefined);
    throw err;
  }
  // The source's UIDs are read while the destination folder is still being made ready (the raw source
  // connection is free meanwhile): one round trip fewer to wait for per folder.
  const listing = reader.listUids(signal);
  listing.catch(() => undefined); // awaited in syncOpenFolder; not unhandled if readying fails first
  // A folder the ledger holds nothing of has every message undecided: its first page of metadata is read
  // meanwhile too (after the UIDs, on the same connection, which nothing else uses until this settles).
  const firstPage = listing.then((uids) =>
    ctx.dryRun || uids.length === 0 ? undefined : readAhead(ctx, reader, folderKey, uids),
  );
  firstPage.catch(() => undefined);
  let destKey: string;
  try {
    const ready = await readying;
    ctx = { ...ctx, destPath: ready.path, renamed: ready.renamed };
    const destState = ready.destState;
    const state = reader.state;
    destKey = folderKeyOf(ctx.destPath);
    if (!ctx.dryRun) {
      if (prev?.uidValidity && prev.uidValidity !== state.uidValidity) {
        const n = await ledger.dropOtherGenerations(mb, folderKey, state.uidValidity);
        ctx.progress.note(
          mb,
          'warn',
          `"${ctx.sourcePath.join('/')}" was renumbered at the source (UIDVALIDITY changed); ${n} ledger rows re-matched against the destination by fingerprint.`,
        );
      }
      if (prev?.destUidValidity && destState && prev.destUidValidity !== destState.uidValidity) {
        await ledger.dropOtherGenerations(mb, folderKey, '');
        ctx.progress.note(
          mb,
          'warn',
          `"${ctx.destPath.join('/')}" was renumbered at the destination; re-matching by fingerprint.`,
        );
      }
      // In progress: the generation and count the report will hold the ledger against; no UIDNEXT until the
      // folder completes. HIGHESTMODSEQ stays while the generation does: flag changes since then still apply.
      const sameGeneration = prev?.uidValidity === state.uidValidity;
      await ledger.saveFolder(
        mb,
        folderRow(folderKey, prev, {
          destPath: destKey,
          uidValidity: state.uidValidity,
          uidNext: null,
          highestModseq: sameGeneration ? (prev?.highestModseq ?? null) : null,
          messages: state.messages,
          destUidValidity: destState?.uidValidity ?? null,
          renamed: ctx.renamed,
          lastPassId: ctx.passId,
        }),
      );
    }

    await syncOpenFolder(ctx, reader, dst, listing, firstPage, {
      folderKey,
      destKey,
      uidValidity: reader.state.uidValidity,
      destMessages: destState?.messages ?? 0,
      prevModseq:
        prev?.uidValidity === reader.state.uidValidity ? (prev?.highestModseq ?? undefined) : undefined,
      condstore: src.capabilities.supportsCondstore,
    });
  } finally {
    // Nothing may still be reading on the source's connection when the reader closes or is retried.
    await firstPage.catch(() => undefined);
    await reader.close();
  }
  if (!ctx.dryRun) {
    const after = await dst.folderState(ctx.destPath, signal);
    await ledger.saveFolder(mb, {
      folderKey,
      destPath: destKey,
      uidValidity: reader.state.uidValidity,
      uidNext: reader.state.uidNext,
      highestModseq: reader.state.highestModseq ?? null,
      messages: reader.state.messages,
      destUidValidity: after?.uidValidity ?? null,
      renamed: ctx.renamed,
      excluded: null,
      error: null,
      lastPassId: ctx.passId,
    });
  }
}

/** Metadata read ahead: the UIDs it covers and what the source said of them. */
interface ReadAhead {
  uids: number[];
  metas: MessageMeta[];
}

/**
 * The metadata of the first page of `uids` when the ledger has no row of this folder generation (so the
 * pass will ask for exactly that), else undefined.
 */
async function readAhead(
  ctx: FolderContext,
  reader: SourceFolderReader,
  folderKey: string,
  uids: number[],
): Promise<ReadAhead | undefined> {
  const known = await ctx.ledger.aliveUids(ctx.mailboxId, folderKey, reader.state.uidValidity);
  if (known.length) return undefined;
  const page = uids.slice(0, PAGE);
  const metas: MessageMeta[] = [];
  for await (const part of reader.listMessages({ uids: page }, ctx.signal)) metas.push(...part);
  return { uids: page, metas };
}

async function syncOpenFolder(
  ctx: FolderContext,
  reader: SourceFolderReader,
  dst: MailDestination,
  /** The folder's UIDs (reader.listUids), already asked for. */
  listing: Promise<number[]>,
  /** The first page's metadata, when it was read ahead (readAhead). */
  firstPage: Promise<ReadAhead | undefined>,
  f: {
    folderKey: string;
    destKey: string;
    uidValidity: string;
    destMessages: number;
    prevModseq?: string;
    condstore: boolean;
  },
): Promise<void> {
  const { ledger, mailboxId: mb, signal } = ctx;
  const caps = dst.capabilities;
  const srcUids = await listing;
  // Settled before anything else reads from the source: its connection takes one command at a time.
  let ahead = await firstPage;
  const srcSet = new Set(srcUids);
  const alive = await ledger.aliveUids(mb, f.folderKey, f.uidValidity);
  const gone = alive.filter((u) => !srcSet.has(u));
  if (gone.length && !ctx.dryRun) await ledger.markGone(mb, f.folderKey, f.uidValidity, gone);
  const intents = ctx.dryRun ? [] : await ledger.withStatus(mb, f.folderKey, f.uidValidity, 'intent');

  // Before anything is written for a message the ledger cannot vouch for, match it against what the
  // destination holds beyond what the ledger already claims there (a store deleted, a pass stopped between
  // chunks, a write whose answer was lost, mail put there by someone else). Built once, on first need.
  let index: FingerprintIndex | undefined;
  let indexed = false;
  const destIndex = async (): Promise<FingerprintIndex | undefined> => {
    if (indexed || ctx.dryRun) return index;
    indexed = true;
    if (f.destMessages === 0) return undefined;
    const claimed = await ledger.claimedDestUids(mb, f.destKey);
    if (f.destMessages <= claimed.size) return undefined;
    index = new FingerprintIndex();
    for await (const page of dst.listMessages(ctx.destPath, signal))
      for (const m of page) if (!claimed.has(m.uid)) index.add(fingerprint(m), m.uid);
    return index;
  };
  if (intents.length) {
    const resolved: LedgerEntry[] = [];
    const idx = await destIndex();
    for (const row of intents) {
      const uid = idx?.take(row.fingerprint);
      if (uid !== undefined) resolved.push({ ...row, status: 'copied', destUid: uid, passId: ctx.passId });
    }
    await ledger.put(mb, resolved);
    // Written by an interrupted attempt (this pass or a crashed one): copied, and now accounted for.
    ctx.counters.copied += resolved.length;
    if (resolved.length)
      ctx.progress.note(
        mb,
        'info',
        `"${ctx.sourcePath.join('/')}": ${resolved.length} interrupted write(s) found at the destination; not written again.`,
      );
  }

  // Flag changes since the last pass (CONDSTORE), else read flags of every settled message.
  let changed: Map<number, string[]> | undefined;
  if (f.condstore && f.prevModseq) {
    changed = new Map();
    for await (const page of reader.listMessages({ changedSince: f.prevModseq }, signal))
      for (const m of page) changed.set(m.uid, m.flags);
  }

  for (let i = 0; i < srcUids.length; i += PAGE) {
    throwIfAborted(signal);
    const chunk = srcUids.slice(i, i + PAGE);
    const rows = await ledger.rows(mb, f.folderKey, f.uidValidity, chunk);
    const settled = chunk.filter((u) => ['copied', 'present'].includes(rows.get(u)?.status ?? ''));
    // A message that already failed in this pass (then the folder was retried) waits for the next pass.
    const undecided = chunk.filter((u) => {
      const r = rows.get(u);
      return (
        !['copied', 'present'].includes(r?.status ?? '') &&
        !(r?.status === 'failed' && r.passId === ctx.passId)
      );
    });
    ctx.progress.advanced(mb, settled.length, 0);
    if (!ctx.dryRun) await syncFlags(ctx, reader, dst, rows, settled, changed);
    if (undecided.length === 0) continue;

    const decided: LedgerEntry[] = [];
    const todo: Todo[] = [];
    const idx = await destIndex();
    // Read ahead covers this chunk only when it was asked for exactly this chunk's UIDs.
    const wanted = new Set(undecided);
    const early =
      ahead && ahead.uids.length === chunk.length && ahead.uids.every((u, k) => u === chunk[k])
        ? [ahead.metas.filter((m) => wanted.has(m.uid))]
        : undefined;
    ahead = undefined;
    for await (const page of early ?? reader.listMessages({ uids: undecided }, signal)) {
      for (const meta of page) {
        const fp = fingerprint(meta);
        const flags = flagKey(destFlags(meta.flags, caps.supportsKeywords));
        const base = {
          folderKey: f.folderKey,
          uidValidity: f.uidValidity,
          uid: meta.uid,
          fingerprint: fp,
          size: meta.size,
          flags,
          passId: ctx.passId,
          destUid: null,
          reason: null,
        };
        const reason = skipReason(meta, ctx.options, caps.maxMessageBytes);
        const present = reason === undefined ? idx?.take(fp) : undefined;
        if (reason !== undefined) {
          decided.push({ ...base, status: 'skipped', reason });
          ctx.counters.skipped++;
        } else if (present !== undefined) {
          decided.push({ ...base, status: 'present', destUid: present });
          ctx.counters.present++;
        } else todo.push({ meta, fp });
      }
    }
    if (!ctx.dryRun) await ledger.put(mb, decided);
    ctx.progress.advanced(mb, decided.length, 0);
    await copyAll(ctx, reader, dst, f, todo);
  }
}

/** Re-sync flags of already-copied messages whose source flags changed. */
async function syncFlags(
  ctx: FolderContext,
  reader: SourceFolderReader,
  dst: MailDestination,
  rows: Map<number, LedgerEntry>,
  settled: number[],
  changed?: Map<number, string[]>,
): Promise<void> {
  const current = new Map<number, string[]>();
  if (changed) {
    for (const u of settled) if (changed.has(u)) current.set(u, changed.get(u)!);
  } else if (settled.length)
    for await (const page of reader.listMessages({ uids: settled, flagsOnly: true }, ctx.signal))
      for (const m of page) current.set(m.uid, m.flags);
  const groups = new Map<string, LedgerEntry[]>();
  for (const [uid, flags] of current) {
    const row = rows.get(uid);
    const key = flagKey(destFlags(flags, dst.capabilities.supportsKeywords));
    if (!row || row.destUid === null || row.flags === key) continue;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  for (const [key, group] of groups) {
    try {
      await dst.setFlags(
        ctx.destPath,
        group.map((r) => r.destUid!),
        key ? key.split(' ') : [],
        ctx.signal,
      );
    } catch (err) {
      // A flag the destination will not take (a keyword past its limit) leaves those messages as they are:
      // said, and tried again by the next pass; the messages themselves are at the destination.
      if (!(err instanceof PermanentError) || err.code === ErrorCode.AuthFailed) throw err;
      ctx.progress.note(
        ctx.mailboxId,
        'warn',
        `"${ctx.sourcePath.join('/')}": the destination refused to set the flags "${key}" on ${group.length} message(s): ${err.message}`,
      );
      continue;
    }
    await ctx.ledger.put(
      ctx.mailboxId,
      group.map((r) => ({ ...r, flags: key, passId: ctx.passId })),
    );
    ctx.counters.flagsSynced += group.length;
  }
}

/** Copy in batches; each batch streams from the source straight into one destination write. */
async function copyAll(
  ctx: FolderContext,
  reader: SourceFolderReader,
  dst: MailDestination,
  f: FolderIds,
  todo: Todo[],
): Promise<void> {
  if (todo.length === 0) return;
  if (ctx.dryRun) {
    ctx.counters.copied += todo.length;
    ctx.progress.advanced(ctx.mailboxId, todo.length, 0);
    return;
  }
  if (ctx.native && reader.exportItems && dst.importItems) {
    // Already paced and intended by the native round: the ordinary path takes what it leaves.
    const rest = async (left: Todo[]) => {
      for (const batch of makeBatches(left, dst.capabilities.maxBatchMessages))
        await copyBatch(ctx, reader, dst, f, batch.items, { paced: true });
    };
    return copyNative(ctx, reader, dst, f, todo, rest, (r, why) => recordFailure(ctx, r, why));
  }
  for (const batch of makeBatches(todo, dst.capabilities.maxBatchMessages))
    await copyBatch(ctx, reader, dst, f, batch.items);
}

/**
 * intent rows → bodies piped source → destination in one write → copied rows. A message expunged at the
 * source meanwhile is simply not sent (and marked gone); a body cut short aborts the whole write. A copy
 * that differs from the source in a way the servers forced (a keyword refused, a NUL byte, a date) is
 * copied with that said on its row, never silently.
 */
async function copyBatch(
  ctx: FolderContext,
  reader: SourceFolderReader,
  dst: MailDestination,
  f: FolderIds,
  todos: Todo[],
  retry: { paced?: boolean; dropKeywords?: string } = {},
): Promise<void> {
  const keywords = dst.capabilities.supportsKeywords && retry.dropKeywords === undefined;
  const row = (t: Todo) => writeRow(ctx, f, t, keywords);
  // Retried one by one after a refused batch: those messages were already paced as the batch.
  await recordIntents(ctx, todos, row, retry.paced);
  const byUid = new Map(todos.map((t) => [t.meta.uid, t]));
  const sent: Array<{ todo: Todo; size: number; altered?: string }> = [];
  const unreadable: Array<{ todo: Todo; reason: string }> = [];
  async function* items(): AsyncIterable<AppendItem> {
    for await (const b of reader.streamBodies([...byUid.keys()], ctx.signal)) {
      const t = byUid.get(b.uid);
      if (b.unreadable !== undefined) {
        if (t) unreadable.push({ todo: t, reason: b.unreadable });
        byUid.delete(b.uid);
        continue;
      }
      if (!t) {
        // Not asked for, or a second answer for a message already taken: drained, never written twice.
        if (!Buffer.isBuffer(b.body)) b.body.resume();
        continue;
      }
      byUid.delete(b.uid);
      sent.push({ todo: t, size: b.size, altered: b.altered });
      const flags = keywords ? t.meta.flags : t.meta.flags.filter((x) => x.startsWith('\\'));
      yield { size: b.size, body: b.body, flags, internalDate: t.meta.internalDate };
    }
  }
  try {
    const results = await dst.append(ctx.destPath, items(), ctx.signal);
    const bytes = sent.reduce((s, x) => s + x.size, 0);
    const copied = sent.map((x, i) => ({
      ...row(x.todo),
      status: 'copied' as const,
      destUid: results[i]?.uid ?? null,
      reason: joinNotes(joinNotes(retry.dropKeywords, x.altered), results[i]?.altered),
    }));
    await ctx.ledger.put(ctx.mailboxId, copied);
    for (const c of copied)
      if (c.reason)
        ctx.progress.note(
          ctx.mailboxId,
          'warn',
          `"${ctx.sourcePath.join('/')}" UID ${c.uid} copied, altered: ${c.reason}`,
        );
    const seen = new Set([...sent, ...unreadable].map((x) => x.todo));
    const gone = todos.filter((t) => !seen.has(t)).map((t) => t.meta.uid);
    // Expunged at the source between listing and fetch: nothing to copy, not counted.
    if (gone.length) await ctx.ledger.markGone(ctx.mailboxId, f.folderKey, f.uidValidity, gone);
    ctx.counters.copied += sent.length;
    ctx.counters.bytes += bytes;
    ctx.progress.advanced(ctx.mailboxId, sent.length, bytes);
    // Still at the source but not deliverable there: failed with the reason, retried by the next pass.
    for (const u of unreadable) recordFailure(ctx, row(u.todo), u.reason);
    await ctx.ledger.put(
      ctx.mailboxId,
      unreadable.map((u) => ({ ...row(u.todo), status: 'failed' as const, reason: u.reason })),
    );
  } catch (err) {
    // A body cut short while it was being written: that message is the suspect.
    if (err instanceof TransientError && err.code === ErrorCode.SourceReadFailed)
      blame(err, sent.at(-1)?.todo.meta.uid);
    if (
      !(err instanceof PermanentError) ||
      err.code === ErrorCode.QuotaExceeded ||
      err.code === ErrorCode.AuthFailed
    )
      throw err;
    if (todos.length > 1) {
      // One bad message refuses the whole MULTIAPPEND: write them one by one to isolate it.
      for (const t of todos) await copyBatch(ctx, reader, dst, f, [t], { paced: true });
      return;
    }
    const t = todos[0]!;
    const kept = t.meta.flags.filter((x) => !x.startsWith('\\'));
    if (keywords && kept.length > 0) {
      // Refused with its keywords (Cyrus allows 100 per folder): copy it without them, and say which.
      const dropped = `keywords dropped: ${kept.join(' ')} (the destination refused the message with them: ${err.message})`;
      await copyBatch(ctx, reader, dst, f, [t], { paced: true, dropKeywords: dropped });
      return;
    }
    await ctx.ledger.put(ctx.mailboxId, [{ ...row(t), status: 'failed', reason: err.describe() }]);
    recordFailure(ctx, row(t), err.message);
  }
}

/** Count and announce one message that could not be copied. */
function recordFailure(ctx: FolderContext, r: { uid: number }, reason: string): void {
  ctx.counters.failed++;
  ctx.progress.advanced(ctx.mailboxId, 1, 0);
  ctx.progress.note(ctx.mailboxId, 'error', `"${ctx.sourcePath.join('/')}" UID ${r.uid}: ${reason}`);
}
