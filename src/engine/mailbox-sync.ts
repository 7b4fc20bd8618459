/**
 * One pass over one mailbox: list and plan folders, then sync several folders at once, each worker on its
 * own source and destination connections. Owns retries (retry.ts): transient errors reconnect with backoff
 * until the mailbox has made no progress for too long, throttling waits the time the server asked for, a
 * server that turns connections away gets fewer of them, permanent errors are recorded per folder.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuthSpec, MailboxOptions, ServerSpec } from '../config/types.js';
import type {
  Connector,
  FolderInfo,
  FolderState,
  MailDestination,
  MailSource,
} from '../connectors/contract.js';
import {
  AbortError,
  CutoverError,
  ErrorCode,
  RateLimitError,
  RefusedError,
  TransientError,
  asCutoverError,
  throwIfAborted,
} from '../errors.js';
import { folderRow, type LedgerRepo } from '../store/ledger-repo.js';
import type { ItemLedgerRepo } from '../store/item-ledger-repo.js';
import { syncFilters } from './filters-sync.js';
import { isGroupware, syncGroupware } from './groupware-sync.js';
import { replaceAddress, type PlanConfig } from '../config/plan.js';
import type { MailboxRepo, PassCounters } from '../store/mailbox-repo.js';
import type { MessageRate } from '../runner/message-rate.js';
import { sameServer, type Slots } from '../runner/slots.js';
import { planFolders } from './folder-map.js';
import { folderKeyOf, settleIfUnchanged, syncFolder } from './folder-sync.js';
import { nativeAllowed } from './native-copy.js';
import type { ProgressSink } from './progress.js';
import { RetryBudget, type RetryPolicy } from './retry.js';
import { specialFoldersOf } from '../connectors/special-use.js';

/** One side of a migration. */
export interface Endpoint {
  connector: Connector;
  server: ServerSpec;
  auth: AuthSpec;
}

export interface MailboxJob {
  mailboxId: number;
  label: string;
  source: Endpoint;
  dest: Endpoint;
  options: MailboxOptions;
  foldersInParallel: number;
  dryRun: boolean;
  /** The plan's address replacements (attendees, organizers, contact e-mail addresses). */
  addressReplacements?: PlanConfig['addressReplacements'];
}

export interface EngineDeps {
  ledger: LedgerRepo;
  /** The ledger of items that are not messages (filters). */
  items: ItemLedgerRepo;
  mailboxes: MailboxRepo;
  slots: Slots;
  limiter: MessageRate;
  progress: ProgressSink;
  /** How long and how often to retry (default: retryPolicy(), from the environment). */
  retry?: RetryPolicy;
  /**
   * Throttling that asks for at least this long (ms) ends the slice (ThrottledSlice) instead of being
   * waited out in it, so a queue can run the pass again later; unset: every wait is waited out here.
   */
  requeueThrottledMs?: number;
  /** When the mailbox last progressed, from an earlier slice of this pass (epoch ms). */
  stalledSince?: number;
}

/**
 * A throttling server asked for a long wait: the slice ends here, nothing is lost (the ledger has every
 * write so far) and the pass goes on after `waitMs` from where the ledger says it is.
 */
export class ThrottledSlice extends CutoverError {
  constructor(
    /** How long to wait before the next slice. */
    readonly waitMs: number,
    /** When the mailbox last progressed (epoch ms): the next slice's give-up clock goes on from it. */
    readonly stalledSince: number,
    cause: RateLimitError,
    /** What the slice did (set when the pass records the slice's end). */
    public counters?: PassCounters,
  ) {
    super(
      ErrorCode.Throttled,
      `Throttled by the server for ${Math.round(waitMs / 1000)} s; the pass goes on after that.`,
      cause.hint,
      { cause },
    );
  }
}

/** The wait `retry` gave for `err`, or the end of the slice when it is long and a queue takes it over. */
function waitOrEndSlice(deps: EngineDeps, retry: RetryBudget, err: CutoverError, wait: number): number {
  if (
    err instanceof RateLimitError &&
    deps.requeueThrottledMs !== undefined &&
    wait >= deps.requeueThrottledMs
  )
    throw new ThrottledSlice(wait, retry.stalledSince, err);
  return wait;
}

