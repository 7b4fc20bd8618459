/**
 * `cutover scan`: the environment scan — what is at the source, what will not fit or not go, how long it
 * will take. Read-only on every mail server; results are stored, resumable, comparable and exportable.
 */
import fs from 'node:fs';
import { ErrorCode, PermanentError } from '../../errors.js';
import { openStoreAt } from '../../store/db.js';
import { toCsv, toObjects, toXlsx, type Table } from '../../exports/table.js';
import { compareScans, runScan, scanView, unreadTypes, type ScanView } from '../../services/scan-service.js';
import { diffTable, folderTable, itemTable, mailboxTable } from '../../services/scan-tables.js';
import { ScanRepo } from '../../store/scan-repo.js';
import { ProgressDisplay } from '../progress-display.js';
import { resolveTarget, type TargetOptions } from '../context.js';

export interface ScanCommandOptions extends TargetOptions {
  mailbox?: string[];
  new?: boolean;
  format: 'text' | 'json' | 'csv' | 'xlsx';
  output?: string;
  compare?: string | boolean;
  progress?: boolean;
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(1)} MB`;

export async function scanCommand(o: ScanCommandOptions): Promise<void> {
  if (o.format === 'xlsx' && !o.output)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      'An XLSX export needs a file to write to.',
      'Add --output scan.xlsx (CSV and JSON go to standard output without it).',
    );
  // The one-off form may name only a source: the destination checks (quota, size limit) are then skipped.
  const sourceOnly = Boolean(o.from && !o.to);
  const { project, store: target, problems } = resolveTarget(sourceOnly ? { ...o, to: o.from } : o);
  for (const p of problems) process.stderr.write(`warning: ${p}\n`);
  const store = await openStoreAt(target);
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nStopping the scan; `cutover scan` resumes it. Ctrl-C again quits at once.\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const display = new ProgressDisplay(process.stderr, o.progress !== false && Boolean(process.stderr.isTTY));
  try {
    const previous = (await new ScanRepo(store.db).list(null)).find((s) => s.status === 'done');
    const outcome = await runScan(store, project, {
      only: o.mailbox,
      fresh: o.new,
      sourceOnly,
      progress: display,
      signal: controller.signal,
    });
    display.stop();
    if (outcome.resumed) process.stderr.write(`Resumed scan ${outcome.scanId}.\n`);
    const view = (await scanView(store, null, outcome.scanId))!;
    let compareTo: ScanView | undefined;
    if (o.compare) {
      const id = typeof o.compare === 'string' ? Number(o.compare) : previous?.id;
      compareTo = id !== undefined && id !== outcome.scanId ? await scanView(store, null, id) : undefined;
      if (!compareTo)
        process.stderr.write(
          typeof o.compare === 'string'
            ? `warning: no scan ${o.compare} to compare with.\n`
            : 'warning: no earlier finished scan to compare with.\n',
        );
    }
    const diff = compareTo ? compareScans(compareTo, view) : undefined;
    await emit(view, diff ? diffTable(diff) : undefined, o);
    if (outcome.stopped) {
      process.stderr.write('Scan stopped; run `cutover scan` again to resume it.\n');
      process.exitCode = 130;
    } else if (view.mailboxes.some((m) => m.status === 'failed')) process.exitCode = 1;
  } finally {
    display.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await store.close();
  }
}

async function emit(view: ScanView, diff: Table | undefined, o: ScanCommandOptions): Promise<void> {
  const write = (data: string | Uint8Array) =>
    o.output ? fs.writeFileSync(o.output, data) : process.stdout.write(data);
  if (o.format === 'xlsx') {
    write(toXlsx([mailboxTable(view), folderTable(view), itemTable(view), ...(diff ? [diff] : [])]));
    process.stderr.write(`Wrote ${o.output}\n`);
  } else if (o.format === 'csv') write(toCsv(folderTable(view)));
  else if (o.format === 'json')
    write(JSON.stringify({ ...view, changes: diff ? toObjects(diff) : undefined }, null, 2) + '\n');
  else write(scanText(view, diff));
  await Promise.resolve();
}

const num = (n: number) => n.toLocaleString('en-US');
const NOUNS = {
  contacts: ['books', 'cards'],
  calendars: ['calendars', 'events'],
  tasks: ['lists', 'tasks'],
} as const;

/** "contacts 3 books / 420 cards · calendars 2 / 1,204 · filters 5": what the mailbox moves besides mail. */
export function itemLine(counts: ScanView['mailboxes'][number]['itemCounts']): string {
  return counts
    .map((i) => {
      if (i.problem && !i.items && !i.collections) return `${i.type} ?`;
      const shared = i.shared ? ` (+${i.shared} shared, not moved)` : '';
      if (i.type === 'filters') return `filters ${num(i.items)}`;
      const [c, n] = NOUNS[i.type];
      return `${i.type} ${num(i.collections ?? 0)} ${c} / ${num(i.items)} ${n}${shared}`;
    })
    .join(' · ');
}

/** The scan for a person: per mailbox the figures and, below, what needs attention. */
export function scanText(view: ScanView, diff?: Table): string {
  const out: string[] = [
    `Scan ${view.scanId} (${view.status}), started ${view.startedAt}: ${view.mailboxes.length} mailbox(es), ` +
      `${view.mailboxes.reduce((s, m) => s + m.messages, 0)} items, ${mb(view.mailboxes.reduce((s, m) => s + m.bytes, 0))}`,
  ];
  for (const m of view.mailboxes) {
    out.push(
      `${m.mailbox}${m.destination && m.destination !== m.mailbox ? ` → ${m.destination}` : ''}  [${m.status}]  ` +
        `${m.folders} folders (depth ${m.maxDepth})  ${m.messages} items  ${mb(m.bytes)}  ` +
        `${m.oldest ? `${m.oldest.slice(0, 10)} … ${m.newest?.slice(0, 10)}` : 'empty'}`,
    );
    if (m.itemCounts.length) out.push(`  ${itemLine(m.itemCounts)}`);
    if (m.error) out.push(`  ✗ ${m.error}`);
    for (const u of unreadTypes(m.itemCounts))
      out.push(`  ✗ ${u.types.join(' and ')} not counted: ${u.problem}`);
    if (m.oversize)
      out.push(`  ! ${m.oversize} item(s) larger than the destination accepts: they will be skipped`);
    if (m.noMessageId)
      out.push(`  · ${m.noMessageId} item(s) without a Message-ID (matched by a header hash)`);
    if (m.duplicateIds) out.push(`  · ${m.duplicateIds} extra copies of a Message-ID (kept as they are)`);
    for (const f of m.folderRows.filter((x) => x.nameProblem))
      out.push(`  ! folder "${f.folder}" ${f.nameProblem}`);
    if (m.quotaHeadroom !== null && m.quotaHeadroom < 0)
      out.push(`  ✗ destination quota too small by ${mb(-m.quotaHeadroom)}: raise it before migrating`);
    else if (m.quotaHeadroom !== null)
      out.push(`  · destination quota headroom after migration: ${mb(m.quotaHeadroom)}`);
    if (m.destError) out.push(`  · destination not checked: ${m.destError}`);
  }
  if (diff) {
    out.push('Changes since the compared scan:');
    for (const r of diff.rows)
      if (r[3] !== 0 || r[7] || r[8])
        out.push(
          `  ${String(r[0])}: ${Number(r[3]) >= 0 ? '+' : ''}${String(r[3])} items, ${Number(r[6]) >= 0 ? '+' : ''}${mb(Number(r[6]))}` +
            `${r[7] ? `; new folders: ${String(r[7])}` : ''}${r[8] ? `; gone: ${String(r[8])}` : ''}`,
        );
  }
  return out.join('\n') + '\n';
}
