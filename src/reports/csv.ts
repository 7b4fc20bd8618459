/** The report as CSV: one row per folder, cells safe against formula injection (CLI and API alike). */
import { csvCell } from '../exports/table.js';
import type { MailboxReport } from '../services/report-service.js';

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
  ].join(',') + '\r\n';

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
