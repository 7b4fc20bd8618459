/** What the PDF report shows, section by section — the same content as the HTML report (html.ts). */
import type { FolderReport, MailboxReport } from './report-types.js';
import type { PassRow } from '../store/mailbox-repo.js';
import {
  between,
  formatBytes,
  formatCount,
  formatDuration,
  formatShortTime,
  formatTime,
  verdict,
  verdictMark,
} from './format.js';
import type { Layout, Style } from './pdf-layout.js';
import { drawTable, type Cell, type Column } from './pdf-table.js';
import {
  PROBLEM_CAP,
  allReconcileLine,
  unreconciledCount,
  unverifiedLine,
  type ProjectSummary,
  type ReportMeta,
} from './summary.js';

const GREEN = '#0b6b2f';
const RED = '#a11d1d';
const NOTE = '#6b4e00';
const MUTED = '#555555';

const n = formatCount;

function heading(L: Layout, text: string, size = 10.5): void {
  const style = { bold: true, size };
  L.gap(6);
  L.ensure(L.lineHeight(style) + 40); // keep a heading with the start of what follows
  L.paragraph(text, style);
  L.gap(2);
}

type Tone = boolean | 'unverified';

/** Green for reconciles, red for does not, amber for ledger only (not verified). */
const toneColor = (t: Tone) => (t === 'unverified' ? NOTE : t ? GREEN : RED);
const tone = (r: MailboxReport): Tone =>
  r.reconcile === 'reconciles' ? true : r.reconcile === 'ledger-only' ? 'unverified' : false;

function verdictLine(L: Layout, t: Tone, text: string): void {
  L.gap(3);
  L.paragraph(text, { bold: true, color: toneColor(t), size: 9.5 });
  L.gap(3);
}

type Totals = MailboxReport['totals'];
const TOTALS: Column<Totals>[] = [
  { header: 'Source items', weight: 1, numeric: true, cell: (t) => n(t.sourceItems) },
  { header: 'Copied', weight: 1, numeric: true, cell: (t) => n(t.copied) },
  { header: 'Already present', weight: 1.2, numeric: true, cell: (t) => n(t.present) },
  { header: 'Skipped', weight: 1, numeric: true, cell: (t) => n(t.skipped) },
  { header: 'Failed', weight: 1, numeric: true, cell: (t) => n(t.failed) },
  { header: 'Pending', weight: 1, numeric: true, cell: (t) => n(t.pending) },
  { header: 'Data copied', weight: 1.1, numeric: true, cell: (t) => formatBytes(t.bytesCopied) },
];

/** The first page: project figures. */
export function drawSummary(L: Layout, s: ProjectSummary, meta: ReportMeta): void {
  L.ensure(0);
  L.paragraph(`Migration report: ${meta.project}`, { bold: true, size: 16 });
  L.paragraph(`Generated ${formatTime(meta.generatedAt)}`, { color: MUTED });
  const bad = unreconciledCount(s);
  const more = bad - s.unreconciled.length;
  if (bad > 0)
    verdictLine(
      L,
      false,
      `✗ ${n(bad)} of ${n(s.mailboxes)} mailbox(es) do not reconcile: ${s.unreconciled.join(', ')}${more > 0 ? ` … ${n(more)} more` : ''}`,
    );
  if (s.unverified > 0) verdictLine(L, 'unverified', unverifiedLine(s, n));
  if (bad === 0 && s.unverified === 0) verdictLine(L, true, allReconcileLine(s, n));
  const span = between(s.firstStart, s.lastEnd);
  const rows: Array<[string, string]> = [
    [
      'Mailboxes',
      `${n(s.mailboxes)} (${n(s.reconciling)} reconcile${s.unverified ? `, ${n(s.unverified)} not verified` : ''})`,
    ],
    ['Status', [...s.statuses].map(([k, v]) => `${k} ${n(v)}`).join(', ') || '—'],
    [
      'Migration time',
      s.firstStart
        ? `${formatTime(s.firstStart)} → ${s.lastEnd ? formatTime(s.lastEnd) : '—'}${span !== null ? ` (${formatDuration(span)})` : ''}${s.unfinishedPasses ? `; ${n(s.unfinishedPasses)} pass(es) not finished` : ''}`
        : 'no pass yet',
    ],
    ['Passes', n(s.passes)],
    ['Throttled', formatDuration(s.throttledMs)],
    [
      'Folders',
      `${n(s.folders)}: ${n(s.foldersRenamed)} renamed, ${n(s.foldersExcluded)} excluded, ${n(s.foldersFailed)} failed`,
    ],
  ];
  const labelW = 95;
  for (const [label, value] of rows) {
    const lines = L.wrap(value, L.width - labelW);
    L.ensure(lines.length * L.lineHeight());
    L.draw(label, L.left, L.y, { color: MUTED });
    for (const line of lines) {
      L.draw(line, L.left + labelW, L.y);
      L.y += L.lineHeight();
    }
  }
  L.gap(6);
  drawTable(L, TOTALS, [s]);
}