/** A source + destination connection pair holding connection slots. */
class Lane {
  src?: MailSource;
  dst?: MailDestination;
  private srcOpening?: Promise<MailSource>;
  private dstOpening?: Promise<MailDestination>;
  private releases: Array<() => void> = [];
  /** Ends this opening's waits (for slots, a login) when the lane is closed before it is open. */
  private opening = new AbortController();
  /** The job's signal, or this opening's end. */
  private signal: AbortSignal;
  constructor(
    private readonly job: MailboxJob,
    private readonly deps: EngineDeps,
    private readonly jobSignal?: AbortSignal,
  ) {
    this.signal = this.openingSignal();
  }

  private openingSignal(): AbortSignal {
    return this.jobSignal ? AbortSignal.any([this.jobSignal, this.opening.signal]) : this.opening.signal;
  }

  /** The source side only (enough to tell whether anything changed). */
  openSource(): Promise<MailSource> {
    this.srcOpening ??= this.connectSource();
    return this.srcOpening;
  }

  private async connectSource(): Promise<MailSource> {
    // Two connections per side: metadata (imapflow) and bodies (raw fetch on the source, APPEND on the
    // destination). Source and destination on one server share its cap: take all four at once, or two
    // lanes each holding two could wait for each other for ever.
    // Servers may also cap connections per user: each side's user is counted on its own allowance.
    const { source, dest } = this.job;
    const shared = sameServer(source.server, dest.server);
    const users: Record<string, number> = { [source.auth.user]: 2 };
    if (shared) users[dest.auth.user] = (users[dest.auth.user] ?? 0) + 2;
    this.releases.push(await this.deps.slots.acquire(source.server, this.signal, shared ? 4 : 2, users));
    this.src = await this.job.source.connector.openSource(
      this.job.source.server,
      this.job.source.auth,
      this.signal,
    );
    return this.src;
  }

  async open(): Promise<{ src: MailSource; dst: MailDestination }> {
    const [src, dst] = await Promise.all([this.openSource(), this.openDest()]);
    return { src, dst };
  }

  /**
   * Start opening the destination without waiting for it (a first pass, where every folder is work: the
   * logins overlap the source's listing instead of following it). A failure surfaces at `open()`.
   */
  prefetchDest(): void {
    this.openDest().catch(() => undefined);
  }

  /**
   * Start opening both sides without waiting (a lane that will have a folder once the pass is planned),
   * with what reading and writing folders needs there. A failure surfaces at `open()`.
   */
  prefetch(): void {
    this.openSource()
      .then((src) => src.warmUp?.())
      .catch(() => undefined);
    this.openDest()
      .then((dst) => dst.warmUp?.())
      .catch(() => undefined);
  }

  /** The destination side; concurrent callers share one opening (and its failure) until `close()`. */
  private openDest(): Promise<MailDestination> {
    this.dstOpening ??= (async () => {
      // Same server: its slots were taken with the source's (see openSource).
      if (!sameServer(this.job.source.server, this.job.dest.server))
        this.releases.push(
          await this.deps.slots.acquire(this.job.dest.server, this.signal, 2, {
            [this.job.dest.auth.user]: 2,
          }),
        );
      else await this.openSource();
      this.dst = await this.job.dest.connector.openDestination(
        this.job.dest.server,
        this.job.dest.auth,
        this.signal,
      );
      return this.dst;
    })();
    return this.dstOpening;
  }

  async close(): Promise<void> {
    // An opening still waiting for slots (a lane opened ahead, its slots held by a lane that is busy) is
    // stopped, not waited for: that wait could be for this mailbox's own lanes. One that got further is
    // waited for, so its connection is closed and its slots freed.
    const [src, dst] = [this.srcOpening, this.dstOpening];
    if (src || dst) {
      this.opening.abort(new AbortError('lane closed'));
      this.opening = new AbortController();
      this.signal = this.openingSignal();
    }
    await Promise.allSettled([src, dst]);
    this.srcOpening = this.dstOpening = undefined;
    await Promise.allSettled([this.src?.close(), this.dst?.close()]);
    this.src = this.dst = undefined;
    for (const r of this.releases.splice(0)) r();
  }
}

