/** Printing the benchmark's figures, ratios and verification results. */
import os from 'node:os';
import type { Check } from './load.js';
import type { ProcessStats } from './tools.js';

/** One full or delta pass of one tool over every mailbox. */
export interface Pass {
  wallS: number;
  clientCpuS: number;
  serverCpuS: number;
  peakRssMb: number;
  /** CPU the rest of the machine used meanwhile (other work, kernel writeback): high means noisy figures. */
  otherCpuS: number;
  failed: string[];
  procs: ProcessStats[];
}

/** Everything measured for one tool. */
export interface ToolResult {
  /** How the tool ran, e.g. "project (1 process, 4 mailboxes at once)" or "per-mailbox (4 processes, 4 at once)". */
  mode: string;
  full: Pass;
  delta: Pass;
  check: Check;
  deltaCheck: Check;
}

/** Round to `d` decimals. */
export const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;
const log = (s: string) => process.stdout.write(`${s}\n`);

/** Print the table and Cutover's ratios to dsync; returns both for the JSON file. */
export function printFigures(results: Record<string, ToolResult>, messages: number, mb: number) {
  const rows = Object.entries(results).map(([tool, r]) => ({
    tool,
    mode: r.mode,
    wallS: round(r.full.wallS),
    msgsPerS: round(messages / r.full.wallS, 0),
    mbPerS: round(mb / r.full.wallS, 1),
    clientCpuS: round(r.full.clientCpuS),
    clientCpuMsPerMsg: round((r.full.clientCpuS * 1000) / messages, 3),
    serverCpuS: round(r.full.serverCpuS),
    peakRssMb: round(r.full.peakRssMb, 0),
    deltaWallS: round(r.delta.wallS),
    deltaCpuS: round(r.delta.clientCpuS + r.delta.serverCpuS),
    destMessages: r.deltaCheck.destMessages,
  }));
  log('');
  console.table(Object.fromEntries(rows.map(({ tool, ...rest }) => [tool, rest])));
  const [c, d] = [results.cutover!, results.dsync];
  if (!d) return { rows, ratios: undefined };
  const ratios = {
    wall: round(c.full.wallS / d.full.wallS),
    throughput: round(d.full.wallS / c.full.wallS),
    clientCpu: round(c.full.clientCpuS / d.full.clientCpuS),
    totalCpu: round((c.full.clientCpuS + c.full.serverCpuS) / (d.full.clientCpuS + d.full.serverCpuS)),
    peakRss: round(c.full.peakRssMb / d.full.peakRssMb),
    deltaWall: round(c.delta.wallS / d.delta.wallS),
  };
  log('Cutover ÷ dsync (above 1 = Cutover slower / uses more, except throughput):');
  log(
    Object.entries(ratios)
      .map(([k, v]) => `  ${k}: ${v}×`)
      .join('\n'),
  );
  log(
    '\nCPU: client = the tool processes (user+sys, /usr/bin/time); server = source + that destination Dovecot.',
  );
  log(
    'Peak RSS = the largest single tool process (in project mode, the one process for every mailbox). MB = 10^6 bytes. Delta = rerun with nothing new.',
  );
  const others = Object.entries(results).map(([t, r]) => `${t} ${round(r.full.otherCpuS)} s`);
  log(
    `Other CPU on the machine during the full passes (other work, kernel writeback): ${others.join(', ')}.`,
  );
  if (Object.values(results).some((r) => r.full.otherCpuS > 0.25 * r.full.wallS * os.cpus().length)) {
    log('WARNING: the machine was busy with other work during a pass; the figures are noisy.');
  }
  return { rows, ratios };
}

/** Print the count/identity checks and failed runs, loudly when wrong; true when anything is wrong. */
export function printChecks(results: Record<string, ToolResult>): boolean {
  let bad = false;
  for (const [tool, r] of Object.entries(results)) {
    const checks = { 'after full pass': r.check, 'after delta pass': r.deltaCheck };
    for (const [when, ch] of Object.entries(checks)) {
      const ok = ch.missing === 0 && ch.extra === 0 && ch.destMessages === ch.sourceMessages;
      const line = `${tool} ${when}: source ${ch.sourceMessages}, destination ${ch.destMessages}, missing ${ch.missing}, extra ${ch.extra}, flag/date differences ${ch.metadataDiffs}`;
      if (!ok) log(`\n!!!!! WARNING: COUNT MISMATCH — ${line}\n`);
      else log(`${ch.metadataDiffs ? 'WARNING (metadata) ' : 'ok: '}${line}`);
      if (ch.folderDiffs.length) log(`WARNING: folder lists differ: ${ch.folderDiffs.join(', ')}`);
      bad ||= !ok || ch.metadataDiffs > 0 || ch.folderDiffs.length > 0;
    }
    for (const f of [...r.full.failed, ...r.delta.failed]) log(`!!!!! WARNING: ${f}`);
    bad ||= r.full.failed.length + r.delta.failed.length > 0;
  }
  return bad;
}
