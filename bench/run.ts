/**
 * `npm run bench`: Cutover against dsync (doveadm backup over imapc) on one deterministic corpus.
 * Options (or env): --users N (BENCH_USERS, 4), --messages N per user (BENCH_MESSAGES, 2000), --seed N
 * (BENCH_SEED, 1), --flat (every message 2–10 KB in INBOX: the huge-folder case), --parallel N mailboxes at once per tool (BENCH_PARALLEL, 4), --tsx (Cutover run from
 * source through tsx instead of compiled, which adds ~1 s of CPU per process), --keep (keep logs and Cutover's data; kept anyway when something is wrong).
 * Cutover runs as it is meant to for many mailboxes: ONE `migrate --project FILE` process over a generated project
 * file and mailboxes CSV (start-up paid once, connection limits shared); --cutover-per-mailbox (BENCH_CUTOVER_PER_MAILBOX=1)
 * runs one `migrate --from … --to …` process per mailbox instead, as dsync always does.
 * --latency MS[±JITTER] (BENCH_LATENCY): every IMAP connection of both tools goes through the delay proxy
 * (bench/fault-proxy.ts), MS (± JITTER) milliseconds added each way — to the source for both tools and to
 * Cutover's destination (dsync writes its destination's storage directly, so it has no such hop).
 * --command-log FILE (BENCH_COMMAND_LOG, with --latency): every command and tagged answer through the delay
 * proxies, one line each — milliseconds since the proxies started, side and connection (`src#3`), `>` for a
 * command, `<` for its answer — to see which round trips a pass waits for one after another.
 * --cutover-only: leave dsync out (profiling runs; no ratios are printed against it).
 */
import { execFile } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { startDovecot, type DovecotServer } from '../test/harness/dovecot.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { planCorpus } from './corpus.js';
import { fingerprints, loadMaildir, logProblems, verify } from './load.js';
import { printChecks, printFigures, round, type Pass, type ToolResult } from './report.js';
import {
  buildCutover,
  CUTOVER_TSX,
  cutover,
  cutoverProject,
  dsync,
  dsyncArgs,
  machineCpuS,
  pool,
  serverCpuS,
  timed,
  writeCutoverProject,
  type Job,
  type ProcessStats,
} from './tools.js';

const { values: argv } = parseArgs({
  options: {
    users: { type: 'string' },
    messages: { type: 'string' },
    seed: { type: 'string' },
    parallel: { type: 'string' },
    keep: { type: 'boolean' },
    flat: { type: 'boolean' },
    tsx: { type: 'boolean' },
    'cutover-per-mailbox': { type: 'boolean' },
    latency: { type: 'string' },
    'command-log': { type: 'string' },
    'cutover-only': { type: 'boolean' },
  },
});
const num = (flag: string | undefined, env: string, dflt: number) => Number(flag ?? process.env[env] ?? dflt);
const perMailboxFlag =
  argv['cutover-per-mailbox'] === true || /^(1|true|yes)$/i.test(process.env.BENCH_CUTOVER_PER_MAILBOX ?? '');
const opts = {
  users: num(argv.users, 'BENCH_USERS', 4),
  messages: num(argv.messages, 'BENCH_MESSAGES', 2000),
  flat: argv.flat ?? false,
  seed: num(argv.seed, 'BENCH_SEED', 1),
  // Mailboxes migrated at once, the same for both tools: dsync (and per-mailbox Cutover) runs that many processes
  // at once; project-mode Cutover runs one process with concurrency.mailboxes = parallel.
  parallel: num(argv.parallel, 'BENCH_PARALLEL', 4),
  // Cutover: one process over a project file (default), or one process per mailbox like dsync.
  cutoverMode: perMailboxFlag ? ('per-mailbox' as const) : ('project' as const),
  latency: argv.latency ?? process.env.BENCH_LATENCY ?? '',
  commandLog: argv['command-log'] ?? process.env.BENCH_COMMAND_LOG ?? '',
};
const log = (s: string) => process.stdout.write(`${s}\n`);
const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How a tool ran: its processes for one pass over every mailbox, and a label for the table. */
interface Runner {
  dst: DovecotServer;
  mode: string;
  run: (tag: string) => Promise<ProcessStats[]>;
}

/** Every mailbox through `fn`, one process each, `opts.parallel` at a time. */
const perMailbox = (jobs: Job[], fn: (job: Job) => Promise<ProcessStats>) => pool(jobs, opts.parallel, fn);