/** Run one pass; returns its counters. Throws only for mailbox-fatal errors (login refused, quota, abort). */
export async function syncMailbox(
  job: MailboxJob,
  deps: EngineDeps,
  signal?: AbortSignal,
): Promise<PassCounters> {
  const counters: PassCounters = {
    copied: 0,
    present: 0,
    skipped: 0,
    failed: 0,
    flagsSynced: 0,
    bytes: 0,
    throttledMs: 0,
  };
  const passId = await deps.mailboxes.startPass(job.mailboxId, job.dryRun);
  await deps.mailboxes.setStatus(job.mailboxId, 'running');
  const first = new Lane(job, deps, signal);
  const types = job.options.itemTypes;
  try {
    const folderErrors = types.includes('mail')
      ? await syncFolders(job, deps, first, passId, counters, signal)
      : 0;
    const filters = types.includes('filters')
      ? await syncFilters(
          job,
          { ledger: deps.ledger, items: deps.items, progress: deps.progress },
          passId,
          signal,
        )
      : undefined;
    const groupwareTypes = types.filter(isGroupware);
    const groupware = groupwareTypes.length
      ? await syncGroupware(
          {
            mailboxId: job.mailboxId,
            source: job.source,
            dest: job.dest,
            types: groupwareTypes,
            replaceAddress: (a) => replaceAddress(a, job.addressReplacements ?? []),
            dryRun: job.dryRun,
          },
          { items: deps.items, progress: deps.progress },
          passId,
          signal,
        )
      : undefined;
    await deps.mailboxes.finishPass(passId, 'done', counters);
    const errors = [
      ...(folderErrors ? [`${folderErrors} folder(s) failed`] : []),
      ...(filters?.failed ? [`${filters.failed} filter item(s) failed`] : []),
      ...(groupware?.failed ? [`${groupware.failed} contact/calendar/task item(s) failed`] : []),
    ];
    await deps.mailboxes.setStatus(
      job.mailboxId,
      counters.failed || errors.length ? 'done-with-errors' : 'done',
      errors.length ? `${errors.join('; ')}; see the report.` : null,
    );
    if (types.includes('mail') && !job.dryRun) {
      const folders = await deps.ledger.listFolders(job.mailboxId);
      await deps.mailboxes.setSize(
        job.mailboxId,
        folders.reduce((s, f) => s + f.messages, 0),
        await deps.ledger.totalBytes(job.mailboxId),
      );
    }
    deps.progress.finished(job.mailboxId, 'done');
    return counters;
  } catch (err) {
    if (err instanceof ThrottledSlice && !signal?.aborted) {
      // Not the mailbox's end: the pass goes on in a later slice, the mailbox stays running meanwhile.
      err.counters = { ...counters };
      await deps.mailboxes.finishPass(passId, 'stopped', counters, err.describe());
      deps.progress.note(job.mailboxId, 'warn', err.message);
      throw err;
    }
    const e = signal?.aborted ? new AbortError('Stopped by the user; rerun to resume.') : asCutoverError(err);
    await deps.mailboxes.finishPass(
      passId,
      e instanceof AbortError ? 'stopped' : 'failed',
      counters,
      e.describe(),
    );
    await deps.mailboxes.setStatus(
      job.mailboxId,
      e instanceof AbortError ? 'stopped' : 'failed',
      e.describe(),
    );
    deps.progress.finished(job.mailboxId, e instanceof AbortError ? 'stopped' : 'failed');
    throw e;
  } finally {
    await first.close();
  }
}

