/**
 * The cutover plan: the order summary (mailboxes, volume, item types, communications, dates, DNS mode,
 * warnings), the per-mailbox plan table for export, and the estimate it rests on.
 */
import type { PlanConfig } from '../config/plan.js';
import type { ProjectConfig } from '../config/types.js';
import type { Table } from '../exports/table.js';
import { remedy, type Audience } from './plan-wording.js';
import type { Store } from '../store/db.js';
import { LedgerRepo } from '../store/ledger-repo.js';
import { ItemLedgerRepo } from '../store/item-ledger-repo.js';
import { MailboxRepo } from '../store/mailbox-repo.js';
import { estimate, measuredRates, type Estimate } from './estimate.js';
import { mailboxKey } from './migration-service.js';
import { scanView } from './scan-service.js';

export interface PlanWarning {
  level: 'critical' | 'advisory';
  text: string;
}

export interface PlanSummary {
  project: string;
  generatedAt: string;
  mailboxes: number;
  starred: number;
  messages: number;
  bytes: number;
  itemTypes: string[];
  mode: PlanConfig['mode'];
  communications: PlanConfig['communications'];
  contact?: string;
  dns: PlanConfig['dns'];
  domains: string[];
  timezone: string;
  notifyFrom: string;
  cutover?: string;
  suggestedCutover?: string;
  scan?: { id: number; status: string; startedAt: string };
  estimate: Estimate;
  /** Per mailbox: its source, destination, figures, estimate and credentials state. */
  rows: PlanRow[];
  warnings: PlanWarning[];
}

export interface PlanRow {
  mailbox: string;
  destination: string;
  starred: boolean;
  messages: number;
  bytes: number;
  /** Items already at the destination (copied or found there) from earlier passes. */
  alreadyMigrated: number;
  hours: number;
  estimatedStart?: string;
  estimatedEnd?: string;
  /** The source login: the user's own password (present), the source's admin login, or none yet (missing). */
  credentials: CredentialNeed;
  /** The destination login, the same way: an admin login on one side does not cover the other. */
  destCredentials: CredentialNeed;
  /** The personal credential page (end-user credentials mode); issued by the credential portal. */
  credentialLink: string | null;
}

/** Whose login opens one side of a mailbox. */
export type CredentialNeed = 'present' | 'missing' | 'admin';

const need = (own: unknown, admin: unknown): CredentialNeed =>
  own ? 'present' : admin ? 'admin' : 'missing';

const GB = 1024 ** 3;

/**
 * Build the plan of `project` as it stands now, on its own latest scan (`projectId` of the stored project;
 * null: a project file run from the CLI); `audience` picks how warnings say what to do.
 */
