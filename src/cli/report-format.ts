/** Rendering reports for people (text), programs (JSON) and spreadsheets (CSV, safe against formula injection). */
import type { MailboxReport } from '../reports/report-types.js';
import { formatTime, verdict } from '../reports/format.js';

export { reportCsv } from '../reports/csv.js';

/** The report as text, for the terminal. */
export function reportText(reports: MailboxReport[], detail = true): string {
  const out: string[] = [];
  for (const r of reports) {
    const t = r.totals;
    out.push(`${r.mailbox}${r.destination !== r.mailbox ? ` → ${r.destination}` : ''}  [${r.status}]`);
    out.push(
      `  source ${t.sourceItems}  copied ${t.copied}  already present ${t.present}  skipped ${t.skipped}  failed ${t.failed}  pending ${t.pending}${t.altered ? `  (${t.altered} of the copied altered, see below)` : ''}  (${(t.bytesCopied / 1024 / 1024).toFixed(1)} MB copied)`,
    );
    out.push(`  ${verdict(r)}`);
    const v = r.verification;
    if (v)
      out.push(
        `  last verification ${formatTime(v.finishedAt)} (${v.mode}): ${v.result}, ${v.checked} checked${v.result === 'matches' ? '' : `, ${v.missing} missing, ${v.flagsDiffer} with other flags, ${v.extra} extra, ${v.altered} altered`}${v.current ? '' : '; a pass wrote after it'}`,
      );
    const last = r.passes.filter((p) => !p.dryRun).at(-1);
    if (last) {
      const throttled = r.passes.reduce((s, p) => s + p.throttledMs, 0);
      out.push(
        `  ${r.passes.filter((p) => !p.dryRun).length} pass(es); last ${last.status} at ${last.finishedAt ?? last.startedAt}${throttled ? `; throttled ${Math.round(throttled / 1000)} s in all` : ''}`,
      );
    }
    if (r.lastError) out.push(`  last error: ${r.lastError}`);
    for (const [type, i] of Object.entries(r.itemsByType))
      out.push(
        `  ${type}: copied ${i.copied}  already present ${i.present}  skipped ${i.skipped}  failed ${i.failed}`,
      );
    if (r.items.length) {
      for (const x of r.items)
        if (detail || x.status === 'skipped' || x.status === 'failed')
          out.push(`    ${x.kind} '${x.name}': ${x.status}${x.reason ? ` — ${x.reason}` : ''}`);
    }
    if (detail) {
      for (const f of r.folders) {
        const name = f.excluded
          ? `${f.source} (excluded: ${f.excluded})`
          : `${f.source}${f.destination && f.destination !== f.source ? ` → ${f.destination}` : ''}`;
        out.push(
          `    ${name.padEnd(40)} ${String(f.sourceItems).padStart(6)} src ${String(f.copied).padStart(6)} copied ${String(f.present).padStart(5)} present ${String(f.skipped).padStart(4)} skipped ${String(f.failed).padStart(4)} failed`,
        );
        if (f.renamed) out.push(`      renamed: ${f.renamed}`);
        if (f.error) out.push(`      error: ${f.error}`);
      }
      for (const p of r.problems.slice(0, 50))
        out.push(`    ${p.status} ${p.folder} UID ${p.uid}: ${p.reason ?? ''}`);
      if (r.problems.length > 50) out.push(`    … ${r.problems.length - 50} more (see --format csv or json)`);
    }
  }
  return out.join('\n') + '\n';
}
