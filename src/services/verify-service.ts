/**
 * `cutover verify` and the API's "Verify now": read each mailbox's destination back and compare it with
 * the source and the ledger (engine/mailbox-verify.ts), within the project's parallelism, connection caps
 * and rates, and record the outcome. The report says "reconciles" only from such a record.
 */
import type { ProjectConfig } from '../config/types.js';
import { verifyMailbox, type VerifyJob } from '../engine/mailbox-verify.js';
import type { ProgressSink } from '../engine/progress.js';
import { asCutoverError, ErrorCode } from '../errors.js';
import { ConnectionSlots, RateLimiter } from '../runner/limits.js';
import { runPool } from '../runner/local.js';
import type { Store } from '../store/db.js';
import { LedgerRepo } from '../store/ledger-repo.js';
import { ItemLedgerRepo } from '../store/item-ledger-repo.js';
import { verifyFilters } from '../engine/filters-verify.js';
import { verifyGroupware } from '../engine/groupware-verify.js';
import { isGroupware } from '../engine/groupware-sync.js';
import { MailboxRepo } from '../store/mailbox-repo.js';
import {
  VerificationRepo,
  type FolderFindings,
  type Verification,
  type VerifyMode,
  type VerifyResult,
} from '../store/verification-repo.js';
import { loadStoredAuths } from './credential-auth.js';
import { endpointsFor, labelOf, registerMailboxes } from './migration-service.js';

/** What to verify and how. */
export interface VerifyOptions {
  /** Only these mailboxes (source logins). */
  only?: string[];
  /** Compare content too (a hash of each message on both sides). */
  deep?: boolean;
  progress: ProgressSink;
  signal?: AbortSignal;
}

/** One mailbox's verification as recorded. */
export interface VerifyOutcome {
  mailbox: string;
  destination: string;
  verification: Verification;
}

const NOTHING_YET = 'No pass has written anything for this mailbox yet: run `cutover migrate` first.';

/** Verify the project's mailboxes (or those named); every outcome is recorded, none throws. */
export async function runVerification(
  store: Store,
  project: ProjectConfig,
  opts: VerifyOptions,
): Promise<VerifyOutcome[]> {
  const ledger = new LedgerRepo(store.db);
  const items = new ItemLedgerRepo(store.db);
  const repo = new VerificationRepo(store.db);
  const entries = await registerMailboxes(new MailboxRepo(store.db), project, opts.only);
  const stored = await loadStoredAuths(
    store,
    entries.map((e) => e.id),
  );
  const deps = {
    ledger,
    slots: new ConnectionSlots(),
    limiter: new RateLimiter(project.limits),
    progress: opts.progress,
  };
  const mode: VerifyMode = opts.deep ? 'deep' : 'normal';
  const tasks = entries.map(({ id, spec }) => async (): Promise<VerifyOutcome> => {
    const startedAt = new Date().toISOString();
    let folders: FolderFindings[] = [];
    let error: string | null = null;
    try {
      const types = spec.options.itemTypes;
      const mail = types.includes('mail');
      const ends = endpointsFor(project, spec, id, stored);
      const filters = types.includes('filters')
        ? await verifyFilters(id, ends.dest, items, opts.signal)
        : undefined;
      const groupwareTypes = types.filter(isGroupware);
      const groupware = groupwareTypes.length
        ? await verifyGroupware(id, groupwareTypes, ends.dest, items, opts.signal)
        : [];
      if (mail && (await ledger.listFolders(id)).every((f) => !f.uidValidity)) error = NOTHING_YET;
      else if (!mail && !filters && !groupware.length) error = NOTHING_YET;
      else if (mail) {
        const job: VerifyJob = {
          mailboxId: id,
          label: labelOf(spec),
          ...ends,
          foldersInParallel: project.concurrency.foldersPerMailbox,
          deep: opts.deep ?? false,
        };
        folders = await verifyMailbox(job, deps, opts.signal);
      }
      if (filters) folders = [...folders, filters];
      folders = [...folders, ...groupware];
    } catch (err) {
      const e = asCutoverError(err);
      error = e.describe();
      if (e.code === ErrorCode.AuthFailed)
        await stored
          .rejected(id, { source: project.source, destination: project.destination })
          .catch(() => []);
    }
    opts.progress.finished(id, error ? 'failed' : 'done');
    await repo.record({
      mailboxId: id,
      startedAt,
      finishedAt: new Date().toISOString(),
      mode,
      result: verificationResult(folders, error),
      error,
      folders,
    });
    // Read back as stored (lists capped), so every caller shows the same thing.
    const verification = await repo.last(id);
    if (!verification) throw new Error(`verification of mailbox ${id} was not recorded`);
    return { mailbox: spec.sourceUser, destination: spec.destUser, verification };
  });
  const settled = await runPool(tasks, project.concurrency.mailboxes, opts.signal).finally(() =>
    stored.close(),
  );
  return settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
}

/** matches only when every folder was read back and nothing differs; failed when nothing could be. */
export function verificationResult(folders: FolderFindings[], error: string | null): VerifyResult {
  if (error) return 'failed';
  const differs = folders.some(
    (f) => f.error || f.missing.length || f.flagsDiffer.length || f.extra.length || f.altered.length,
  );
  return differs ? 'differs' : 'matches';
}
