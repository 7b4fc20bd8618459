/**
 * Verifying one mailbox: every destination folder the ledger says it wrote to is read back and compared
 * (folder-verify.ts), several at once, each worker on its own source and destination connections taken
 * from the same connection slots a pass uses, so a verification obeys the servers' caps. Throttling and
 * dropped connections are waited out as in a pass; a folder that still cannot be read is named, not hidden.
 *
 * What was found is written to the ledger for the next pass to repair: a message the ledger calls copied
 * but the destination lacks becomes `missing` (copied again), a message with other flags gets the flags
 * that are there recorded (set again), and the folder loses its UIDNEXT and HIGHESTMODSEQ so the next pass
 * does not take it for unchanged.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { MailDestination, MailSource } from '../connectors/contract.js';
import { AbortError, ErrorCode, asCutoverError, throwIfAborted, type CutoverError } from '../errors.js';
import { folderRow, type LedgerRepo } from '../store/ledger-repo.js';
import type { PassCounters } from '../store/mailbox-repo.js';
import type { MessageRate } from '../runner/message-rate.js';
import { sameServer, type Slots } from '../runner/slots.js';
import { newVerifyMemo, verifyGroup, type VerifyGroup } from './folder-verify.js';
import type { Endpoint } from './mailbox-sync.js';
import type { ProgressSink } from './progress.js';
import { RetryBudget } from './retry.js';
import type { FolderFindings, FolderMatch, LedgerRepair } from './verify-match.js';

/** One mailbox to verify. */
export interface VerifyJob {
  mailboxId: number;
  label: string;
  source: Endpoint;
  dest: Endpoint;
  foldersInParallel: number;
  deep: boolean;
}

/** What verifying needs from the run. */
export interface VerifyDeps {
  ledger: LedgerRepo;
  slots: Slots;
  limiter: MessageRate;
  progress: ProgressSink;
}

/** A source + destination connection pair holding its connection slots. */
class VerifyLane {
  private conns?: { src: MailSource; dst: MailDestination };
  private releases: Array<() => void> = [];
  constructor(
    private readonly job: VerifyJob,
    private readonly slots: Slots,
    private readonly signal?: AbortSignal,
  ) {}