/** The mail of the pass: plan the folders, then sync several at once; returns how many folders failed. */
async function syncFolders(
  job: MailboxJob,
  deps: EngineDeps,
  first: Lane,
  passId: number,
  counters: PassCounters,
  signal?: AbortSignal,
): Promise<number> {
  // Lanes beyond the first, opened while the pass is planned when every folder is work (a first pass).
  const spare = new SpareLanes(job, deps, signal);
  try {
    const {
      settled,
      total,
      work,
      native,
      lanes: wanted,
    } = await planWithRetries(job, deps, first, spare, passId, counters, signal);
    deps.progress.planned(job.mailboxId, job.label, total);
    deps.progress.advanced(job.mailboxId, settled, 0);
    // INBOX first: it is what people look at on Monday. Then the biggest folders first, so that no lane
    // is left with a big one while the others have run out of work.
    const isInbox = (w: FolderWork) =>
      w.folder.path[0]?.toUpperCase() === 'INBOX' && w.folder.path.length === 1;
    work.sort((a, b) => Number(isInbox(b)) - Number(isInbox(a)) || b.state.messages - a.state.messages);

    let fatal: unknown;
    let folderErrors = 0;
    // Folders merged into one destination folder never run at the same time: each must see the other's
    // writes settled in the ledger before it matches fingerprints there.
    const busy = new Set<string>();
    const waiting: Array<() => void> = [];
    const next = async (lane: Lane): Promise<FolderWork | undefined> => {
      for (;;) {
        const i = work.findIndex((x) => !busy.has(folderKeyOf(x.destPath)));
        if (i >= 0) return work.splice(i, 1)[0];
        if (work.length === 0) return undefined;
        // Waiting: give the connection slots back meanwhile, the lane that runs may need them.
        await lane.close();
        await new Promise<void>((r) => waiting.push(r));
      }
    };
    const worker = async (lane: Lane) => {
      try {
        for (let w = await next(lane); w && !fatal; w = await next(lane)) {
          const dest = folderKeyOf(w.destPath);
          busy.add(dest);
          try {
            if (!(await syncWithRetries(job, deps, lane, w, passId, counters, native, signal)))
              folderErrors++;
          } catch (err) {
            fatal ??= err;
          } finally {
            busy.delete(dest);
            for (const r of waiting.splice(0)) r();
          }
        }
      } finally {
        // Give the slots back as soon as this worker runs out of work: another lane may be waiting for them.
        await lane.close();
      }
    };
    const lanes = [first, ...spare.take(Math.max(0, Math.min(wanted, work.length) - 1))];
    await spare.close(); // prefetched for folders the plan did not keep
    await Promise.all(lanes.map(worker));
    if (fatal) throw asCutoverError(fatal);
    return folderErrors;
  } finally {
    await spare.close();
  }
}

/**
 * A listing slower than this (ms) means long round trips — a WAN, not a LAN: more folders at once. High
 * enough that a busy machine's loopback (tens of ms) does not pass for one: every lane is more logins for
 * the servers, which is what a project of many small mailboxes waits for.
 */
const SLOW_LISTING_MS = 180;
/**
 * Folders at once per mailbox when round trips are long: each folder's sync is a chain of round trips
 * one after another, so more of them overlap the waits. 5 lanes are 10 connections per user per side,
 * Dovecot's default mail_max_userip_connections; connection slots still cap them per server and user.
 */
const SLOW_LINK_LANES = 5;

/**
 * How many folders to sync at once: the configured number, raised on a slow link. A mailbox configured for
 * one folder at a time keeps one.
 */
function lanesFor(job: MailboxJob, listingMs: number): number {
  const n = job.foldersInParallel;
  return n > 1 && listingMs >= SLOW_LISTING_MS ? Math.max(n, SLOW_LINK_LANES) : n;
}

/** Lanes opened ahead of the plan; handed to the folder workers, or closed if the plan has no use for them. */
class SpareLanes {
  private lanes: Lane[] = [];
  /** Counts closes: a prefetch asked for before one is dropped (its planning was given up). */
  private generation = 0;
  constructor(
    private readonly job: MailboxJob,
    private readonly deps: EngineDeps,
    private readonly signal?: AbortSignal,
  ) {}

  /** Have `n` lanes opening (the ones already there are kept). */
  prefetch(n: number): void {
    while (this.lanes.length < n) {
      const lane = new Lane(this.job, this.deps, this.signal);
      lane.prefetch();
      this.lanes.push(lane);
    }
  }

  /** Have `n` lanes opening once `ready` says so (true), unless the lanes were closed meanwhile. */
  prefetchWhen(ready: Promise<boolean>, n: number): void {
    const asked = this.generation;
    void ready.then((ok) => {
      if (ok && asked === this.generation) this.prefetch(n);
    });
  }

  /** `n` lanes for the workers: the prefetched ones first, then new ones. */
  take(n: number): Lane[] {
    const got = this.lanes.splice(0, n);
    while (got.length < n) got.push(new Lane(this.job, this.deps, this.signal));
    return got;
  }

