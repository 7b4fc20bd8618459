/**
 * The report as CSV: one row per folder, cells safe against formula injection (CLI and API alike); each row
 * carries its mailbox's verdict and when the destination was last read back.
 */
import { csvCell } from '../exports/table.js';
import type { MailboxReport } from './report-types.js';
import { LEDGER_ONLY } from './format.js';

/** The header line, CRLF-terminated. */
export const REPORT_CSV_HEADER =
  [
    'mailbox',
    'destination',
    'folder',
    'dest_folder',
    'source_items',
    'copied',
    'already_present',
    'skipped',
    'failed',
    'pending',
    'renamed',
    'excluded',
    'error',
    'reconcile',
    'verified_at',
  ].join(',') + '\r\n';

/** The mailbox's verdict in a cell: reconciles (read back), ledger only (not verified), or does not reconcile. */
const reconcileCell = (r: MailboxReport) =>
  r.reconcile === 'reconciles'
    ? 'reconciles'
    : r.reconcile === 'ledger-only'
      ? LEDGER_ONLY
      : 'does not reconcile';

/** One mailbox's folder rows, each CRLF-terminated. */
export function reportCsvRows(r: MailboxReport): string {
  return r.folders
    .map(
      (f) =>
        [
          r.mailbox,
          r.destination,
          f.source,
          f.destination,
          f.sourceItems,
          f.copied,
          f.present,
          f.skipped,
          f.failed,
          f.pending,
          f.renamed,
          f.excluded,
          f.error,
          reconcileCell(r),
          r.verification?.finishedAt ?? null,
        ]
          .map(csvCell)
          .join(',') + '\r\n',
    )
    .join('');
}

/** Every mailbox's rows under one header. */
export function reportCsv(reports: MailboxReport[]): string {
  return REPORT_CSV_HEADER + reports.map(reportCsvRows).join('');
}
