/**
 * Environment scans over a project's mailboxes: run (in parallel, within the servers' connection limits,
 * resumable), read back as tables for people and spreadsheets, and compare two scans.
 */
import type { MailboxScan as MailboxScanShape } from '../schemas/scan.js';
import type { ProjectConfig } from '../config/types.js';
import type { ConnectorContext } from '../connectors/contract.js';
import { connectorFor } from '../connectors/registry.js';
import { asCutoverError } from '../errors.js';
import { scanMailbox, type ScanJob } from '../engine/mailbox-scan.js';
import type { ProgressSink } from '../engine/progress.js';
import { ConnectionSlots } from '../runner/limits.js';
import { runPool } from '../runner/local.js';
import type { Store } from '../store/db.js';
import { MailboxRepo } from '../store/mailbox-repo.js';
import { AlertRepo } from '../store/alert-repo.js';
import { ScanRepo, type ScanItemType } from '../store/scan-repo.js';
import type { MailboxScan } from '../engine/mailbox-scan.js';
import { authFor, mailboxKey } from './migration-service.js';

export interface ScanOptions {
  /** The stored project whose mailboxes these are (null or absent: a one-off CLI run over a project file). */
  projectId?: number | null;
  only?: string[];
  /** Start a new scan even when the last one was stopped (default: resume it). */
  fresh?: boolean;
  /** Do not log in to the destination (one-off scan of a source alone). */
  sourceOnly?: boolean;
  progress: ProgressSink;
  signal?: AbortSignal;
  /** What the connectors are handed (default: the store's data directory, no rotation follower). */
  connectors?: ConnectorContext;
}

export interface ScanOutcome {
  scanId: number;
  resumed: boolean;
  /** Mailboxes scanned now (a resumed scan skips those it had finished). */
  scanned: number;
  stopped: boolean;
}

/** Scan the project's mailboxes (or `only` those); resumes the last scan if it was stopped. */
export async function runScan(store: Store, project: ProjectConfig, opts: ScanOptions): Promise<ScanOutcome> {
  const scans = new ScanRepo(store.db);
  const mailboxes = new MailboxRepo(store.db);
  const projectId = opts.projectId ?? null;
  const last = (await scans.list(projectId))[0];
  const resumed = !opts.fresh && last !== undefined && last.status !== 'done';
  const scanId = resumed ? last.id : await scans.start(projectId);
  const finished = await scans.finishedMailboxes(scanId);
  const alerts = new AlertRepo(store.db);
  const context = opts.connectors ?? { dataDir: store.dataDir };

  const selected = project.mailboxes.filter((m) => !opts.only?.length || opts.only.includes(m.sourceUser));
  const jobs: ScanJob[] = [];
  for (const spec of selected) {
    const id = await mailboxes.upsert({
      key: mailboxKey(project.source, project.destination, spec),
      sourceUser: spec.sourceUser,
      destUser: spec.destUser,
      starred: spec.starred,
    });
    if (finished.has(id)) continue;
    const label =
      spec.sourceUser === spec.destUser ? spec.sourceUser : `${spec.sourceUser} → ${spec.destUser}`;
    let destAuth;
    try {
      destAuth = opts.sourceOnly
        ? undefined
        : authFor(project.destination, spec.destUser, spec.destAuth, 'destination');
    } catch {
      destAuth = undefined; // no destination credentials yet: scan the source alone, say so in the result
    }
    try {
      jobs.push({
        mailboxId: id,
        label,
        source: {
          connector: connectorFor(project.source.kind, context),
          server: project.source,
          auth: authFor(project.source, spec.sourceUser, spec.sourceAuth, 'source'),
        },
        dest: destAuth
          ? {
              connector: connectorFor(project.destination.kind, context),
              server: project.destination,
              auth: destAuth,
            }
          : undefined,
        options: spec.options,
      });
    } catch (err) {
      await alerts.raise({
        mailboxId: id,
        type: 'scan-failed',
        level: 'critical',
        text: `${label}: the scan failed: ${asCutoverError(err).describe()}`,
      });
      await scans.saveMailbox(
        scanId,
        {
          mailboxId: id,
          status: 'failed',
          error: asCutoverError(err).describe(),
          destError: null,
          quotaUsed: null,
          quotaLimit: null,
          appendLimit: null,
          duplicateIds: 0,
          finishedAt: null,
        },
        [],
      );
    }
  }

  const slots = new ConnectionSlots();
  const tasks = jobs.map((job) => async () => {
    const r = await scanMailbox(job, { slots, progress: opts.progress }, opts.signal);
    if (!job.dest && !opts.sourceOnly)
      r.mailbox.destError ??=
        'No destination credentials for this mailbox: quota and size limit not checked.';
    await scans.saveMailbox(scanId, r.mailbox, r.folders, r.items);
    await raiseScanAlerts(alerts, job, r);
    if (r.mailbox.status === 'done')
      await mailboxes.setSize(
        job.mailboxId,
        r.folders.reduce((s, f) => s + f.messages, 0),
        r.folders.reduce((s, f) => s + f.bytes, 0),
      );
  });
  const settled = await runPool(tasks, project.concurrency.mailboxes, opts.signal);
  const stopped = Boolean(opts.signal?.aborted) || settled.some((s) => s.status === 'rejected');
  await scans.finish(scanId, stopped ? 'stopped' : 'done');
  return { scanId, resumed, scanned: settled.filter((s) => s.status === 'fulfilled').length, stopped };
}

