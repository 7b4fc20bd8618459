/**
 * Scans as tables (CSV, XLSX, JSON exports): one row per mailbox, one per folder, one per item type other
 * than mail, one per change.
 */
import type { Table } from '../exports/table.js';
import type { ScanDiffRow, ScanView } from './scan-service.js';

export function mailboxTable(v: ScanView): Table {
  return {
    name: 'Mailboxes',
    columns: [
      'mailbox',
      'destination',
      'status',
      'folders',
      'messages',
      'bytes',
      'max_depth',
      'oldest',
      'newest',
      'oversize',
      'no_message_id',
      'duplicate_message_ids',
      'folder_name_problems',
      'dest_quota_used',
      'dest_quota_limit',
      'dest_quota_headroom_after',
      'dest_size_limit',
      'error',
      'destination_check',
    ],
    rows: v.mailboxes.map((m) => [
      m.mailbox,
      m.destination,
      m.status,
      m.folders,
      m.messages,
      m.bytes,
      m.maxDepth,
      m.oldest,
      m.newest,
      m.oversize,
      m.noMessageId,
      m.duplicateIds,
      m.nameProblems,
      m.quotaUsed,
      m.quotaLimit,
      m.quotaHeadroom,
      m.appendLimit,
      m.error,
      m.destError,
    ]),
  };
}

export function folderTable(v: ScanView): Table {
  return {
    name: 'Folders',
    columns: [
      'mailbox',
      'folder',
      'dest_folder',
      'depth',
      'messages',
      'bytes',
      'oldest',
      'newest',
      'oversize',
      'no_message_id',
      'duplicate_message_ids',
      'name_problem',
      'excluded',
    ],
    rows: v.mailboxes.flatMap((m) =>
      m.folderRows.map((f) => [
        m.mailbox,
        f.folder,
        f.destination,
        f.depth,
        f.messages,
        f.bytes,
        f.oldest,
        f.newest,
        f.oversize,
        f.noMessageId,
        f.duplicateIds,
        f.nameProblem,
        f.excluded,
      ]),
    ),
  };
}

export function itemTable(v: ScanView): Table {
  return {
    name: 'Item types',
    columns: ['mailbox', 'item_type', 'collections', 'items', 'shared_not_moved', 'problem'],
    rows: v.mailboxes.flatMap((m) =>
      m.itemCounts.map((i) => [m.mailbox, i.type, i.collections, i.items, i.shared, i.problem]),
    ),
  };
}

export function diffTable(rows: ScanDiffRow[]): Table {
  return {
    name: 'Changes',
    columns: [
      'mailbox',
      'messages_before',
      'messages_after',
      'messages_change',
      'bytes_before',
      'bytes_after',
      'bytes_change',
      'folders_added',
      'folders_removed',
    ],
    rows: rows.map((r) => [
      r.mailbox,
      r.before?.messages ?? null,
      r.after?.messages ?? null,
      r.messages,
      r.before?.bytes ?? null,
      r.after?.bytes ?? null,
      r.bytes,
      r.foldersAdded.join('; '),
      r.foldersRemoved.join('; '),
    ]),
  };
}
