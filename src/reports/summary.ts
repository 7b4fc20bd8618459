/** The project-level figures both report renderers print before the mailboxes, computed in one pass. */
import type { MailboxReport } from './report-types.js';
import { LEDGER_ONLY } from './format.js';

/** Problem rows shown per mailbox; the rest is summed up as "… N more". */
export const PROBLEM_CAP = 200;
/** Mailboxes named in the summary's "does not reconcile" list; the rest is summed up as "… N more". */
export const UNRECONCILED_CAP = 50;

/** Metadata every rendering gets next to the reports. */
export interface ReportMeta {
  project: string;
  generatedAt: Date;
}

/** Totals across mailboxes. */
export interface ProjectSummary {
  mailboxes: number;
  reconciling: number;
  /** Mailboxes the ledger accounts for that were not read back since their last pass ("ledger only"). */
  unverified: number;
  /** Mailboxes that do not reconcile (differences found, or not accounted for), in report order (at most UNRECONCILED_CAP names). */
  unreconciled: string[];
  /** Mailbox count per status, e.g. { done: 12, failed: 1 }. */
  statuses: Map<string, number>;
  sourceItems: number;
  copied: number;
  present: number;
  skipped: number;
  failed: number;
  pending: number;
  /** Of the copied: items the servers forced to differ from the source. */
  altered: number;
  bytesCopied: number;
  folders: number;
  foldersRenamed: number;
  foldersExcluded: number;
  foldersFailed: number;
  /** Real passes (dry runs are plans, not migration, and are left out of the time figures). */
  passes: number;
  /** Earliest pass start and latest pass end (ISO strings as stored), null without passes. */
  firstStart: string | null;
  lastEnd: string | null;
  /** Passes that have not finished (running, or killed before they could record an end). */
  unfinishedPasses: number;
  throttledMs: number;
}

/** Sum up the reports. */
export function summarize(reports: readonly MailboxReport[]): ProjectSummary {
  const s: ProjectSummary = {
    mailboxes: reports.length,
    reconciling: 0,
    unverified: 0,
    unreconciled: [],
    statuses: new Map(),
    sourceItems: 0,
    copied: 0,
    present: 0,
    skipped: 0,
    failed: 0,
    pending: 0,
    altered: 0,
    bytesCopied: 0,
    folders: 0,
    foldersRenamed: 0,
    foldersExcluded: 0,
    foldersFailed: 0,
    passes: 0,
    firstStart: null,
    lastEnd: null,
    unfinishedPasses: 0,
    throttledMs: 0,
  };
  // Timestamps compare as instants, not strings: the store's ISO strings could differ in precision.
  let first = Infinity;
  let last = -Infinity;
  for (const r of reports) {
    if (r.reconcile === 'reconciles') s.reconciling++;
    else if (r.reconcile === 'ledger-only') s.unverified++;
    else if (s.unreconciled.length < UNRECONCILED_CAP) s.unreconciled.push(r.mailbox);
    s.statuses.set(r.status, (s.statuses.get(r.status) ?? 0) + 1);
    const t = r.totals;
    s.sourceItems += t.sourceItems;
    s.copied += t.copied;
    s.present += t.present;
    s.skipped += t.skipped;
    s.failed += t.failed;
    s.pending += t.pending;
    s.altered += t.altered;
    s.bytesCopied += t.bytesCopied;
    for (const f of r.folders) {
      s.folders++;
      if (f.renamed) s.foldersRenamed++;
      if (f.excluded) s.foldersExcluded++;
      if (f.error) s.foldersFailed++;
    }
    for (const p of r.passes) {
      if (p.dryRun) continue;
      s.passes++;
      s.throttledMs += p.throttledMs;
      const start = Date.parse(p.startedAt);
      if (start < first) [first, s.firstStart] = [start, p.startedAt];
      if (p.finishedAt === null) s.unfinishedPasses++;
      const end = p.finishedAt === null ? NaN : Date.parse(p.finishedAt);
      if (end > last) [last, s.lastEnd] = [end, p.finishedAt];
    }
  }
  return s;
}

/** Mailboxes that do not reconcile (neither reconciled nor merely unverified). */
export const unreconciledCount = (s: ProjectSummary): number => s.mailboxes - s.reconciling - s.unverified;

/** The project's "ledger only" line, when some mailboxes were not read back. */
export const unverifiedLine = (s: ProjectSummary, n: (x: number) => string): string =>
  `– ${LEDGER_ONLY}: ${n(s.unverified)} of ${n(s.mailboxes)} mailbox(es) are accounted for by the ledger but were not read back since their last pass; run \`cutover verify\``;

/** The project's line when every mailbox reconciles. */
export const allReconcileLine = (s: ProjectSummary, n: (x: number) => string): string =>
  `✓ ${s.mailboxes === 1 ? 'The mailbox reconciles' : `All ${n(s.mailboxes)} mailboxes reconcile`}: every source item is accounted for and was read back from the destination`;