  async open(): Promise<{ src: MailSource; dst: MailDestination }> {
    if (this.conns) return this.conns;
    const { source, dest } = this.job;
    // Source: metadata + bodies; destination: metadata + its writer, + a body reader with --deep. Taken at
    // once when both sides are one server, so two lanes never each hold half of what they need.
    const s = 2;
    const d = this.job.deep ? 3 : 2;
    if (sameServer(source.server, dest.server))
      this.releases.push(await this.slots.acquire(source.server, this.signal, s + d));
    else {
      this.releases.push(await this.slots.acquire(source.server, this.signal, s));
      this.releases.push(await this.slots.acquire(dest.server, this.signal, d));
    }
    const src = await source.connector.openSource(source.server, source.auth, this.signal);
    try {
      const dst = await dest.connector.openDestination(dest.server, dest.auth, this.signal);
      return (this.conns = { src, dst });
    } catch (err) {
      await src.close().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    const c = this.conns;
    this.conns = undefined;
    if (c) await Promise.allSettled([c.src.close(), c.dst.close()]);
    for (const r of this.releases.splice(0)) r();
  }
}

/** Verify a mailbox; findings per source folder. Throws only what stops the mailbox (login, abort). */
export async function verifyMailbox(
  job: VerifyJob,
  deps: VerifyDeps,
  signal?: AbortSignal,
): Promise<FolderFindings[]> {
  const groups = await groupsOf(deps.ledger, job.mailboxId);
  const total = groups.reduce((s, g) => s + g.folders.reduce((n, f) => n + f.row.messages, 0), 0);
  deps.progress.planned(job.mailboxId, job.label, total);
  const found: FolderFindings[] = [];
  let fatal: unknown;
  const queue = [...groups];
  const worker = async () => {
    const lane = new VerifyLane(job, deps.slots, signal);
    try {
      for (let g = queue.shift(); g && !fatal; g = queue.shift()) {
        try {
          const matches = await withRetries(job, deps, lane, g, signal);
          for (const f of g.folders) {
            const fm = matches.get(f.row.folderKey)!;
            await applyRepair(deps.ledger, job.mailboxId, f.row.folderKey, fm.repair);
            found.push(fm.findings);
            deps.progress.advanced(job.mailboxId, fm.findings.checked, 0);
          }
        } catch (err) {
          fatal ??= err;
        }
      }
    } finally {
      await lane.close();
    }
  };
  const n = Math.max(1, Math.min(job.foldersInParallel, groups.length));
  await Promise.all(Array.from({ length: n }, worker));
  if (fatal) throw signal?.aborted ? new AbortError('Stopped by the user.') : asCutoverError(fatal);
  return found.sort((a, b) => a.source.localeCompare(b.source));
}

/** The destination folders the ledger says this mailbox wrote to, with the source folders behind each. */
async function groupsOf(ledger: LedgerRepo, mailboxId: number): Promise<VerifyGroup[]> {
  const by = new Map<string, VerifyGroup>();
  for (const row of await ledger.listFolders(mailboxId)) {
    // Excluded folders were never written; a folder no pass has reached has nothing to verify yet.
    if (row.excluded || !row.destPath || !row.uidValidity) continue;
    const g = by.get(row.destPath) ?? { destPath: JSON.parse(row.destPath) as string[], folders: [] };
    g.folders.push({ sourcePath: JSON.parse(row.folderKey) as string[], row });
    by.set(row.destPath, g);
  }
  return [...by.values()];
}

/** Verify one group, waiting out throttling and retrying dropped connections like a folder's pass does. */
async function withRetries(
  job: VerifyJob,
  deps: VerifyDeps,
  lane: VerifyLane,
  g: VerifyGroup,
  signal?: AbortSignal,
): Promise<Map<string, FolderMatch>> {
  const name = `"${g.destPath.join('/')}"`;
  const counters: PassCounters = {
    copied: 0,
    present: 0,
    skipped: 0,
    failed: 0,
    flagsSynced: 0,
    bytes: 0,
    throttledMs: 0,
  };
  const retry = new RetryBudget(job.mailboxId, `Verifying ${name}`, deps.progress, counters);
  // What each attempt read is kept for the next: a retry resumes, and each completed step is progress.
  const memo = newVerifyMemo();
  const ctx = {
    mailboxId: job.mailboxId,
    ledger: deps.ledger,
    deep: job.deep,
    limiter: deps.limiter,
    signal,
    progressed: () => retry.restart(),
  };
  for (;;) {
    throwIfAborted(signal);
    try {
      const { src, dst } = await lane.open();
      return await verifyGroup(ctx, g, src, dst, memo);
    } catch (raw) {
      if (signal?.aborted) throw new AbortError();
      const err = asCutoverError(raw);
      const wait = retry.next(err);
      if (wait === undefined) {
        if (isMailboxFatal(err)) throw err;
        deps.progress.note(job.mailboxId, 'error', `Verifying ${name} failed: ${err.describe()}`);
        return failedGroup(g, err);
      }
      await lane.close();
      await sleep(wait, undefined, { signal });
    }
  }
}

/** Findings for a group that could not be read: each of its folders says why. */
function failedGroup(g: VerifyGroup, err: CutoverError): Map<string, FolderMatch> {
  return new Map(
    g.folders.map((f) => [
      f.row.folderKey,
      {
        findings: {
          source: f.sourcePath.join('/'),
          destination: g.destPath.join('/'),
          checked: 0,
          missing: [],
          flagsDiffer: [],
          extra: [],
          altered: [],
          error: err.describe(),
        },
        repair: { lost: [], flags: [], relink: [] },
        pairs: [],
      },
    ]),
  );
}

/** Write what was found into the ledger, so the next pass repairs it (see the file comment). */
async function applyRepair(ledger: LedgerRepo, mailboxId: number, folderKey: string, r: LedgerRepair) {
  const when = new Date().toISOString().slice(0, 10);
  await ledger.put(mailboxId, [
    ...r.relink.map(({ row, destUid }) => ({
      ...row,
      destUid,
      status: row.status === 'missing' ? ('copied' as const) : row.status,
      reason: row.status === 'missing' ? null : row.reason,
    })),
    ...r.lost.map((row) => ({
      ...row,
      status: 'missing' as const,
      destUid: null,
      reason: `not at the destination when verified on ${when}; the next pass copies it again`,
    })),
  ]);
  // After the relinks: a row both relinked and given other flags keeps its new key.
  const relinked = new Map(r.relink.map((x) => [x.row.uid, x.destUid]));
  await ledger.put(
    mailboxId,
    r.flags.map(({ row, destFlags }) => ({
      ...row,
      destUid: relinked.get(row.uid) ?? row.destUid,
      status: row.status === 'missing' && relinked.has(row.uid) ? 'copied' : row.status,
      reason: row.status === 'missing' && relinked.has(row.uid) ? null : row.reason,
      flags: destFlags,
    })),
  );
  if (r.lost.length === 0 && r.flags.length === 0) return;
  const prev = await ledger.getFolder(mailboxId, folderKey);
  if (prev)
    await ledger.saveFolder(
      mailboxId,
      folderRow(folderKey, prev, {
        uidNext: null,
        highestModseq: null,
        excluded: prev.excluded,
        error: prev.error,
      }),
    );
}

/** Errors that stop the whole mailbox: no point trying other folders. */
function isMailboxFatal(err: CutoverError): boolean {
  return [
    ErrorCode.AuthFailed,
    ErrorCode.DnsNotFound,
    ErrorCode.ConnectionRefused,
    ErrorCode.TlsFailed,
  ].includes(err.code as never);
}
