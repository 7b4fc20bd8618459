/**
 * The environment scan of one mailbox: read-only, metadata only (no body is fetched). Per folder: items,
 * bytes, depth, oldest and newest item, items over the size limit, items without a Message-ID, duplicate
 * Message-IDs, and whether the destination can take the folder's name; per mailbox: the destination's
 * quota headroom and size limit where it reports them. The mail is scanned when the mailbox moves mail; the
 * other item types it moves (contacts, calendars, tasks, filters) are counted by item-scan.ts.
 */
import type { MailboxOptions } from '../config/types.js';
import type { ConnectionReport, FolderInfo } from '../connectors/contract.js';
import { asCutoverError, throwIfAborted } from '../errors.js';
import type { Slots } from '../runner/slots.js';
import type { ScanFolderRow, ScanItemRow, ScanMailboxRow } from '../store/scan-repo.js';
import { planFolders } from './folder-map.js';
import { folderKeyOf } from './folder-sync.js';
import { scanItems } from './item-scan.js';
import type { Endpoint } from './mailbox-sync.js';
import type { ProgressSink } from './progress.js';

export interface ScanJob {
  mailboxId: number;
  label: string;
  source: Endpoint;
  /** Absent when only the source is scanned (no destination named, or no credentials for it). */
  dest?: Endpoint;
  options: MailboxOptions;
}

export interface MailboxScan {
  mailbox: ScanMailboxRow;
  folders: ScanFolderRow[];
  /** Counts of the item types other than mail the mailbox moves (none when it moves only mail). */
  items: ScanItemRow[];
}

const day = (d: Date) => d.toISOString();

/** Scan one mailbox. Errors reaching the source fail the mailbox's scan (recorded, not thrown); abort throws. */
export async function scanMailbox(
  job: ScanJob,
  deps: { slots: Slots; progress: ProgressSink },
  signal?: AbortSignal,
): Promise<MailboxScan> {
  const mailbox: ScanMailboxRow = {
    mailboxId: job.mailboxId,
    status: 'done',
    error: null,
    destError: null,
    quotaUsed: null,
    quotaLimit: null,
    appendLimit: null,
    duplicateIds: 0,
    finishedAt: null,
  };
  // The destination first: its size limit decides which items are oversize, its delimiter which names fit.
  let dest: ConnectionReport | undefined;
  if (job.dest) {
    const release = await deps.slots.acquire(job.dest.server, signal, 1);
    try {
      dest = await job.dest.connector.testLogin(job.dest.server, job.dest.auth, signal);
      mailbox.quotaUsed = dest.quota?.usedBytes ?? null;
      mailbox.quotaLimit = dest.quota?.limitBytes ?? null;
      mailbox.appendLimit = dest.appendLimit ?? null;
    } catch (err) {
      throwIfAborted(signal);
      mailbox.destError = asCutoverError(err).describe();
    } finally {
      release();
    }
  }
  const limits = [job.options.maxMessageBytes, dest?.appendLimit].filter((n): n is number => n !== undefined);
  const maxBytes = limits.length ? Math.min(...limits) : undefined;

  const folders: ScanFolderRow[] = [];
  if (job.options.itemTypes.includes('mail'))
    await scanMail(job, deps, maxBytes, dest, mailbox, folders, signal);
  else deps.progress.planned(job.mailboxId, job.label, 0);
  const items = await scanItems(job, deps, signal);
  deps.progress.finished(job.mailboxId, mailbox.status);
  return { mailbox, folders, items };
}

/** The mail folders of the source: figures per folder into `folders`, a failure into `mailbox`. */
async function scanMail(
  job: ScanJob,
  deps: { slots: Slots; progress: ProgressSink },
  maxBytes: number | undefined,
  dest: ConnectionReport | undefined,
  mailbox: ScanMailboxRow,
  folders: ScanFolderRow[],
  signal?: AbortSignal,
): Promise<void> {
  const release = await deps.slots.acquire(job.source.server, signal, 2);
  try {
    const src = await job.source.connector.openSource(job.source.server, job.source.auth, signal);
    try {
      const list = await src.listFolders(signal);
      // What the destination declares up front: the folders it renames in a pass are renamed here too.
      const naming = job.dest?.connector.folderNaming;
      const plan = planFolders(list, job.options.folders, {
        delimiter: dest?.delimiter ?? '/',
        specialUse: naming?.specialUse ?? {},
        reservedNames: [],
        reservedTopNames: naming?.reservedTopNames,
        noSubfolders: naming?.noSubfolders,
      });
      const states = new Map<FolderInfo, number>();
      for (const f of list) if (f.selectable) states.set(f, (await src.folderState(f.path, signal)).messages);
      deps.progress.planned(
        job.mailboxId,
        job.label,
        [...states.values()].reduce((a, b) => a + b, 0),
      );
      const ids = new Map<string, number>();
      for (const f of list) {
        throwIfAborted(signal);
        const decision = plan.get(f.path.join('\u0000'));
        const row: ScanFolderRow = {
          mailboxId: job.mailboxId,
          folderKey: folderKeyOf(f.path),
          destPath: decision?.action === 'migrate' ? folderKeyOf(decision.destPath) : null,
          depth: f.path.length,
          messages: 0,
          bytes: 0,
          oldest: null,
          newest: null,
          oversize: 0,
          noMessageId: 0,
          duplicateIds: 0,
          nameProblem:
            decision?.action === 'migrate' && decision.renamed
              ? `becomes "${decision.destPath.join('/')}": ${decision.renamed.reason}`
              : null,
          excluded: decision?.action === 'exclude' ? decision.reason : null,
        };
        folders.push(row);
        if (!f.selectable || !states.get(f)) continue;
        const reader = await src.openFolder(f.path, signal);
        try {
          let oldest: Date | undefined;
          let newest: Date | undefined;
          const here = new Set<string>();
          for await (const page of reader.listMessages({}, signal)) {
            for (const m of page) {
              row.messages++;
              row.bytes += m.size;
              if (!oldest || m.internalDate < oldest) oldest = m.internalDate;
              if (!newest || m.internalDate > newest) newest = m.internalDate;
              if (maxBytes !== undefined && m.size > maxBytes) row.oversize++;
              if (!m.messageId) row.noMessageId++;
              else {
                if (here.has(m.messageId)) row.duplicateIds++;
                here.add(m.messageId);
                ids.set(m.messageId, (ids.get(m.messageId) ?? 0) + 1);
              }
            }
            deps.progress.advanced(job.mailboxId, page.length, 0);
          }
          row.oldest = oldest ? day(oldest) : null;
          row.newest = newest ? day(newest) : null;
        } finally {
          await reader.close();
        }
      }
      for (const n of ids.values()) if (n > 1) mailbox.duplicateIds += n - 1;
    } finally {
      await src.close();
    }
  } catch (err) {
    throwIfAborted(signal);
    mailbox.status = 'failed';
    mailbox.error = asCutoverError(err).describe();
  } finally {
    release();
  }
}