  /** Close the lanes not taken. */
  async close(): Promise<void> {
    this.generation++;
    await Promise.all(this.lanes.splice(0).map((l) => l.close()));
  }
}

/** What a pass will do: folders settled as unchanged, and the rest, in the destination's terms. */
interface PassPlan {
  settled: number;
  total: number;
  work: FolderWork[];
  /** Items move in the systems' own format this pass (both sides passed their check, once per mailbox). */
  native: boolean;
  /** Folders to sync at once (lanesFor). */
  lanes: number;
}

/**
 * Plan the pass, waiting out throttling and retrying dropped connections like a folder's sync does: a 429
 * while listing folders must not fail the mailbox. Planning only writes idempotent rows, so it can restart.
 */
async function planWithRetries(
  job: MailboxJob,
  deps: EngineDeps,
  lane: Lane,
  spare: SpareLanes,
  passId: number,
  counters: PassCounters,
  signal?: AbortSignal,
): Promise<PassPlan> {
  const retry = new RetryBudget(
    job.mailboxId,
    'Listing folders',
    deps.progress,
    counters,
    deps.retry,
    deps.stalledSince,
  );
  for (;;) {
    throwIfAborted(signal);
    try {
      return await planPass(job, deps, lane, spare, passId, signal);
    } catch (raw) {
      if (signal?.aborted) throw new AbortError();
      const err = asCutoverError(raw);
      if (err instanceof RefusedError) await deps.slots.refused(err.server);
      const wait = retry.next(err);
      if (wait === undefined) throw err;
      // The lanes opened ahead first: given this lane's slots, they would hold what planning needs again.
      await spare.close();
      await lane.close();
      await sleep(waitOrEndSlice(deps, retry, err, wait), undefined, { signal });
    }
  }
}

async function planPass(
  job: MailboxJob,
  deps: EngineDeps,
  lane: Lane,
  spare: SpareLanes,
  passId: number,
  signal?: AbortSignal,
): Promise<PassPlan> {
  // A mailbox no pass has reached yet has only work ahead: log in to both sides at once.
  const firstPass = !job.dryRun && (await deps.ledger.listFolders(job.mailboxId)).length === 0;
  if (firstPass) lane.prefetchDest();
  // …and the destination lists its folders while the source does.
  const destListing = firstPass ? lane.open().then(({ dst }) => dst.listFolders(signal)) : undefined;
  destListing?.catch(() => undefined); // awaited below when there is work; not unhandled meanwhile
  // The configured lanes log in too, once this lane's logins on both sides went through: a refused
  // password is tried once, not once per lane (lockout policies count every attempt), and they never take
  // the slots planning needs. A slow link adds more once the listing has shown it.
  const loggedIn = firstPass
    ? lane.open().then(
        () => true,
        () => false,
      )
    : Promise.resolve(false);
  const prefetchSpare = (n: number) => spare.prefetchWhen(loggedIn, n);
  prefetchSpare(job.foldersInParallel - 1);
  const src = await lane.openSource();
  if (firstPass) src.warmUp?.();
  const listingStarted = performance.now();
  const sourceFolders = await src.listFolders(signal);
  const lanes = lanesFor(job, performance.now() - listingStarted);
  // Every folder is work on a first pass: the other lanes log in while this one plans, not after.
  prefetchSpare(Math.min(lanes, sourceFolders.filter((f) => f.selectable).length) - 1);
  // Settle folders unchanged since the last pass from STATUS and the ledger alone: an unchanged
  // mailbox needs no destination connection at all.
  const states = new Map<string, FolderState>();
  const candidates: FolderInfo[] = [];
  let total = 0;
  for (const folder of sourceFolders) {
    if (folder.selectable) {
      const state = await src.folderState(folder.path, signal);
      states.set(folder.path.join('\u0000'), state);
      if (
        !job.dryRun &&
        (await settleIfUnchanged(deps.ledger, job.mailboxId, folderKeyOf(folder.path), state, passId))
      ) {
        total += state.messages;
        continue;
      }
    }
    candidates.push(folder);
  }
  const settled = total;

  const work: FolderWork[] = [];
  let native = false;
  if (candidates.length) {
    const { dst } = await lane.open();
    if (!job.dryRun)
      native = await nativeAllowed(src, dst, (t) => deps.progress.note(job.mailboxId, 'warn', t), signal);
    const destFolders = await (destListing ?? dst.listFolders(signal));
    // Servers without SPECIAL-USE still have a Sent folder: recognised by name where nothing is flagged.
    const specialUse = specialFoldersOf(destFolders);
    const plan = planFolders(sourceFolders, job.options.folders, {
      delimiter: dst.capabilities.delimiter,
      specialUse,
      reservedNames: dst.capabilities.reservedNames,
      reservedTopNames: dst.capabilities.folderNaming?.reservedTopNames,
      noSubfolders: dst.capabilities.folderNaming?.noSubfolders,
    });
    for (const folder of candidates) {
      const d = plan.get(folder.path.join('\u0000'));
      if (!d) continue;
      if (d.action === 'exclude') {
        if (!job.dryRun)
          await deps.ledger.saveFolder(
            job.mailboxId,
            folderRow(folderKeyOf(folder.path), undefined, { excluded: d.reason, lastPassId: passId }),
          );
        deps.progress.note(job.mailboxId, 'info', `"${folder.path.join('/')}" excluded: ${d.reason}`);
        continue;
      }
      if (d.renamed)
        deps.progress.note(job.mailboxId, 'warn', `"${folder.path.join('/')}": ${d.renamed.reason}`);
      if (!folder.selectable) {
        const made = job.dryRun ? undefined : await dst.ensureFolder(d.destPath, signal);
        if (made?.renamed)
          deps.progress.note(job.mailboxId, 'warn', `"${folder.path.join('/')}": ${made.renamed}`);
        continue;
      }
      const state = states.get(folder.path.join('\u0000'))!;
      total += state.messages;
      work.push({ folder, state, destPath: d.destPath, renamed: d.renamed?.reason ?? null });
      if (!job.dryRun) await markPending(deps.ledger, job.mailboxId, work.at(-1)!, passId);
    }
  }
  return { settled, total, work, native, lanes };
}

