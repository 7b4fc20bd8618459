/**
 * Verifying one destination folder: read back what it holds and compare it with the source folders that
 * write into it and their ledger rows (verify-match.ts). The destination listing and the source listings
 * run at once on their own connections; `--deep` then hashes bodies of matched pairs as they stream from
 * both sides at once, batch by batch — only hashes are kept, never a body.
 *
 * Every step that completes is kept in the group's `VerifyMemo`, so an attempt broken by a cut or a
 * throttled command resumes where it broke instead of reading the whole group again: on a server that
 * refuses one command in ten, a group that needed every step in one go would never finish.
 */
import { createHash } from 'node:crypto';
import type {
  FolderState,
  MailDestination,
  MailSource,
  MessageMeta,
  SourceFolderReader,
  StreamedMessage,
} from '../connectors/contract.js';
import { throwIfAborted } from '../errors.js';
import type { FolderRow, LedgerEntry, LedgerRepo } from '../store/ledger-repo.js';
import type { MessageRate } from '../runner/message-rate.js';
import { matchGroup, type FolderMatch, type Pair, type SourceSide } from './verify-match.js';

/** Source folders that write into one destination folder (several when folders are merged). */
export interface VerifyGroup {
  destPath: string[];
  folders: Array<{ sourcePath: string[]; row: FolderRow }>;
}

/** What verifying a group needs. */
export interface VerifyFolderContext {
  mailboxId: number;
  ledger: LedgerRepo;
  deep: boolean;
  limiter: MessageRate;
  signal?: AbortSignal;
  /** Called when a step completes (a listing, a batch of hashes): the retry budget counts it as progress. */
  progressed?: () => void;
}

/** What earlier attempts at a group already read; kept by the caller across its retries. */
export interface VerifyMemo {
  destState?: FolderState | null;
  dest?: MessageMeta[];
  /** Per source folder key: its listing, as read once. */
  sources: Map<string, SourceSide>;
  /** Per source folder key: source UID → the two hashes compared (deep). */
  hashed: Map<string, HashedPairs>;
}

/** An empty memo for a group's first attempt. */
export function newVerifyMemo(): VerifyMemo {
  return { sources: new Map(), hashed: new Map() };
}

const BATCH = 100;
const PAGE = 500;

/** Why `--deep` compares nothing where the destination cannot hand bodies back. */
export const NO_READ_BACK =
  'content not compared: this destination does not return messages as they were written (it stores them in its own form)';

/** Verify one group; findings per source folder key. Throws typed errors (the caller retries with `memo`). */
export async function verifyGroup(
  ctx: VerifyFolderContext,
  g: VerifyGroup,
  src: MailSource,
  dst: MailDestination,
  memo: VerifyMemo = newVerifyMemo(),
): Promise<Map<string, FolderMatch>> {
  const { signal } = ctx;
  const step = () => ctx.progressed?.();
  if (memo.destState === undefined) {
    memo.destState = await dst.folderState(g.destPath, signal);
    step();
  }
  const destState = memo.destState;
  const readers = new Map<string, SourceFolderReader>();
  try {
    const [dest, sources] = await Promise.all([
      (async () => {
        if (!memo.dest) {
          memo.dest = destState ? await collect(dst.listMessages(g.destPath, signal)) : [];
          step();
        }
        return memo.dest;
      })(),
      (async () => {
        const out = [];
        // One source connection: its folders one after another.
        for (const f of g.folders) {
          const reader = await src.openFolder(f.sourcePath, signal);
          readers.set(f.row.folderKey, reader);
          let side = memo.sources.get(f.row.folderKey);
          if (side?.uidValidity !== reader.state.uidValidity) {
            side = await readSource(ctx, f.row.folderKey, reader);
            memo.sources.set(f.row.folderKey, side);
            memo.hashed.delete(f.row.folderKey);
            step();
          }
          out.push({
            ...side,
            destKeysValid: !!destState && f.row.destUidValidity === destState.uidValidity,
            source: f.sourcePath.join('/'),
            destination: g.destPath.join('/'),
            rules: {
              keywords: dst.capabilities.supportsKeywords,
              kept: dst.keptFlags ? (flags: string[]) => dst.keptFlags!(g.destPath, flags) : undefined,
            },
          });
        }
        return out;
      })(),
    ]);
    const matches = matchGroup(sources, dest);
    if (ctx.deep)
      for (const side of sources) {
        const fm = matches.get(side.folderKey)!;
        if (!dst.streamBodies) fm.findings.notCompared = NO_READ_BACK;
        else {
          const done: HashedPairs = memo.hashed.get(side.folderKey) ?? (new Map() as HashedPairs);
          memo.hashed.set(side.folderKey, done);
          await compareContent(ctx, fm, readers.get(side.folderKey)!, dst, g.destPath, side.metas, done);
        }
      }
    return matches;
  } finally {
    await Promise.allSettled([...readers.values()].map((r) => r.close()));
  }
}