/** One mailbox of a scan, with its folders, as people and exports see it (the API's shape). */
export type MailboxScanView = MailboxScanShape;

export interface ScanView {
  scanId: number;
  startedAt: string;
  finishedAt: string | null;
  status: string;
  mailboxes: MailboxScanView[];
}

/** The order item types are shown in. */
const ITEM_ORDER: readonly ScanItemType[] = ['contacts', 'calendars', 'tasks', 'filters'];

const show = (key: string | null) => (key ? (JSON.parse(key) as string[]).join('/') : null);

/** A scan of the project (null: of one-off CLI runs), the newest by default, as tables. */
export async function scanView(
  store: Store,
  projectId: number | null,
  scanId?: number,
): Promise<ScanView | undefined> {
  const scans = new ScanRepo(store.db);
  const all = await scans.list(projectId);
  const scan = scanId === undefined ? all[0] : all.find((s) => s.id === scanId);
  if (!scan) return undefined;
  const byId = new Map((await new MailboxRepo(store.db).list()).map((m) => [m.id, m]));
  const folders = await scans.folders(scan.id);
  const items = await scans.items(scan.id);
  const out: MailboxScanView[] = [];
  for (const m of await scans.mailboxes(scan.id)) {
    const mb = byId.get(m.mailboxId);
    const fs = folders.filter((f) => f.mailboxId === m.mailboxId);
    const migrated = fs.filter((f) => !f.excluded);
    const bytes = migrated.reduce((s, f) => s + f.bytes, 0);
    const dates = (k: 'oldest' | 'newest') =>
      fs
        .map((f) => f[k])
        .filter((d): d is string => d !== null)
        .sort();
    out.push({
      mailbox: mb?.sourceUser ?? String(m.mailboxId),
      destination: mb?.destUser ?? '',
      status: m.status,
      error: m.error,
      destError: m.destError,
      folders: fs.length,
      messages: fs.reduce((s, f) => s + f.messages, 0),
      bytes: fs.reduce((s, f) => s + f.bytes, 0),
      maxDepth: Math.max(0, ...fs.map((f) => f.depth)),
      oldest: dates('oldest')[0] ?? null,
      newest: dates('newest').at(-1) ?? null,
      oversize: fs.reduce((s, f) => s + f.oversize, 0),
      noMessageId: fs.reduce((s, f) => s + f.noMessageId, 0),
      duplicateIds: m.duplicateIds,
      nameProblems: fs.filter((f) => f.nameProblem).length,
      quotaUsed: m.quotaUsed,
      quotaLimit: m.quotaLimit,
      quotaHeadroom: m.quotaLimit !== null ? m.quotaLimit - (m.quotaUsed ?? 0) - bytes : null,
      appendLimit: m.appendLimit,
      itemCounts: items
        .filter((i) => i.mailboxId === m.mailboxId)
        .sort((a, b) => ITEM_ORDER.indexOf(a.itemType) - ITEM_ORDER.indexOf(b.itemType))
        .map((i) => ({
          type: i.itemType,
          collections: i.collections,
          items: i.items,
          shared: i.shared,
          problem: i.problem,
        })),
      folderRows: fs.map((f) => ({
        folder: show(f.folderKey)!,
        destination: show(f.destPath),
        depth: f.depth,
        messages: f.messages,
        bytes: f.bytes,
        oldest: f.oldest,
        newest: f.newest,
        oversize: f.oversize,
        noMessageId: f.noMessageId,
        duplicateIds: f.duplicateIds,
        nameProblem: f.nameProblem,
        excluded: f.excluded,
      })),
    });
  }
  out.sort((a, b) => b.bytes - a.bytes || a.mailbox.localeCompare(b.mailbox));
  return {
    scanId: scan.id,
    startedAt: scan.startedAt,
    finishedAt: scan.finishedAt,
    status: scan.status,
    mailboxes: out,
  };
}

