/** Number, size, time and text formatting shared by the HTML and PDF reports (one wording for both). */

const counts = new Intl.NumberFormat('en-US');

/** 1234567 → "1,234,567". */
export const formatCount = (n: number): string => counts.format(n);

/** Bytes in binary units, as the text report prints them (1 MB = 1024² bytes). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${formatCount(v)} bytes` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** A duration for people: "45 s", "12 min 05 s", "3 h 07 min", "2 d 04 h". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${pad(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${pad(m % 60)} min`;
  return `${Math.floor(h / 24)} d ${pad(h % 24)} h`;
}

/** A timestamp from the store (ISO 8601) as "2026-03-01 09:15:02 UTC"; unparseable input is shown as is. */
export function formatTime(iso: string | Date | null): string {
  if (iso === null) return '—';
  const d = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

/** A store timestamp for table cells: "2026-03-01 09:15" (UTC, said in the column header). */
export function formatShortTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 16).replace('T', ' ');
}

/** Milliseconds between two store timestamps, or null when either is missing or unparseable. */
export function between(start: string | null, end: string | null): number | null {
  if (!start || !end) return null;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isNaN(ms) ? null : ms;
}

// C0/C1 controls (bar tab and newlines) are not text: HTML forbids most of them and a PDF shows boxes.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;

/** Text from the store made safe to show: control characters become U+FFFD. */
export const printable = (s: string): string => s.replace(CONTROLS, '\uFFFD');

/** What a verdict needs of a mailbox report. */
export interface VerdictFacts {
  reconcile: 'reconciles' | 'ledger-only' | 'differs' | 'unaccounted';
  discrepancy?: string;
  verification?: { finishedAt: string; mode: string; current: boolean } | null;
}

/** Said when the ledger accounts for everything but nothing read the destination back since. */
export const LEDGER_ONLY = 'ledger only, not verified';

/** The reconcile verdict in words, the same as `cutover report` prints it. */
export function verdict(r: VerdictFacts): string {
  const v = r.verification;
  if (r.reconcile === 'reconciles')
    return `✓ reconciles: every source item is accounted for and was read back from the destination${v ? ` (verified ${formatTime(v.finishedAt)}${v.mode === 'deep' ? ', content compared' : ''})` : ''}`;
  if (r.reconcile === 'ledger-only')
    return `${LEDGER_ONLY}: the ledger accounts for every source item, but ${v ? 'a pass wrote after the last verification' : 'nothing read the destination back yet'}; run \`cutover verify\``;
  return `✗ does not reconcile: ${r.discrepancy ?? 'the totals do not add up'}`;
}

/** The verdict as a mark for tables: ✓ reconciles, ✗ does not, – not verified. */
export const verdictMark = (r: VerdictFacts): string =>
  r.reconcile === 'reconciles' ? '✓' : r.reconcile === 'ledger-only' ? '–' : '✗';
