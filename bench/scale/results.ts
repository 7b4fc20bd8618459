/**
 * The scale benchmark's figures: what run.ts measured, the table it prints (Markdown, so the same text goes
 * into bench/RESULTS.md), and the append under the "Scale" heading of that file.
 */
import { appendFile, readFile } from 'node:fs/promises';
import os from 'node:os';
import type { Sample } from './api-probe.js';

/** Everything one benchmark run measured. */
export interface Figures {
  command: string;
  runtime: string;
  mailboxes: number;
  items: number;
  setupS: number;
  enqueueS: number;
  firstPassS: number;
  ledgerRows: number;
  databaseBytes: number;
  /** Bytes the database took before the project was set up (schema, queue tables). */
  baseBytes: number;
  deltaEnqueueS: number;
  deltaPassS: number;
  peakRssMb: number;
  /** Peak RSS of each worker process (empty when the workers run in the bench process). */
  workerRssMb: number[];
  samples: Sample[];
  /** The machine's 1-minute load average when the run started and when it ended (others share it). */
  load: [number, number];
}

/** The p-th percentile (nearest rank) of `xs`; NaN when empty. */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const n = (x: number, digits = 0) =>
  Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits }) : 'n/a';

/** "p95 82 ms (max 140 ms, 120 requests, 0 errors)" of one endpoint in one phase. */
function latency(samples: Sample[], endpoint: Sample['endpoint'], phase: string): string {
  const mine = samples.filter((s) => s.endpoint === endpoint && s.phase === phase);
  const ms = mine.map((s) => s.ms);
  const errors = mine.filter((s) => s.status !== 200).length;
  return `p95 ${n(percentile(ms, 95))} ms (median ${n(percentile(ms, 50))}, max ${n(Math.max(...ms))}; ${mine.length} requests${errors ? `, ${errors} not 200` : ''})`;
}

/** The figures as a Markdown table with the issue's targets beside them. */
export function figureTable(f: Figures): string {
  const perMillion = (f.databaseBytes - f.baseBytes) / (f.items / 1e6) / 2 ** 20;
  const deltaRate = f.ledgerRows / f.deltaPassS;
  const rows: Array<[string, string, string]> = [
    ['mailboxes × items', `${n(f.mailboxes)} × ${n(f.items / f.mailboxes)} = ${n(f.items)} items`, ''],
    ['set-up: project, mailboxes imported', `${n(f.setupS, 1)} s`, ''],
    ['plan and enqueue (first pass)', `${n(f.enqueueS, 2)} s`, ''],
    ['first pass, enqueue to last mailbox done', `${n(f.firstPassS, 1)} s`, ''],
    ['jobs/s (mailbox jobs, first pass)', n(f.mailboxes / f.firstPassS, 1), ''],
    ['ledger rows/s (first pass)', `${n(f.ledgerRows / f.firstPassS)} (${n(f.ledgerRows)} rows)`, ''],
    [
      'database size per million items',
      `${n(perMillion)} MB (${n(f.databaseBytes / 2 ** 20)} MB in all, ${n(f.baseBytes / 2 ** 20)} MB of it before set-up)`,
      '',
    ],
    [
      'delta pass over every ledger row (unchanged)',
      `${n(f.deltaPassS, 1)} s (plan and enqueue ${n(f.deltaEnqueueS, 2)} s); ${n(deltaRate)} rows/s`,
      '10 M rows < 600 s',
    ],
    ['10 M rows at that rate (linear)', `${n(1e7 / deltaRate)} s`, '< 600 s'],
    ['tracker, during the first pass', latency(f.samples, 'tracker', 'first pass'), 'p95 < 200 ms'],
    ['tracker, during the delta pass', latency(f.samples, 'tracker', 'delta pass'), 'p95 < 200 ms'],
    ['mailbox table, during the first pass', latency(f.samples, 'mailboxes', 'first pass'), ''],
    ['mailbox table, during the delta pass', latency(f.samples, 'mailboxes', 'delta pass'), ''],
    [
      `peak RSS of the bench process (${f.workerRssMb.length ? 'store, enqueue' : 'store, queue, workers'})`,
      `${n(f.peakRssMb)} MB`,
      '',
    ],
  ];
  if (f.workerRssMb.length)
    rows.push(['peak RSS of each worker process', f.workerRssMb.map((mb) => `${n(mb)} MB`).join(', '), '']);
  return [
    '| figure | measured | target (issue 18) |',
    '| --- | --- | --- |',
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** Append the run to `file` under its "## Scale" heading (added at the end the first time). */
export async function appendResults(file: string, f: Figures, table: string): Promise<void> {
  const text = await readFile(file, 'utf8');
  const heading = /^## Scale$/m.test(text)
    ? ''
    : '\n## Scale\n\nFigures of `npm run bench:scale` (bench/scale/run.ts): synthetic mailboxes (generated messages, a destination that throws them away) through the planner, queue, workers and ledger, and the API timed beside them. Appended by the benchmark, newest last.\n';
  const load = `load average ${f.load.map((x) => x.toFixed(1)).join(' → ')} on ${os.cpus().length} cores`;
  const entry = `\n### ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n\`${f.command}\` — ${f.runtime}; ${load}.\n\n${table}\n`;
  await appendFile(file, `${heading}${entry}`);
}
