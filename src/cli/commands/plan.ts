/** `cutover plan`: the order summary, the estimate and the warnings; exportable per mailbox (CSV, XLSX, JSON). */
import fs from 'node:fs';
import { defaultPlan } from '../../config/plan.js';
import { ErrorCode, PermanentError } from '../../errors.js';
import { toCsv, toXlsx } from '../../exports/table.js';
import { buildPlan, planTable, summaryTable, type PlanSummary } from '../../services/plan-service.js';
import { openStoreAt } from '../../store/db.js';
import { resolveTarget, type TargetOptions } from '../context.js';

export interface PlanCommandOptions extends TargetOptions {
  format: 'text' | 'json' | 'csv' | 'xlsx';
  output?: string;
}

const gb = (b: number) => `${(b / 1024 ** 3).toFixed(2)} GB`;

export async function planCommand(o: PlanCommandOptions): Promise<void> {
  if (o.format === 'xlsx' && !o.output)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      'An XLSX export needs a file to write to.',
      'Add --output plan.xlsx (CSV and JSON go to standard output without it).',
    );
  const { project, store: target, problems } = resolveTarget(o);
  for (const p of problems) process.stderr.write(`warning: ${p}\n`);
  const store = await openStoreAt(target);
  try {
    const summary = await buildPlan(store, project, project.plan ?? defaultPlan());
    const write = (data: string | Uint8Array) =>
      o.output ? fs.writeFileSync(o.output, data) : process.stdout.write(data);
    if (o.format === 'xlsx') {
      write(toXlsx([summaryTable(summary), planTable(summary)]));
      process.stderr.write(`Wrote ${o.output}\n`);
    } else if (o.format === 'csv') write(toCsv(planTable(summary)));
    else if (o.format === 'json') write(JSON.stringify(summary, null, 2) + '\n');
    else write(planText(summary));
  } finally {
    await store.close();
  }
}

/** The order summary for a person. */
export function planText(p: PlanSummary): string {
  const e = p.estimate;
  const out = [
    `Plan for ${p.project}`,
    `  Mailboxes        ${p.mailboxes} (${p.starred} starred), ${p.messages} items, ${gb(p.bytes)}; item types: ${p.itemTypes.join(', ')}`,
    `  Mode             ${p.mode}`,
    `  Communications   ${p.communications}${p.contact ? ` → ${p.contact}` : ''}, from ${p.notifyFrom.slice(0, 16)} UTC`,
    `  DNS              ${p.dns}${p.domains.length ? ` for ${p.domains.join(', ')}` : ''}`,
    `  Cutover          ${p.cutover ? `${p.cutover.slice(0, 16)} UTC` : 'not set'}${p.suggestedCutover ? `  (suggested: ${p.suggestedCutover.slice(0, 16)} UTC, a Friday 18:00 in ${p.timezone})` : ''}`,
    `  Estimate         ${e.hours !== undefined ? `${e.hours.toFixed(1)} h, done by ${e.finish!.toISOString().slice(0, 16)} UTC` : 'does not finish within a year'}; ${e.rates.basis}`,
    `  Scan             ${p.scan ? `#${p.scan.id} (${p.scan.status}) of ${p.scan.startedAt.slice(0, 16)}` : 'none yet'}`,
  ];
  if (p.warnings.length) {
    out.push('Warnings:');
    for (const w of p.warnings) out.push(`  ${w.level === 'critical' ? '✗' : '!'} ${w.text}`);
  }
  out.push('Mailboxes (largest first):');
  const rows = [...p.rows].sort((a, b) => b.bytes - a.bytes);
  for (const r of rows.slice(0, 25))
    out.push(
      `  ${r.mailbox.padEnd(32)} ${String(r.messages).padStart(8)} items ${gb(r.bytes).padStart(10)}  ${r.hours.toFixed(1).padStart(6)} h  credentials ${r.credentials}/${r.destCredentials}`,
    );
  if (rows.length > 25) out.push(`  … ${rows.length - 25} more (--format csv or xlsx for all)`);
  return out.join('\n') + '\n';
}
