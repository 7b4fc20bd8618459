/**
 * The report that proves a migration: per mailbox and folder, items at the source and where each one
 * ended (copied, already present, skipped with a reason, failed with the error), and whether it reconciles.
 *
 * "Reconciles" is never the ledger's word alone: the ledger must account for every source item AND the
 * last verification (the destination read back, `cutover verify`) must have found nothing different, and
 * be newer than the last pass that wrote anything. Otherwise the report says "ledger only, not verified".
 */
import type { Store } from '../store/db.js';
import { LedgerRepo } from '../store/ledger-repo.js';
import { ItemLedgerRepo } from '../store/item-ledger-repo.js';
import { MailboxRepo, type MailboxRow } from '../store/mailbox-repo.js';
import { VerificationRepo, type VerificationSummary } from '../store/verification-repo.js';
import type { FolderReport, MailboxReport } from '../reports/report-types.js';
import { reconcileState } from './reconcile.js';

export type { FolderReport, MailboxReport } from '../reports/report-types.js';

const show = (key: string | null) => (key ? (JSON.parse(key) as string[]).join('/') : null);

/** Build the report of every mailbox (or those named). */
export async function buildReport(store: Store, only?: string[]): Promise<MailboxReport[]> {
  const out: MailboxReport[] = [];
  const rows = (await new MailboxRepo(store.db).list()).filter(
    (m) => !only?.length || only.includes(m.sourceUser),
  );
  const last = await new VerificationRepo(store.db).lastOf(rows.map((m) => m.id));
  for (const m of rows) out.push(await mailboxReport(store, m, last.get(m.id) ?? null));
  return out;
}

/** The report of one mailbox (its last verification is looked up unless given). */
export async function mailboxReport(
  store: Store,
  m: MailboxRow,
  verification?: VerificationSummary | null,
): Promise<MailboxReport> {
  const mailboxes = new MailboxRepo(store.db);
  const ledger = new LedgerRepo(store.db);
  const counts = new Map((await ledger.folderCounts(m.id)).map((c) => [c.folderKey, c]));
  const folders: FolderReport[] = [];
  let bytesCopied = 0;
  let missing = 0;
  for (const f of await ledger.listFolders(m.id)) {
    const c = counts.get(f.folderKey);
    bytesCopied += c?.bytesCopied ?? 0;
    missing += c?.counts.missing ?? 0;
    const n = (k: 'copied' | 'present' | 'skipped' | 'failed' | 'intent') => c?.counts[k] ?? 0;
    const accounted = n('copied') + n('present') + n('skipped') + n('failed');
    folders.push({
      source: show(f.folderKey)!,
      destination: show(f.destPath),
      sourceItems: f.messages,
      copied: n('copied'),
      present: n('present'),
      skipped: n('skipped'),
      failed: n('failed'),
      pending: Math.max(0, f.messages - accounted),
      altered: c?.altered ?? 0,
      renamed: f.renamed,
      excluded: f.excluded,
      error: f.error,
    });
  }
  const sum = (k: keyof FolderReport) => folders.reduce((s, f) => s + (f[k] as number), 0);
  const totals = {
    sourceItems: sum('sourceItems'),
    copied: sum('copied'),
    present: sum('present'),
    skipped: sum('skipped'),
    failed: sum('failed'),
    pending: sum('pending'),
    altered: sum('altered'),
    bytesCopied,
  };
  const off = folders.filter(
    (f) =>
      f.pending > 0 ||
      f.error !== null ||
      f.sourceItems !== f.copied + f.present + f.skipped + f.failed + f.pending,
  );
  const failedFolders = folders.filter((f) => f.error !== null);
  const problems = (await ledger.problems(m.id)).map((p) => ({
    folder: show(p.folderKey)!,
    uid: p.uid,
    status: p.status === 'intent' ? 'pending' : p.status === 'copied' ? 'altered' : p.status,
    reason: p.reason,
  }));
  const passes = await mailboxes.passes(m.id);
  const rows = await new ItemLedgerRepo(store.db).list(m.id);
  const itemTotals = { copied: 0, present: 0, skipped: 0, failed: 0 };
  const itemsByType: MailboxReport['itemsByType'] = {};
  for (const e of rows) {
    itemTotals[e.status]++;
    (itemsByType[e.itemType] ??= { copied: 0, present: 0, skipped: 0, failed: 0 })[e.status]++;
  }
  // Filters and collections one by one; contacts, events and tasks (thousands) only when not copied, or
  // copied with a note (what was changed in them).
  const items = rows
    .filter(
      (e) =>
        e.itemType === 'filters' ||
        e.collection === '' ||
        e.status === 'skipped' ||
        e.status === 'failed' ||
        e.reason,
    )
    .map((e) => ({
      itemType: e.itemType,
      kind: e.kind,
      name: e.key,
      status: e.status,
      reason: e.reason,
      original: e.original,
    }));
  const v =
    verification === undefined
      ? ((await new VerificationRepo(store.db).lastOf([m.id])).get(m.id) ?? null)
      : verification;
  // A mailbox whose pass failed before it reached its folders (no login, no such mailbox), or that no pass has
  // reached yet, has nothing in the ledger: that is not "every item accounted for".
  const failedPass = m.status === 'failed';
  const notYet = folders.length === 0 && !passes.some((p) => p.status === 'done');
  const accounted = off.length === 0 && !failedPass && !notYet;
  const state = reconcileState(
    accounted,
    v,
    passes,
    accounted
      ? undefined
      : failedPass || notYet
        ? unreached(m, failedPass)
        : discrepancy(off, failedFolders, totals.pending, missing),
  );
  return {
    mailbox: m.sourceUser,
    destination: m.destUser,
    status: m.status,
    lastError: m.lastError,
    folders,
    totals,
    accounted,
    verification: v && { ...v, current: state.current },
    reconcile: state.state,
    reconciles: state.state === 'reconciles',
    discrepancy: state.discrepancy,
    passes,
    problems,
    items,
    itemTotals,
    itemsByType,
  };
}

/** Why a mailbox has nothing to account for yet: its last pass failed, or none has run. */
function unreached(m: MailboxRow, failed: boolean): string {
  if (!failed) return 'no pass has copied this mailbox yet; start the migration.';
  const why = (m.lastError ?? 'no reason recorded').split('\n')[0]!.replace(/\.$/, '');
  return `the last pass failed before every item was accounted for (${why}); fix that, then run the mailbox again.`;
}

/** What does not add up, in words, and what to do. */
function discrepancy(off: FolderReport[], failed: FolderReport[], pending: number, missing: number): string {
  const parts: string[] = [];
  if (failed.length)
    parts.push(
      `${failed.length} folder(s) failed (${failed.map((f) => `${f.source}: ${f.error}`).join('; ')})`,
    );
  const unfinished = off.filter((f) => f.error === null);
  // Items a verification found missing are pending too, but for another reason than an unfinished pass.
  const open = pending - missing;
  if (open > 0 || (unfinished.length && missing === 0))
    parts.push(
      `${open} item(s) in ${off.length} folder(s) not yet accounted for (${off.map((f) => f.source).join(', ')}): the last pass did not finish them`,
    );
  if (missing > 0)
    parts.push(`${missing} item(s) a verification found missing at the destination, to be copied again`);
  return `${parts.join('; ')}; fix what the error says, then rerun \`cutover migrate\`.`;
}
