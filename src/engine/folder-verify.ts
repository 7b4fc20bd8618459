/**
 * Verifying one destination folder: read back what it holds and compare it with the source folders that
 * write into it and their ledger rows (verify-match.ts). The destination listing and the source listings
 * run at once on their own connections; `--deep` then hashes bodies of matched pairs as they stream from
 * both sides at once, batch by batch — only hashes are kept, never a body.
 */
import { createHash } from 'node:crypto';
import type {
  MailDestination,
  MailSource,
  MessageMeta,
  SourceFolderReader,
  StreamedMessage,
} from '../connectors/contract.js';
import { throwIfAborted } from '../errors.js';
import type { FolderRow, LedgerEntry, LedgerRepo } from '../store/ledger-repo.js';
import type { RateLimiter } from '../runner/limits.js';
import { matchGroup, type FolderMatch, type Pair } from './verify-match.js';

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
  limiter: RateLimiter;
  signal?: AbortSignal;
}

const BATCH = 100;
const PAGE = 500;

/** Why `--deep` compares nothing where the destination cannot hand bodies back. */
export const NO_READ_BACK =
  'content not compared: this destination does not return messages as they were written (it stores them in its own form)';

/** Verify one group; findings per source folder key. Throws typed errors (the caller retries). */
export async function verifyGroup(
  ctx: VerifyFolderContext,
  g: VerifyGroup,
  src: MailSource,
  dst: MailDestination,
): Promise<Map<string, FolderMatch>> {
  const { signal } = ctx;
  const destState = await dst.folderState(g.destPath, signal);
  const readers: SourceFolderReader[] = [];
  try {
    const [dest, sources] = await Promise.all([
      destState ? collect(dst.listMessages(g.destPath, signal)) : Promise.resolve([]),
      (async () => {
        const out = [];
        // One source connection: its folders one after another.
        for (const f of g.folders) {
          const reader = await src.openFolder(f.sourcePath, signal);
          readers.push(reader);
          const uidValidity = reader.state.uidValidity;
          const uids = await reader.listUids(signal);
          const rows = await rowsOf(ctx, f.row.folderKey, uidValidity, uids);
          // Skipped and failed messages are not looked for, nor read: one the source cannot read stays out.
          const wanted = uids.filter((u) => !['skipped', 'failed'].includes(rows.get(u)?.status ?? ''));
          const metas = wanted.length ? await collect(reader.listMessages({ uids: wanted }, signal)) : [];
          out.push({
            folderKey: f.row.folderKey,
            uidValidity,
            metas,
            rows,
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
      for (const [i, side] of sources.entries()) {
        const fm = matches.get(side.folderKey)!;
        if (!dst.streamBodies) fm.findings.notCompared = NO_READ_BACK;
        else await compareContent(ctx, fm, readers[i]!, dst, g.destPath, side.metas);
      }
    return matches;
  } finally {
    await Promise.allSettled(readers.map((r) => r.close()));
  }
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
): Promise<void> {
  const size = new Map(metas.map((m) => [m.uid, m.size]));
  for (let i = 0; i < fm.pairs.length; i += BATCH) {
    throwIfAborted(ctx.signal);
    const batch = fm.pairs.slice(i, i + BATCH);
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
    for (const p of batch) judge(fm, p, theirs.get(p.sourceUid), ours.get(p.destUid));
  }
}

type Hashed = { hash: string } | { unreadable: string };

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