/** Run one tool's pass over every mailbox, timing it and the servers it talks to. */
async function pass(servers: DovecotServer[], run: () => Promise<ProcessStats[]>) {
  const cpu = () => servers.reduce((s, x) => s + serverCpuS(x), 0);
  await exec('sync', []); // flush earlier writes (corpus, the other tool) so no pass pays for them
  const each0 = servers.map(serverCpuS);
  const cpu0 = cpu();
  const busy0 = machineCpuS();
  const t0 = performance.now();
  const procs = await run();
  const wallS = (performance.now() - t0) / 1000;
  await sleep(500); // let the servers' imap processes finish logging out before the last CPU sample
  const client = procs.reduce((s, p) => s + p.userS + p.sysS, 0);
  const server = cpu() - cpu0;
  const each = servers.map((x, i) => (serverCpuS(x) - each0[i]!).toFixed(2));
  process.stdout.write(`  server CPU by server (source first): ${each.join(' s, ')} s\n`);
  return {
    wallS,
    clientCpuS: client,
    serverCpuS: server,
    peakRssMb: Math.max(...procs.map((p) => p.maxRssKb / 1024)),
    otherCpuS: Math.max(0, machineCpuS() - busy0 - client - server),
    failed: procs.filter((p) => p.code !== 0).map((p) => `${p.label} exited ${p.code} (log: ${p.log})`),
    procs,
  } satisfies Pass;
}

/** Cutover skips bad mailboxes-CSV rows with a warning and still exits 0: count that as a failed run too. */
async function flagSkippedRows(p: Pass) {
  for (const proc of p.procs) {
    const skipped = (await readFile(proc.log, 'utf8').catch(() => '')).match(/warning: .*row\(s\) skipped.*/);
    if (skipped) p.failed.push(`${proc.label}: ${skipped[0]} (log: ${proc.log})`);
  }
}