export async function buildPlan(
  store: Store,
  project: ProjectConfig,
  plan: PlanConfig,
  now = new Date(),
  audience: Audience = 'cli',
  projectId: number | null = null,
): Promise<PlanSummary> {
  const warnings: PlanWarning[] = [];
  const mailboxRepo = new MailboxRepo(store.db);
  const ledger = new LedgerRepo(store.db);
  const items = new ItemLedgerRepo(store.db);
  const known = new Map((await mailboxRepo.list()).map((m) => [m.key, m]));
  const scan = await scanView(store, projectId);
  const scanned = new Map(scan?.mailboxes.map((m) => [m.mailbox, m]));
  if (!scan)
    warnings.push({
      level: 'advisory',
      text: `No environment scan yet: sizes come from earlier passes only. ${remedy('scan', audience)}`,
    });

  const rowsIn: Array<Omit<PlanRow, 'hours'>> = [];
  for (const spec of project.mailboxes) {
    const row = known.get(mailboxKey(project.source, project.destination, spec));
    const s = scanned.get(spec.sourceUser);
    let done = 0;
    if (row) {
      for (const c of await ledger.folderCounts(row.id))
        done += (c.counts.copied ?? 0) + (c.counts.present ?? 0);
      // Contacts, events, tasks and filters moved so far count like messages.
      for (const e of await items.list(row.id)) if (e.status === 'copied' || e.status === 'present') done++;
    }
    // The other item types the scan counted (collections and their items) are moved at the message rate.
    const others = (s?.itemCounts ?? []).reduce((n, i) => n + (i.collections ?? 0) + i.items, 0);
    rowsIn.push({
      mailbox: spec.sourceUser,
      destination: spec.destUser,
      starred: spec.starred,
      messages: (s?.messages ?? row?.sourceMessages ?? 0) + others,
      bytes: s?.bytes ?? row?.sourceBytes ?? 0,
      alreadyMigrated: done,
      credentials: need(spec.sourceAuth, project.source.admin),
      destCredentials: need(spec.destAuth, project.destination.admin),
      credentialLink: null,
    });
  }
  // What is left to move: the share of the mailbox not yet at the destination.
  const work = rowsIn.map((r) => {
    const left = r.messages ? Math.max(0, r.messages - r.alreadyMigrated) / r.messages : 1;
    return { mailbox: r.mailbox, starred: r.starred, messages: r.messages * left, bytes: r.bytes * left };
  });
  const est = estimate(work, project, plan, await measuredRates(store, projectId ?? undefined), now);
  const rows: PlanRow[] = rowsIn.map((r, i) => {
    const e = est.mailboxes[i]!;
    return {
      ...r,
      hours: e.seconds / 3600,
      estimatedStart: e.start?.toISOString(),
      estimatedEnd: e.end?.toISOString(),
    };
  });

  // Warnings an experienced migration engineer would want before the first byte moves.
  const missing = rows.filter((r) => r.credentials === 'missing').length;
  const destMissing = rows.filter((r) => r.destCredentials === 'missing').length;
  if (plan.mode === 'admin' && !project.source.admin)
    warnings.push({
      level: 'critical',
      text: `Mode is admin impersonation but the source has no admin login: ${remedy('admin', audience)}`,
    });
  if (plan.mode === 'credentials' && missing)
    warnings.push({
      level: 'critical',
      text: `${missing} mailbox(es) have no source credentials yet: ${remedy('credentials', audience)}`,
    });
  if (plan.mode === 'credentials' && destMissing)
    warnings.push({
      level: 'critical',
      text: `${destMissing} mailbox(es) have no destination credentials yet: ${remedy('destCredentials', audience)}`,
    });
  if (plan.cutoverAt && est.finish && plan.cutoverAt < est.finish)
    warnings.push({
      level: 'critical',
      text: `The cutover (${plan.cutoverAt.toISOString()}) is before the estimated end of the migration (${est.finish.toISOString()}): move it to ${est.suggestedCutover?.toISOString() ?? 'later'} or pre-stage older items now.`,
    });
  if (!est.finish)
    warnings.push({
      level: 'critical',
      text: 'With these throttling windows the migration does not finish within a year: allow more concurrency.',
    });
  const notifyFrom = plan.notifyFrom ?? now;
  if (plan.cutoverAt && notifyFrom > plan.cutoverAt)
    warnings.push({
      level: 'critical',
      text: `Notifications would start after the cutover: ${remedy('notify', audience)}`,
    });
  if (plan.communications === 'contact' && !plan.contact)
    warnings.push({
      level: 'critical',
      text: `Communications go to a point of contact, but none is named: ${remedy('contact', audience)}`,
    });
  if (plan.communications === 'contact' || plan.communications === 'operator')
    warnings.push({
      level: 'advisory',
      text: `Communications to the ${plan.communications === 'contact' ? 'point of contact' : 'operator'}: one message per user to forward (${rows.length} mailboxes) — a high volume.`,
    });
  if (plan.dns === 'dynamic' && !plan.dnsServer)
    warnings.push({
      level: 'critical',
      text: `DNS mode "dynamic" needs the primary name server and a TSIG key: ${remedy('dnsServer', audience)}`,
    });
  if (plan.domains.length === 0)
    warnings.push({
      level: 'advisory',
      text: `No mail domains listed: no DNS changes are planned; ${remedy('domains', audience)}`,
    });
  for (const m of scan?.mailboxes ?? []) {
    if (m.status === 'failed')
      warnings.push({ level: 'critical', text: `${m.mailbox}: the scan failed: ${m.error}` });
    if (m.quotaHeadroom !== null && m.quotaHeadroom < 0)
      warnings.push({
        level: 'critical',
        text: `${m.mailbox}: the destination quota is ${(-m.quotaHeadroom / GB).toFixed(2)} GB too small.`,
      });
    if (m.oversize)
      warnings.push({
        level: 'advisory',
        text: `${m.mailbox}: ${m.oversize} item(s) over the size limit will be skipped.`,
      });
    if (m.nameProblems)
      warnings.push({
        level: 'advisory',
        text: `${m.mailbox}: ${m.nameProblems} folder(s) will be renamed at the destination.`,
      });
  }
  warnings.sort((a, b) => Number(a.level === 'advisory') - Number(b.level === 'advisory'));

  return {
    project: project.name,
    generatedAt: now.toISOString(),
    mailboxes: rows.length,
    starred: rows.filter((r) => r.starred).length,
    messages: rows.reduce((s, r) => s + r.messages, 0),
    bytes: rows.reduce((s, r) => s + r.bytes, 0),
    itemTypes: [...new Set(project.mailboxes.flatMap((m) => m.options.itemTypes))],
    mode: plan.mode,
    communications: plan.communications,
    contact: plan.contact,
    dns: plan.dns,
    domains: plan.domains,
    timezone: plan.timezone,
    notifyFrom: notifyFrom.toISOString(),
    cutover: plan.cutoverAt?.toISOString(),
    suggestedCutover: est.suggestedCutover?.toISOString(),
    scan: scan ? { id: scan.scanId, status: scan.status, startedAt: scan.startedAt } : undefined,
    estimate: est,
    rows,
    warnings,
  };
}