/** One line per mailbox (call in slices, `first` only for the first, so a long list can stream). */
export function drawOverview(L: Layout, reports: readonly MailboxReport[], first: boolean): void {
  if (first) heading(L, 'Mailboxes');
  const columns: Column<MailboxReport>[] = [
    { header: 'Mailbox', weight: 168, cell: (r) => r.mailbox },
    { header: 'Status', weight: 55, cell: (r) => r.status },
    { header: 'Source', weight: 44, numeric: true, cell: (r) => n(r.totals.sourceItems) },
    { header: 'Copied', weight: 44, numeric: true, cell: (r) => n(r.totals.copied) },
    { header: 'Present', weight: 43, numeric: true, cell: (r) => n(r.totals.present) },
    { header: 'Skipped', weight: 45, numeric: true, cell: (r) => n(r.totals.skipped) },
    { header: 'Failed', weight: 38, numeric: true, cell: (r) => n(r.totals.failed) },
    { header: 'Pending', weight: 44, numeric: true, cell: (r) => n(r.totals.pending) },
    {
      header: 'Reconciles',
      weight: 52,
      cell: (r) => verdictMark(r),
      style: (r) => ({ bold: true, color: toneColor(tone(r)) }),
    },
  ];
  drawTable(L, columns, reports, { header: first });
}

/** One mailbox, starting on a new page. */
export function drawMailbox(L: Layout, r: MailboxReport): void {
  L.newPage();
  L.doc.outline.addItem(r.mailbox);
  const title = r.destination !== r.mailbox ? `${r.mailbox} → ${r.destination}` : r.mailbox;
  L.paragraph(title, { bold: true, size: 13 });
  L.paragraph(`status: ${r.status}`, { color: MUTED });
  verdictLine(L, tone(r), verdict(r));
  if (r.lastError) L.paragraph(`Last error: ${r.lastError}`, { color: RED });
  L.gap(2);
  drawTable(L, TOTALS, [r.totals]);

  heading(L, `Passes (${n(r.passes.length)})`);
  if (r.passes.length) drawTable(L, PASSES, r.passes);
  else L.paragraph('No pass yet.', { color: MUTED });

  heading(L, `Folders (${n(r.folders.length)})`);
  if (r.folders.length) drawTable(L, FOLDERS, r.folders);
  else L.paragraph('No folders listed.', { color: MUTED });

  heading(L, `Problems (${n(r.problems.length)})`);
  if (r.problems.length) {
    drawTable(L, PROBLEMS, r.problems.slice(0, PROBLEM_CAP));
    const more = r.problems.length - PROBLEM_CAP;
    if (more > 0)
      L.paragraph(`… ${n(more)} more (all of them: cutover report --format json)`, { color: MUTED });
  } else L.paragraph('No skipped or failed items.', { color: MUTED });

  if (r.items.length) {
    heading(L, `Filters and other items (${n(r.items.length)})`);
    drawTable(L, ITEMS, r.items);
  }
}