/** A folder with work to do in this pass. */
interface FolderWork {
  folder: FolderInfo;
  /** Its state when the pass was planned. */
  state: FolderState;
  destPath: string[];
  renamed: string | null;
}

/**
 * Give a folder about to be worked on a row that says so: its source count, and no UIDNEXT (so it is never
 * taken for unchanged until a pass completes it). A pass stopped before reaching it leaves it pending in the
 * report instead of absent.
 */
async function markPending(ledger: LedgerRepo, mailboxId: number, w: FolderWork, passId: number) {
  const key = folderKeyOf(w.folder.path);
  const prev = await ledger.getFolder(mailboxId, key);
  await ledger.saveFolder(
    mailboxId,
    folderRow(key, prev, {
      destPath: folderKeyOf(w.destPath),
      renamed: w.renamed,
      uidNext: null,
      messages: w.state.messages,
      error: prev?.error ?? null,
      lastPassId: passId,
    }),
  );
}

/** Sync one folder, retrying what can be retried. False when the folder failed (recorded on its row). */
async function syncWithRetries(
  job: MailboxJob,
  deps: EngineDeps,
  lane: Lane,
  w: FolderWork,
  passId: number,
  counters: PassCounters,
  native: boolean,
  signal?: AbortSignal,
): Promise<boolean> {
  const name = w.folder.path.join('/');
  const suspects = new Suspects();
  const retry = new RetryBudget(
    job.mailboxId,
    `"${name}"`,
    deps.progress,
    counters,
    deps.retry,
    deps.stalledSince,
  );
  for (;;) {
    throwIfAborted(signal);
    try {
      const { src, dst } = await lane.open();
      await syncFolder(
        {
          mailboxId: job.mailboxId,
          passId,
          sourcePath: w.folder.path,
          destPath: w.destPath,
          renamed: w.renamed,
          options: job.options,
          dryRun: job.dryRun,
          ledger: deps.ledger,
          limiter: deps.limiter,
          progress: deps.progress,
          counters,
          native,
          signal,
        },
        src,
        dst,
      );
      return true;
    } catch (raw) {
      if (signal?.aborted) throw new AbortError();
      const err = asCutoverError(raw);
      if (err instanceof RefusedError) await deps.slots.refused(err.server);
      const broke = err instanceof TransientError && !job.dryRun ? err : undefined;
      const uid = broke?.suspectUid;
      const breaks = uid === undefined ? 0 : suspects.culprit(uid, broke?.suspectAt);
      if (
        uid !== undefined &&
        breaks > 0 &&
        (await failUnreadable(deps, job.mailboxId, w.folder.path, uid, passId, err, breaks, counters))
      ) {
        // The same source message keeps breaking the read: fail it alone, go on with the rest of the folder.
        deps.progress.note(job.mailboxId, 'error', `"${name}" UID ${uid}: ${unreadableReason(err, breaks)}`);
        await lane.close();
        retry.restart(); // progress was made: the folder's retry budget starts again
        continue;
      }
      const wait = retry.next(err);
      if (wait === undefined) {
        // The connections may be unusable now (a BYE, a cut): the next folder starts on fresh ones.
        await lane.close();
        if (isMailboxFatal(err)) throw err;
        deps.progress.note(job.mailboxId, 'error', `"${name}" failed: ${err.describe()}`);
        if (!job.dryRun) {
          const prev = await deps.ledger.getFolder(job.mailboxId, folderKeyOf(w.folder.path));
          await deps.ledger.saveFolder(
            job.mailboxId,
            folderRow(folderKeyOf(w.folder.path), prev, {
              destPath: folderKeyOf(w.destPath),
              renamed: w.renamed,
              uidValidity: prev?.uidValidity ?? w.state.uidValidity,
              uidNext: null,
              error: err.describe(),
              lastPassId: passId,
            }),
          );
        }
        return false;
      }
      await lane.close();
      await sleep(waitOrEndSlice(deps, retry, err, wait), undefined, { signal });
    }
  }
}