/** The exportable plan: one row per mailbox. */
export function planTable(p: PlanSummary): Table {
  return {
    name: 'Plan',
    columns: [
      'mailbox',
      'destination',
      'starred',
      'messages',
      'bytes',
      'already_migrated',
      'estimate_hours',
      'estimated_start',
      'estimated_end',
      'credentials',
      'destination_credentials',
      'credential_link',
    ],
    rows: p.rows.map((r) => [
      r.mailbox,
      r.destination,
      r.starred ? 'yes' : 'no',
      r.messages,
      r.bytes,
      r.alreadyMigrated,
      Math.round(r.hours * 100) / 100,
      r.estimatedStart ?? null,
      r.estimatedEnd ?? null,
      r.credentials,
      r.destCredentials,
      r.credentialLink,
    ]),
  };
}

/** The order summary as a two-column sheet (for the XLSX export). */
export function summaryTable(p: PlanSummary): Table {
  const rows: Array<[string, string | number | null]> = [
    ['project', p.project],
    ['mailboxes', p.mailboxes],
    ['starred', p.starred],
    ['messages', p.messages],
    ['bytes', p.bytes],
    ['item types', p.itemTypes.join(', ')],
    ['migration mode', p.mode],
    ['communications', p.communications + (p.contact ? ` (${p.contact})` : '')],
    ['notifications from', p.notifyFrom],
    ['cutover', p.cutover ?? '(not set)'],
    ['suggested cutover', p.suggestedCutover ?? null],
    ['estimated finish', p.estimate.finish?.toISOString() ?? 'not within a year'],
    ['estimate basis', p.estimate.rates.basis],
    ['DNS handling', `${p.dns}${p.domains.length ? ` for ${p.domains.join(', ')}` : ''}`],
    ['time zone', p.timezone],
    ...p.warnings.map((w): [string, string] => [`${w.level} warning`, w.text]),
  ];
  return { name: 'Summary', columns: ['item', 'value'], rows };
}