/** What changed between two scans, per mailbox (new mailboxes, messages and bytes added or removed). */
export interface ScanDiffRow {
  mailbox: string;
  before: { messages: number; bytes: number } | null;
  after: { messages: number; bytes: number } | null;
  messages: number;
  bytes: number;
  foldersAdded: string[];
  foldersRemoved: string[];
}

export function compareScans(before: ScanView, after: ScanView): ScanDiffRow[] {
  const prev = new Map(before.mailboxes.map((m) => [m.mailbox, m]));
  const next = new Map(after.mailboxes.map((m) => [m.mailbox, m]));
  const names = [...new Set([...prev.keys(), ...next.keys()])].sort();
  return names.map((name) => {
    const a = prev.get(name);
    const b = next.get(name);
    const fa = new Set(a?.folderRows.map((f) => f.folder));
    const fb = new Set(b?.folderRows.map((f) => f.folder));
    return {
      mailbox: name,
      before: a ? { messages: a.messages, bytes: a.bytes } : null,
      after: b ? { messages: b.messages, bytes: b.bytes } : null,
      messages: (b?.messages ?? 0) - (a?.messages ?? 0),
      bytes: (b?.bytes ?? 0) - (a?.bytes ?? 0),
      foldersAdded: [...fb].filter((f) => !fa.has(f)),
      foldersRemoved: [...fa].filter((f) => !fb.has(f)),
    };
  });
}

/** The item types that could not be read, grouped by reason (one endpoint down fails several types alike). */
export function unreadTypes(
  counts: Array<{ type: string; problem: string | null }>,
): Array<{ types: string[]; problem: string }> {
  const by = new Map<string, string[]>();
  for (const c of counts) if (c.problem) by.set(c.problem, [...(by.get(c.problem) ?? []), c.type]);
  return [...by].map(([problem, types]) => ({ types, problem }));
}

/** What a scan found that a person must act on (critical) or should know (advisory), as alerts. */
async function raiseScanAlerts(alerts: AlertRepo, job: ScanJob, r: MailboxScan): Promise<void> {
  const id = job.mailboxId;
  const set = async (type: string, on: boolean, level: 'critical' | 'advisory', text: string) =>
    on ? alerts.raise({ mailboxId: id, type, level, text }) : alerts.clear(id, type);
  await set(
    'scan-failed',
    r.mailbox.status === 'failed',
    'critical',
    `${job.label}: the scan failed: ${r.mailbox.error ?? ''}`,
  );
  const unread = unreadTypes(r.items.map((i) => ({ type: i.itemType, problem: i.problem })));
  await set(
    'scan-items-unreadable',
    unread.length > 0,
    'advisory',
    `${job.label}: ${unread.map((u) => `${u.types.join(' and ')} could not be counted: ${u.problem}`).join('; ')}`,
  );
  if (r.mailbox.status === 'failed') return;
  const bytes = r.folders.filter((f) => !f.excluded).reduce((s, f) => s + f.bytes, 0);
  const { quotaLimit, quotaUsed } = r.mailbox;
  const short = quotaLimit !== null ? bytes - (quotaLimit - (quotaUsed ?? 0)) : 0;
  await set(
    'quota-too-small',
    short > 0,
    'critical',
    `${job.label}: the destination quota is ${(short / 1024 ** 2).toFixed(1)} MB too small for what the source holds; raise it before migrating.`,
  );
  const oversize = r.folders.reduce((s, f) => s + f.oversize, 0);
  await set(
    'oversize-items',
    oversize > 0,
    'advisory',
    `${job.label}: ${oversize} item(s) are larger than the destination accepts and will be skipped.`,
  );
  const renamed = r.folders
    .filter((f) => f.nameProblem)
    .map((f) => (JSON.parse(f.folderKey) as string[]).join('/'));
  await set(
    'folder-renamed',
    renamed.length > 0,
    'advisory',
    `${job.label}: ${renamed.length} folder(s) will be renamed at the destination: ${renamed.slice(0, 5).join(', ')}${renamed.length > 5 ? ', …' : ''}.`,
  );
}