/**
 * Breaks of the source read blamed on a message. A message is failed alone when it broke the read twice at
 * the same point (a message the server cannot read breaks where it always does), or six times in all: a
 * link that cannot carry it, or breaks that came just before it — random faults produce those too, so it
 * takes more of them.
 */
class Suspects {
  private readonly seen = new Map<number, string[]>();

  /** Record a break blamed on `uid`; when that makes it the culprit, how many breaks it caused (else 0). */
  culprit(uid: number, at: number | 'before' | undefined): number {
    const points = this.seen.get(uid) ?? [];
    const point = at === undefined ? 'somewhere' : String(at);
    const again = at !== 'before' && points.includes(point);
    points.push(point);
    this.seen.set(uid, points);
    return again || points.length >= 6 ? points.length : 0;
  }
}

const unreadableReason = (err: CutoverError, breaks: number) =>
  `reading it from the source failed ${breaks === 2 ? 'twice' : `${breaks} times`} (${err.message}); the rest of the folder went on. Check the source server's log for this message; the next pass tries it again.`;

/** Record a source message that cannot be read as failed in this pass. */
async function failUnreadable(
  deps: EngineDeps,
  mailboxId: number,
  path: string[],
  uid: number,
  passId: number,
  err: CutoverError,
  breaks: number,
  counters: PassCounters,
): Promise<boolean> {
  const key = folderKeyOf(path);
  const folder = await deps.ledger.getFolder(mailboxId, key);
  if (!folder?.uidValidity) return false;
  const prev = (await deps.ledger.rows(mailboxId, key, folder.uidValidity, [uid])).get(uid);
  await deps.ledger.put(mailboxId, [
    {
      folderKey: key,
      uidValidity: folder.uidValidity,
      uid,
      fingerprint: prev?.fingerprint ?? '',
      size: prev?.size ?? 0,
      flags: prev?.flags ?? '',
      destUid: null,
      status: 'failed',
      reason: unreadableReason(err, breaks),
      passId,
    },
  ]);
  counters.failed++;
  deps.progress.advanced(mailboxId, 1, 0);
  return true;
}

/** Errors that stop the whole mailbox: no point trying other folders. */
function isMailboxFatal(err: CutoverError): boolean {
  return [
    ErrorCode.AuthFailed,
    ErrorCode.QuotaExceeded,
    ErrorCode.DnsNotFound,
    ErrorCode.ConnectionRefused,
    ErrorCode.TlsFailed,
  ].includes(err.code as never);
}
