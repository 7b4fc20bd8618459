/**
 * Verifying a mailbox in engine tests (no project file): read the destination back with the engine's
 * verification and record it as `cutover verify` does, so the report's "reconciles" comes from a read-back.
 */
import type { Endpoint } from '../../src/engine/mailbox-sync.js';
import { verifyMailbox } from '../../src/engine/mailbox-verify.js';
import { silentProgress } from '../../src/engine/progress.js';
import { ConnectionSlots, RateLimiter } from '../../src/runner/limits.js';
import { verificationResult } from '../../src/services/verify-service.js';
import type { Store } from '../../src/store/db.js';
import { LedgerRepo } from '../../src/store/ledger-repo.js';
import { VerificationRepo, type Verification } from '../../src/store/verification-repo.js';

/** Verify mailbox `mailboxId` between `source` and `dest`; the recorded verification. */
export async function verifyRecorded(
  store: Store,
  mailboxId: number,
  source: Endpoint,
  dest: Endpoint,
  deep = false,
): Promise<Verification> {
  const startedAt = new Date().toISOString();
  const folders = await verifyMailbox(
    { mailboxId, label: 'test', source, dest, foldersInParallel: 2, deep },
    {
      ledger: new LedgerRepo(store.db),
      slots: new ConnectionSlots(),
      limiter: new RateLimiter({}),
      progress: silentProgress,
    },
  );
  const repo = new VerificationRepo(store.db);
  await repo.record({
    mailboxId,
    startedAt,
    finishedAt: new Date().toISOString(),
    mode: deep ? 'deep' : 'normal',
    result: verificationResult(folders, null),
    error: null,
    folders,
  });
  return (await repo.last(mailboxId))!;
}