const PASSES: Column<PassRow>[] = [
  { header: 'Started (UTC)', weight: 86, cell: (p) => formatShortTime(p.startedAt) },
  {
    header: 'Duration',
    weight: 60,
    cell: (p) => {
      const ms = between(p.startedAt, p.finishedAt);
      return ms === null ? '—' : formatDuration(ms);
    },
  },
  {
    header: 'Status',
    weight: 62,
    cell: (p): Cell => [
      { text: `${p.status}${p.dryRun ? ' (dry run)' : ''}` },
      ...(p.error ? [{ text: `Error: ${p.error}`, style: { color: RED, size: 7.5 } }] : []),
    ],
  },
  { header: 'Copied', weight: 43, numeric: true, cell: (p) => n(p.copied) },
  { header: 'Present', weight: 43, numeric: true, cell: (p) => n(p.present) },
  { header: 'Skipped', weight: 45, numeric: true, cell: (p) => n(p.skipped) },
  { header: 'Failed', weight: 37, numeric: true, cell: (p) => n(p.failed) },
  { header: 'Flags', weight: 33, numeric: true, cell: (p) => n(p.flagsSynced) },
  { header: 'Data', weight: 50, numeric: true, cell: (p) => formatBytes(p.bytes) },
  { header: 'Throttled', weight: 56, numeric: true, cell: (p) => formatDuration(p.throttledMs) },
];

const note = (text: string, color: string): { text: string; style: Style } => ({
  text,
  style: { color, size: 7.5 },
});

const FOLDERS: Column<FolderReport>[] = [
  {
    header: 'Folder',
    weight: 5,
    cell: (f) => [
      { text: f.source },
      ...(f.destination !== null && f.destination !== f.source ? [note(`→ ${f.destination}`, MUTED)] : []),
      ...(f.renamed ? [note(`renamed: ${f.renamed}`, NOTE)] : []),
      ...(f.excluded ? [note(`excluded: ${f.excluded}`, NOTE)] : []),
      ...(f.error ? [note(`error: ${f.error}`, RED)] : []),
    ],
  },
  { header: 'Source', weight: 1, numeric: true, cell: (f) => n(f.sourceItems) },
  { header: 'Copied', weight: 1, numeric: true, cell: (f) => n(f.copied) },
  { header: 'Present', weight: 1, numeric: true, cell: (f) => n(f.present) },
  { header: 'Skipped', weight: 1, numeric: true, cell: (f) => n(f.skipped) },
  { header: 'Failed', weight: 0.9, numeric: true, cell: (f) => n(f.failed) },
  { header: 'Pending', weight: 0.9, numeric: true, cell: (f) => n(f.pending) },
];

type Item = MailboxReport['items'][number];
const ITEMS: Column<Item>[] = [
  {
    header: 'Status',
    weight: 1,
    cell: (x) => x.status,
    style: (x) => (x.status === 'failed' ? { color: RED } : undefined),
  },
  { header: 'Kind', weight: 1, cell: (x) => x.kind },
  {
    header: 'Item',
    weight: 7,
    cell: (x) => [
      { text: x.name },
      ...(x.reason ? [note(x.reason, x.status === 'failed' ? RED : NOTE)] : []),
      ...(x.original ? [note(x.original, MUTED)] : []),
    ],
  },
];

type Problem = MailboxReport['problems'][number];
const PROBLEMS: Column<Problem>[] = [
  {
    header: 'Status',
    weight: 1,
    cell: (p) => p.status,
    style: (p) => (p.status === 'failed' ? { color: RED } : undefined),
  },
  { header: 'Folder', weight: 2.6, cell: (p) => p.folder },
  { header: 'UID', weight: 0.9, numeric: true, cell: (p) => String(p.uid) },
  { header: 'Reason', weight: 5.5, cell: (p) => p.reason ?? '' },
];
