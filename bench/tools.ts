/** Running the two migration tools under /usr/bin/time, and measuring the servers' CPU alongside. */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DovecotServer } from '../test/harness/dovecot.js';
import { DOVEADM } from './load.js';

/** What /usr/bin/time reports for one child process. */
export interface ProcessStats {
  label: string;
  code: number;
  wallS: number;
  userS: number;
  sysS: number;
  maxRssKb: number;
  /** Where stdout and stderr went. */
  log: string;
}

/** Source and destination login of one mailbox. */
export interface Job {
  user: string;
  password: string;
}

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** Run `cmd args` under `/usr/bin/time`, output to `log`; never rejects on a non-zero exit. */
export async function timed(label: string, cmd: string, args: string[], log: string): Promise<ProcessStats> {
  await mkdir(path.dirname(log), { recursive: true });
  const timeFile = `${log}.time`;
  const out = await open(log, 'w');
  try {
    const child = spawn('/usr/bin/time', ['-f', '%e %U %S %M', '-o', timeFile, cmd, ...args], {
      cwd: ROOT,
      stdio: ['ignore', out.fd, out.fd],
    });
    const code = await new Promise<number>((resolve) => {
      child.on('close', (c) => resolve(c ?? -1)).on('error', () => resolve(-1));
    });
    // time writes "Command exited with non-zero status N" before the figures when the child fails.
    const last = (await readFile(timeFile, 'utf8')).trim().split('\n').pop() ?? '';
    const [wallS, userS, sysS, maxRssKb] = last.split(' ').map(Number);
    return { label, code, wallS: wallS!, userS: userS!, sysS: sysS!, maxRssKb: maxRssKb!, log };
  } finally {
    await out.close();
  }
}

/** Node arguments that run the Cutover CLI from source through tsx (bin/cutover.js runs dist/ instead). */
export const CUTOVER_TSX = ['--import', 'tsx', 'src/cli/main.ts'];

/** Build Cutover as `npm install` does (tsc + the esbuild bundle) and return the node arguments of bin/cutover.js. */
export async function buildCutover(): Promise<string[]> {
  await run('npm', ['run', '--silent', 'build'], { cwd: ROOT });
  if (!existsSync(path.join(ROOT, 'dist', 'cutover.mjs')))
    throw new Error('npm run build produced no dist/cutover.mjs');
  return [path.join(ROOT, 'bin', 'cutover.js')];
}

/** The Cutover CLI (`cli` = node arguments) for one mailbox; a rerun with the same data dir is the delta pass. */
export function cutover(
  cli: string[],
  src: DovecotServer,
  dst: DovecotServer,
  job: Job,
  dataDir: string,
  log: string,
) {
  const url = (s: DovecotServer) => `imap://${job.user}:${job.password}@127.0.0.1:${s.imapPort}`;
  const args = [
    ...cli,
    'migrate',
    '--from',
    url(src),
    '--to',
    url(dst),
    '--data-dir',
    dataDir,
    '--no-progress',
  ];
  return timed(`cutover ${job.user}`, process.execPath, args, log);
}

/** One CSV field, quoted (RFC 4180) when it holds a comma, semicolon, tab, quote or line break. */
const csvField = (v: string) => (/[",;\t\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * Write `dir/cutover.yaml` and `dir/mailboxes.csv`: every job as one project, `mailboxes` at once and one
 * connection limit per server shared by all of them; Cutover's store goes to `dir/data`. Returns the project file.
 */
export async function writeCutoverProject(
  dir: string,
  src: DovecotServer,
  dst: DovecotServer,
  jobs: Job[],
  mailboxes: number,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  const server = (s: DovecotServer) =>
    `{ host: 127.0.0.1, port: ${s.imapPort}, tls: none, maxConnections: 40 }`;
  const yaml = [
    'name: bench',
    `source: ${server(src)}`,
    `destination: ${server(dst)}`,
    'mailboxes: mailboxes.csv',
    `concurrency: { mailboxes: ${mailboxes}, foldersPerMailbox: 3 }`,
    'dataDir: data',
    '',
  ].join('\n');
  const csv = [
    'source,destination,source_password,destination_password',
    ...jobs.map((j) => [j.user, j.user, j.password, j.password].map(csvField).join(',')),
    '',
  ].join('\n');
  const file = path.join(dir, 'cutover.yaml');
  await writeFile(file, yaml);
  await writeFile(path.join(dir, 'mailboxes.csv'), csv);
  return file;
}

/** The Cutover CLI over a whole project file in one process; a rerun (same dataDir) is the delta pass. */
export function cutoverProject(cli: string[], project: string, log: string) {
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles Cutover inside the benchmark.
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const args = [...nodeArgs, ...cli, 'migrate', '--project', project, '--no-progress'];
  return timed('cutover (project)', process.execPath, args, log);
}

/** dsync over imapc: reads the source through IMAP, writes straight into the destination's Maildir. */
export function dsyncArgs(src: DovecotServer, dst: DovecotServer, job: Job): string[] {
  return [
    ...['-c', path.join(dst.dir, 'dovecot.conf')],
    ...['-o', 'imapc_host=127.0.0.1', '-o', `imapc_port=${src.imapPort}`],
    ...['-o', `imapc_user=${job.user}`, '-o', `imapc_password=${job.password}`],
    // Dovecot's documented migration tuning; mail_fsync is left at the destination's default.
    ...['-o', 'imapc_features=rfc822.size fetch-headers', '-o', 'mail_prefetch_count=20'],
    ...['backup', '-R', '-u', job.user, 'imapc:'],
  ];
}

/** `doveadm backup -R` from the source into the destination for one mailbox. */
export function dsync(src: DovecotServer, dst: DovecotServer, job: Job, log: string) {
  return timed(`dsync ${job.user}`, DOVEADM, dsyncArgs(src, dst, job), log);
}

/** CPU seconds a process tree root has used: its own plus reaped children plus live children's. */
export function serverCpuS(server: DovecotServer): number {
  const stat = (pid: number) => {
    try {
      const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return s.slice(s.lastIndexOf(')') + 2).split(' ');
    } catch {
      return undefined;
    }
  };
  // Fields after "(comm)": 1 ppid, 11 utime, 12 stime, 13 cutime, 14 cstime (clock ticks).
  const ticks = (f: string[]) => Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  let total = ticks(stat(server.pid) ?? []);
  for (const e of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    const f = stat(Number(e));
    if (f && Number(f[1]) === server.pid) total += ticks(f);
  }
  return total / CLK_TCK;
}

/** Busy CPU seconds of the whole machine since boot (/proc/stat: all but idle and iowait). */
export function machineCpuS(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / CLK_TCK;
}

/** Run `fn` over `items` with at most `limit` at a time; results in input order. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
