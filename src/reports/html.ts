/**
 * The migration report as one self-contained, printable HTML document: inline CSS, no scripts, no external
 * resources (a Content-Security-Policy says so to the browser too). Every value from the store is escaped:
 * mailbox and folder names and server reasons are hostile input. Names sit in <bdi> so that an Arabic or
 * Hebrew name (or a stray U+202E) cannot reorder the text around it.
 */
import type { FolderReport, MailboxReport } from './report-types.js';
import type { PassRow } from '../store/mailbox-repo.js';
import {
  between,
  formatBytes,
  formatCount,
  formatDuration,
  formatShortTime,
  formatTime,
  printable,
  verdict,
  verdictMark,
} from './format.js';
import { STYLE } from './html-style.js';
import {
  PROBLEM_CAP,
  allReconcileLine,
  summarize,
  unreconciledCount,
  unverifiedLine,
  type ProjectSummary,
  type ReportMeta,
} from './summary.js';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escape text for HTML content and quoted attribute values. */
export const escapeHtml = (s: string): string => printable(s).replace(/[&<>"']/g, (c) => ENTITIES[c]!);

const bdi = (s: string) => `<bdi>${escapeHtml(s)}</bdi>`;
const num = (n: number) => `<td class="n">${formatCount(n)}</td>`;
const cell = (s: string | null) => `<td>${s === null ? '' : bdi(s)}</td>`;

/** A table; headers ending in '#' are numeric columns (right-aligned), the '#' is not shown. */
function table(headers: string[], rows: string[]): string {
  const head = headers
    .map((h) =>
      h.endsWith('#') ? `<th class="n">${escapeHtml(h.slice(0, -1))}</th>` : `<th>${escapeHtml(h)}</th>`,
    )
    .join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`;
}

const TOTALS = [
  'Source items#',
  'Copied#',
  'Already present#',
  'Skipped#',
  'Failed#',
  'Pending#',
  'Data copied#',
];
const totalsRow = (t: MailboxReport['totals']) =>
  `<tr>${[t.sourceItems, t.copied, t.present, t.skipped, t.failed, t.pending].map(num).join('')}<td class="n">${formatBytes(t.bytesCopied)}</td></tr>`;

/** Render the whole report. */
export function renderHtml(reports: MailboxReport[], meta: ReportMeta): string {
  const s = summarize(reports);
  const parts = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>Migration report — ${escapeHtml(meta.project)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    summarySection(s, meta),
    overview(reports),
  ];
  reports.forEach((r, i) => parts.push(mailboxSection(r, i)));
  parts.push('</body>', '</html>', '');
  return parts.join('\n');
}

function summarySection(s: ProjectSummary, meta: ReportMeta): string {
  const bad = unreconciledCount(s);
  const lines: string[] = [];
  if (bad > 0)
    lines.push(
      `<p class="verdict bad">✗ ${formatCount(bad)} of ${formatCount(s.mailboxes)} mailbox(es) do not reconcile: ${s.unreconciled.map(bdi).join(', ')}${bad > s.unreconciled.length ? ` <span class="more">… ${formatCount(bad - s.unreconciled.length)} more</span>` : ''}</p>`,
    );
  if (s.unverified > 0)
    lines.push(`<p class="verdict unverified">${escapeHtml(unverifiedLine(s, formatCount))}</p>`);
  if (!lines.length) lines.push(`<p class="verdict ok">${escapeHtml(allReconcileLine(s, formatCount))}</p>`);
  const head = lines.join('\n');
  const span = between(s.firstStart, s.lastEnd);
  const kv: Array<[string, string]> = [
    [
      'Mailboxes',
      `${formatCount(s.mailboxes)} (${formatCount(s.reconciling)} reconcile${s.unverified ? `, ${formatCount(s.unverified)} not verified` : ''})`,
    ],
    ['Status', [...s.statuses].map(([k, v]) => `${escapeHtml(k)} ${formatCount(v)}`).join(', ') || '—'],
    [
      'Migration time',
      s.firstStart
        ? `${formatTime(s.firstStart)} → ${s.lastEnd ? formatTime(s.lastEnd) : '—'}${span !== null ? ` (${formatDuration(span)})` : ''}${s.unfinishedPasses ? `; ${formatCount(s.unfinishedPasses)} pass(es) not finished` : ''}`
        : 'no pass yet',
    ],
    ['Passes', formatCount(s.passes)],
    ['Throttled', formatDuration(s.throttledMs)],
    [
      'Folders',
      `${formatCount(s.folders)}: ${formatCount(s.foldersRenamed)} renamed, ${formatCount(s.foldersExcluded)} excluded, ${formatCount(s.foldersFailed)} failed`,
    ],
  ];
  return [
    '<header>',
    `<h1>Migration report: ${bdi(meta.project)}</h1>`,
    `<p class="meta">Generated ${formatTime(meta.generatedAt)}</p>`,
    head,
    `<table class="kv"><tbody>${kv.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</tbody></table>`,
    table(TOTALS, [totalsRow(s)]),
    '</header>',
  ].join('\n');
}

/** One line per mailbox, linking to its section. */
function overview(reports: MailboxReport[]): string {
  if (reports.length === 0) return '<p class="muted">No mailboxes in this project.</p>';
  const rows = reports.map((r, i) => {
    const t = r.totals;
    return `<tr><td><a href="#m${i + 1}">${bdi(r.mailbox)}</a></td>${cell(r.status)}${[t.sourceItems, t.copied, t.present, t.skipped, t.failed, t.pending].map(num).join('')}<td class="${tone(r)}">${verdictMark(r)}</td></tr>`;
  });
  return `<h3>Mailboxes</h3>\n${table(['Mailbox', 'Status', 'Source#', 'Copied#', 'Present#', 'Skipped#', 'Failed#', 'Pending#', 'Reconciles'], rows)}`;
}

/** The verdict's CSS class: ok, bad, or unverified (ledger only). */
const tone = (r: MailboxReport) =>
  r.reconcile === 'reconciles' ? 'ok' : r.reconcile === 'ledger-only' ? 'unverified' : 'bad';

function mailboxSection(r: MailboxReport, i: number): string {
  const parts = [
    `<section class="mailbox" id="m${i + 1}">`,
    `<h2>${bdi(r.mailbox)}${r.destination !== r.mailbox ? ` → ${bdi(r.destination)}` : ''}<span class="status">${escapeHtml(r.status)}</span></h2>`,
    `<p class="verdict ${tone(r)}">${escapeHtml(verdict(r))}</p>`,
  ];
  if (r.lastError) parts.push(`<p class="err">Last error: ${bdi(r.lastError)}</p>`);
  parts.push(table(TOTALS, [totalsRow(r.totals)]));
  parts.push(`<h3>Passes (${formatCount(r.passes.length)})</h3>`);
  parts.push(r.passes.length ? passesTable(r.passes) : '<p class="muted">No pass yet.</p>');
  parts.push(`<h3>Folders (${formatCount(r.folders.length)})</h3>`);
  parts.push(r.folders.length ? foldersTable(r.folders) : '<p class="muted">No folders listed.</p>');
  parts.push(`<h3>Problems (${formatCount(r.problems.length)})</h3>`);
  parts.push(
    r.problems.length ? problemsTable(r.problems) : '<p class="muted">No skipped or failed items.</p>',
  );
  if (r.items.length) {
    parts.push(`<h3>Filters and other items (${formatCount(r.items.length)})</h3>`);
    parts.push(itemsTable(r.items));
  }
  parts.push('</section>');
  return parts.join('\n');
}

const PASS_HEADERS = [
  'Started',
  'Duration',
  'Status',
  'Copied#',
  'Present#',
  'Skipped#',
  'Failed#',
  'Flags synced#',
  'Data#',
  'Throttled#',
];

function passesTable(passes: PassRow[]): string {
  const rows = passes.map((p) => {
    const ms = between(p.startedAt, p.finishedAt);
    const status = `${escapeHtml(p.status)}${p.dryRun ? ' <span class="muted">(dry run)</span>' : ''}`;
    const row = `<tr${p.error ? ' class="lead"' : ''}><td>${escapeHtml(formatShortTime(p.startedAt))}</td><td>${ms === null ? '—' : formatDuration(ms)}</td><td>${status}</td>${[p.copied, p.present, p.skipped, p.failed, p.flagsSynced].map(num).join('')}<td class="n">${formatBytes(p.bytes)}</td><td class="n">${formatDuration(p.throttledMs)}</td></tr>`;
    return p.error
      ? `${row}\n<tr><td class="sub err" colspan="${PASS_HEADERS.length}">Error: ${bdi(p.error)}</td></tr>`
      : row;
  });
  return table(PASS_HEADERS, rows);
}

function foldersTable(folders: FolderReport[]): string {
  const rows = folders.map((f) => {
    const notes = [
      f.destination !== null && f.destination !== f.source
        ? `<div class="muted">→ ${bdi(f.destination)}</div>`
        : '',
      f.renamed ? `<div class="note">renamed: ${bdi(f.renamed)}</div>` : '',
      f.excluded ? `<div class="note">excluded: ${bdi(f.excluded)}</div>` : '',
      f.error ? `<div class="err">error: ${bdi(f.error)}</div>` : '',
    ].join('');
    return `<tr><td>${bdi(f.source)}${notes}</td>${[f.sourceItems, f.copied, f.present, f.skipped, f.failed, f.pending].map(num).join('')}</tr>`;
  });
  return table(['Folder', 'Source#', 'Copied#', 'Present#', 'Skipped#', 'Failed#', 'Pending#'], rows);
}

function itemsTable(items: MailboxReport['items']): string {
  const rows = items.map((x) => {
    const notes = [
      x.reason ? `<div class="${x.status === 'failed' ? 'err' : 'note'}">${bdi(x.reason)}</div>` : '',
      x.original ? `<pre class="muted">${escapeHtml(x.original)}</pre>` : '',
    ].join('');
    return `<tr><td${x.status === 'failed' ? ' class="err"' : ''}>${escapeHtml(x.status)}</td>${cell(x.kind)}<td>${bdi(x.name)}${notes}</td></tr>`;
  });
  return table(['Status', 'Kind', 'Item'], rows);
}

function problemsTable(problems: MailboxReport['problems']): string {
  const rows = problems
    .slice(0, PROBLEM_CAP)
    .map(
      (p) =>
        `<tr><td${p.status === 'failed' ? ' class="err"' : ''}>${escapeHtml(p.status)}</td>${cell(p.folder)}<td class="n">${p.uid}</td>${cell(p.reason)}</tr>`,
    );
  const more = problems.length - PROBLEM_CAP;
  if (more > 0)
    rows.push(
      `<tr><td class="more" colspan="4">… ${formatCount(more)} more (all of them: <code>cutover report --format json</code>)</td></tr>`,
    );
  return table(['Status', 'Folder', 'UID#', 'Reason'], rows);
}