const servers: DovecotServer[] = [];
const proxies: FaultProxy[] = [];
const commandLog: WriteStream | undefined = opts.commandLog ? createWriteStream(opts.commandLog) : undefined;
const logStart = performance.now();
/** The server as the tools see it (`side` names it in the command log): behind the delay proxy with --latency, else itself. */
async function reached(server: DovecotServer, side: string): Promise<DovecotServer> {
  if (!opts.latency) return server;
  const proxy = await startFaultProxy({
    target: { host: '127.0.0.1', port: server.imapPort },
    profile: `delay:${opts.latency}`,
    log:
      commandLog &&
      ((conn, dir, line) =>
        commandLog.write(
          `${Math.round(performance.now() - logStart)} ${side}#${conn} ${dir} ${line.slice(0, 160)}\n`,
        )),
  });
  proxies.push(proxy);
  // Everything else (its data directories, doveadm) stays the server's own.
  return Object.create(server, { imapPort: { value: proxy.port } }) as DovecotServer;
}
const work = await mkdtemp(path.join(os.tmpdir(), 'cutover-bench-'));
let keep = argv.keep === true;
try {
  const plan = planCorpus(opts);
  const jobs: Job[] = [...plan.keys()].map((user) => ({ user, password: `pw-${user}` }));
  const start = async () => {
    const s = await startDovecot({ layout: 'maildir++', delimiter: '/', users: jobs });
    servers.push(s);
    return s;
  };
  const [src, dstCutover, dstDsync] = [await start(), await start(), await start()];
  // What the tools connect to (the same servers, behind the delay proxy with --latency).
  const [srcSeen, dstCutoverSeen] = [await reached(src, 'src'), await reached(dstCutover, 'dst')];
  if (opts.latency) log(`Latency: ${opts.latency} ms added each way on every IMAP connection of both tools`);

  let t0 = performance.now();
  const bytes = (await pool([...plan], 4, ([user, specs]) => loadMaildir(src, user, specs))).reduce(
    (a, b) => a + b,
  );
  const messages = opts.users * opts.messages;
  const mb = bytes / 1e6;
  log(
    `Corpus: ${opts.users} users × ${opts.messages} messages = ${messages} messages, ${round(mb, 1)} MB, seed ${opts.seed}`,
  );
  log(`Loaded into the source Maildir and indexed in ${round((performance.now() - t0) / 1000, 1)} s`);
  t0 = performance.now();
  const srcPrints = new Map<string, string[]>();
  for (const { user } of jobs) srcPrints.set(user, await fingerprints(src, user));
  log(
    `Source fingerprints read in ${round((performance.now() - t0) / 1000, 1)} s; ${opts.parallel} mailboxes at once per tool\n`,
  );

  // Default: compiled JS, as bin/cutover.js runs it after `npm install`; --tsx: from source.
  const cli = argv.tsx ? CUTOVER_TSX : await buildCutover();
  const cliName = argv.tsx
    ? `node ${CUTOVER_TSX.join(' ')}`
    : 'node bin/cutover.js (built and bundled, as after npm install)';
  const atOnce = Math.min(opts.parallel, jobs.length);
  const perMailboxMode = `per-mailbox (${jobs.length} processes, ${atOnce} at once)`;
  let cutoverRunner: Runner;
  if (opts.cutoverMode === 'project') {
    const project = await writeCutoverProject(work, srcSeen, dstCutoverSeen, jobs, opts.parallel);
    log(
      `Cutover runs as: ${cliName} migrate --project ${project} --no-progress (one process for all ${jobs.length} mailboxes, ${atOnce} at once)\n`,
    );
    cutoverRunner = {
      dst: dstCutover,
      mode: `project (1 process, ${atOnce} mailboxes at once)`,
      run: async (tag) => [await cutoverProject(cli, project, path.join(work, 'logs', `cutover-${tag}.log`))],
    };
  } else {
    log(`Cutover runs as: ${cliName} migrate --from … --to … (one process per mailbox)\n`);
    cutoverRunner = {
      dst: dstCutover,
      mode: perMailboxMode,
      run: (tag) =>
        perMailbox(jobs, (j) =>
          cutover(
            cli,
            srcSeen,
            dstCutoverSeen,
            j,
            path.join(work, 'data', j.user),
            path.join(work, 'logs', `cutover-${tag}-${j.user}.log`),
          ),
        ),
    };
  }
  const runs: Record<string, Runner> = { cutover: cutoverRunner };
  if (argv['cutover-only'] !== true)
    runs.dsync = {
      dst: dstDsync,
      mode: perMailboxMode,
      run: (tag) =>
        perMailbox(jobs, (j) =>
          dsync(srcSeen, dstDsync, j, path.join(work, 'logs', `dsync-${tag}-${j.user}.log`)),
        ),
    };
  // Fixed cost in every Cutover process: tsx compiling and loading the CLI (`--version` does nothing else).
  const startup = await timed(
    'cutover --version',
    process.execPath,
    [...cli, '--version'],
    path.join(work, 'logs', 'startup.log'),
  );
  const results: Record<string, ToolResult> = {};
  for (const [tool, { dst, mode, run }] of Object.entries(runs)) {
    log(`${tool}: full pass…`);
    const full = await pass([src, dst], () => run('full'));
    const check = await verify(src, srcPrints, dst);
    log(`${tool}: delta pass…`);
    const delta = await pass([src, dst], () => run('delta'));
    const deltaCheck = await verify(src, srcPrints, dst);
    await flagSkippedRows(full);
    await flagSkippedRows(delta);
    results[tool] = { mode, full, delta, check, deltaCheck };
  }

  const { rows, ratios } = printFigures(results, messages, mb);
  log(
    `Cutover start-up alone (${cliName} --version): ${startup.wallS} s wall, ${round(startup.userS + startup.sysS)} s CPU, ${round(startup.maxRssKb / 1024, 0)} MB RSS — paid once per process (${results.cutover!.full.procs.length} Cutover process(es) per pass here).`,
  );
  let bad = printChecks(results);
  const named = { source: src, 'cutover destination': dstCutover, 'dsync destination': dstDsync };
  for (const [name, server] of Object.entries(named)) {
    const problems = await logProblems(server);
    if (problems.length)
      log(`!!!!! WARNING: ${problems.length} error/warning line(s) in the ${name} Dovecot log, e.g.:`);
    for (const l of problems.slice(0, 5)) log(`    ${l}`);
    bad ||= problems.some((l) => !l.includes(': Warning:'));
  }
  keep ||= bad;

  const out = path.join(import.meta.dirname, 'results', 'latest.json');
  await mkdir(path.dirname(out), { recursive: true });
  const json = {
    date: new Date().toISOString(),
    host: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model,
      memGb: round(os.totalmem() / 2 ** 30, 1),
      node: process.version,
    },
    options: { ...opts, cutoverCli: cliName },
    cutoverMode: results.cutover!.mode,
    corpus: { messages, bytes },
    dsyncCommand: `doveadm ${dsyncArgs(src, dstDsync, jobs[0]!)
      .join(' ')
      .replace(/imapc_password=\S+/, 'imapc_password=…')}`,
    rows,
    ratios,
    cutoverStartup: startup,
    results,
    logs: keep ? work : undefined,
  };
  await writeFile(out, `${JSON.stringify(json, null, 2)}\n`);
  log(`\nResults: ${out}${keep ? `\nLogs and Cutover data kept in ${work}` : ''}`);
  if (bad) process.exitCode = 1;
} finally {
  await Promise.all(proxies.map((p) => p.stop()));
  commandLog?.end();
  await Promise.all(servers.map((s) => s.stop()));
  if (!keep) await rm(work, { recursive: true, force: true });
}