/** A source folder's listing and ledger rows: what matching needs from it. */
async function readSource(
  ctx: VerifyFolderContext,
  folderKey: string,
  reader: SourceFolderReader,
): Promise<SourceSide> {
  const uidValidity = reader.state.uidValidity;
  const uids = await reader.listUids(ctx.signal);
  const rows = await rowsOf(ctx, folderKey, uidValidity, uids);
  // Skipped and failed messages are not looked for, nor read: one the source cannot read stays out.
  const wanted = uids.filter((u) => !['skipped', 'failed'].includes(rows.get(u)?.status ?? ''));
  const metas = wanted.length ? await collect(reader.listMessages({ uids: wanted }, ctx.signal)) : [];
  return { folderKey, uidValidity, metas, rows, destKeysValid: false };
}

/** Every page of an enumeration (metadata only: a folder's worth is what a pass's fingerprint index holds too). */
async function collect(pages: AsyncIterable<MessageMeta[]>): Promise<MessageMeta[]> {
  const out: MessageMeta[] = [];
  for await (const page of pages) for (const m of page) out.push(m);
  return out;
}

async function rowsOf(
  ctx: VerifyFolderContext,
  folderKey: string,
  uidValidity: string,
  uids: number[],
): Promise<Map<number, LedgerEntry>> {
  const out = new Map<number, LedgerEntry>();
  const sorted = [...uids].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i += PAGE)
    for (const [u, r] of await ctx.ledger.rows(
      ctx.mailboxId,
      folderKey,
      uidValidity,
      sorted.slice(i, i + PAGE),
    ))
      out.set(u, r);
  return out;
}

/** Hash the bodies of matched pairs on both sides at once, batch by batch; name what differs. */
async function compareContent(
  ctx: VerifyFolderContext,
  fm: FolderMatch,
  reader: SourceFolderReader,
  dst: MailDestination,
  destPath: string[],
  metas: MessageMeta[],
  done: HashedPairs,
): Promise<void> {
  const size = new Map(metas.map((m) => [m.uid, m.size]));
  // Pairs hashed by an earlier attempt are judged from what it found; only the rest are read.
  const todo = fm.pairs.filter((p) => !done.has(p.sourceUid));
  for (let i = 0; i < todo.length; i += BATCH) {
    throwIfAborted(ctx.signal);
    const batch = todo.slice(i, i + BATCH);
    await ctx.limiter.take(
      batch.length,
      batch.reduce((s, p) => s + (size.get(p.sourceUid) ?? 0), 0),
      ctx.signal,
    );
    const [theirs, ours] = await Promise.all([
      hashAll(
        reader.streamBodies(
          batch.map((p) => p.sourceUid),
          ctx.signal,
        ),
      ),
      hashAll(
        dst.streamBodies!(
          destPath,
          batch.map((p) => p.destUid),
          ctx.signal,
        ),
      ),
    ]);
    for (const p of batch) done.set(p.sourceUid, [theirs.get(p.sourceUid), ours.get(p.destUid)]);
    ctx.progressed?.();
  }
  for (const p of fm.pairs) {
    const [source, dest] = done.get(p.sourceUid) ?? [];
    judge(fm, p, source, dest);
  }
}

type Hashed = { hash: string } | { unreadable: string };
/** Source UID → the source's and the destination's hash of the pair. */
type HashedPairs = Map<number, [Hashed | undefined, Hashed | undefined]>;

function judge(fm: FolderMatch, p: Pair, source: Hashed | undefined, dest: Hashed | undefined): void {
  // Gone from either side meanwhile, or unreadable at the source: nothing to compare with.
  if (!source || !dest || 'unreadable' in source) return;
  if ('unreadable' in dest)
    fm.findings.altered.push({ ...p, reason: `the destination would not return it: ${dest.unreadable}` });
  else if (dest.hash !== source.hash)
    fm.findings.altered.push({ ...p, reason: 'same size, other bytes: the destination rewrote the message' });
}

/** SHA-256 of each body as it streams past. */
async function hashAll(stream: AsyncIterable<StreamedMessage>): Promise<Map<number, Hashed>> {
  const out = new Map<number, Hashed>();
  for await (const m of stream) {
    if (m.unreadable !== undefined) {
      out.set(m.uid, { unreadable: m.unreadable });
      continue;
    }
    const h = createHash('sha256');
    if (Buffer.isBuffer(m.body)) h.update(m.body);
    else for await (const chunk of m.body as AsyncIterable<Buffer>) h.update(chunk);
    out.set(m.uid, { hash: h.digest('hex') });
  }
  return out;
}
