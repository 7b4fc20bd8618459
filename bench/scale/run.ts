/**
 * `npm run bench:scale`: the scale benchmark of issue 18 (a benchmark, not a test). A stored project of
 * synthetic mailboxes (bench/scale/synthetic-connector.ts: generated messages, a destination that throws
 * them away) goes through the real planner (`enqueueRun`), queue, workers (`startWorker`) and ledger, with
 * the real API serving the tracker and the mailbox table beside it; then an unchanged delta pass goes over
 * every ledger row. Where it runs (store, queue, worker processes) is decided in runtime.ts alone.
 *
 * Options: --mailboxes N (1000), --items-per-mailbox M (400), --folders F per mailbox (4), --workers W (4),
 * --concurrency C mailboxes per worker (2), --keep (keep the data directory), --no-record (do not append to
 * bench/RESULTS.md). Where: --database-url URL (an empty PostgreSQL database) or --postgres (a throwaway
 * server of test/harness/postgres.ts) runs on PostgreSQL with W `cutover worker` processes; neither (the
 * default) runs on the embedded SQLite store with W in-process workers. --cpu-prof-dir DIR (PostgreSQL
 * only): the worker processes write CPU profiles there. The issue's full size: --mailboxes 25000
 * --items-per-mailbox 400 --workers 4 --postgres.
 * Both passes are checked (every mailbox done; the first copied every item, the delta nothing); a run whose
 * check fails prints why and records nothing.
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { enqueueRun, waitForRun } from '../../src/services/shared-runs.js';
import type { RunMailboxRow } from '../../src/store/run-repo.js';
import type { ProbeMessage, Sample } from './api-probe.js';
import { appendResults, figureTable, type Figures } from './results.js';
import { openRuntime } from './runtime.js';
import { registerSynthetic } from './synthetic-connector.js';
import { createProject } from './synthetic-project.js';

const { values: argv } = parseArgs({
  options: {
    mailboxes: { type: 'string', default: '1000' },
    'items-per-mailbox': { type: 'string', default: '400' },
    folders: { type: 'string', default: '4' },
    workers: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '2' },
    keep: { type: 'boolean', default: false },
    'database-url': { type: 'string' },
    postgres: { type: 'boolean', default: false },
    'cpu-prof-dir': { type: 'string' },
    'no-record': { type: 'boolean', default: false },
  },
});
const whole = (flag: string, min: number): number => {
  const v = Number(argv[flag as keyof typeof argv]);
  if (!Number.isInteger(v) || v < min) throw new Error(`--${flag} must be a whole number ≥ ${min}.`);
  return v;
};
const opts = {
  mailboxes: whole('mailboxes', 1),
  items: whole('items-per-mailbox', 1),
  folders: whole('folders', 1),
  workers: whole('workers', 1),
  concurrency: whole('concurrency', 1),
};
if (opts.items < opts.folders) throw new Error('--items-per-mailbox must be at least --folders.');
const log = (s: string) => process.stdout.write(`${s}\n`);
const seconds = (ms: number) => ms / 1000;

/** Start the API process (api-probe.ts) over the runtime's store; resolves once it is logged in. */
async function startProbe(location: string, env: NodeJS.ProcessEnv, projectId: number) {
  const child = fork(
    path.join(import.meta.dirname, 'api-probe.ts'),
    [location, String(projectId), String(opts.folders), String(opts.items)],
    { execArgv: ['--import', 'tsx'], env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const next = () =>
    new Promise<ProbeMessage>((resolve, reject) => {
      child.once('message', (m) => resolve(m as ProbeMessage));
      child.once('exit', (code) => reject(new Error(`the API process exited (${code}) before answering`)));
    });
  const first = await next();
  if ('failed' in first) throw new Error(`the API process failed: ${first.failed}`);
  return {
    phase: (phase: string) => child.send({ phase }),
    /** Stop it without its samples (the benchmark failed). */
    kill: () => child.exitCode === null && child.kill(),
    async stop(): Promise<Sample[]> {
      const answer = next();
      child.send({ stop: true });
      const m = await answer;
      if (!('samples' in m)) throw new Error(`the API process answered ${JSON.stringify(m)}`);
      return m.samples;
    },
  };
}

/** Why a pass is not as it must be, or undefined. */
function checkPass(mailboxes: RunMailboxRow[], copiedEach: number): string | undefined {
  const bad = mailboxes.filter((m) => m.state !== 'done' || (m.counters?.copied ?? -1) !== copiedEach);
  if (!bad.length) return undefined;
  const m = bad[0]!;
  return `${bad.length} mailbox(es) not as expected, e.g. ${m.sourceUser}: ${m.state}, copied ${m.counters?.copied ?? 'n/a'} (expected ${copiedEach})${m.error ? `: ${m.error}` : ''}`;
}

/** One pass: enqueued (timed), then waited for; progress every ~10 s. */
async function pass(rt: Awaited<ReturnType<typeof openRuntime>>, projectId: number, name: string) {
  const t0 = performance.now();
  const runId = await enqueueRun({ ...rt.deps, queue: rt.queue }, projectId);
  const enqueued = performance.now();
  let said = enqueued;
  const done = await waitForRun(rt.store, runId, {
    ...(rt.lost ? { signal: rt.lost } : {}),
    // Reading every run mailbox costs more the more there are: look often on small runs, every 2 s on large.
    everyMs: Math.min(2000, Math.max(100, opts.mailboxes / 10)),
    onProgress: (ms) => {
      if (performance.now() - said < 10_000) return;
      said = performance.now();
      const finished = ms.filter((m) => m.state !== 'queued' && m.state !== 'running').length;
      log(`  ${name}: ${finished}/${ms.length} mailboxes, ${seconds(said - t0).toFixed(0)} s`);
    },
  });
  const end = performance.now();
  return { enqueueMs: enqueued - t0, passMs: end - t0, mailboxes: done.mailboxes };
}

async function main(): Promise<void> {
  const shape = { folders: opts.folders, items: opts.items };
  registerSynthetic(shape);
  const databaseUrl = argv['database-url'];
  if (databaseUrl && argv.postgres) throw new Error('Give --database-url or --postgres, not both.');
  const profileDir = argv['cpu-prof-dir'] && path.resolve(argv['cpu-prof-dir']);
  const rt = await openRuntime({
    workers: opts.workers,
    concurrency: opts.concurrency,
    shape,
    keep: argv.keep,
    ...(databaseUrl ? { databaseUrl } : {}),
    postgres: argv.postgres,
    ...(profileDir ? { profileDir } : {}),
  });
  const where = databaseUrl ? ' --database-url URL' : argv.postgres ? ' --postgres' : '';
  const command = `npm run bench:scale -- --mailboxes ${opts.mailboxes} --items-per-mailbox ${opts.items} --folders ${opts.folders} --workers ${opts.workers} --concurrency ${opts.concurrency}${where}`;
  log(`${command}\n  on ${rt.describe}; data in ${rt.location}`);
  let probe: Awaited<ReturnType<typeof startProbe>> | undefined;
  try {
    const baseBytes = await rt.databaseBytes();
    const loadAtStart = os.loadavg()[0]!;
    const t0 = performance.now();
    const projectId = await createProject(rt.deps, opts.mailboxes, opts.workers * opts.concurrency);
    const setupMs = performance.now() - t0;
    log(`  set-up: project and ${opts.mailboxes} mailboxes in ${seconds(setupMs).toFixed(1)} s`);
    probe = await startProbe(rt.location, rt.env, projectId);

    probe.phase('first pass');
    const first = await pass(rt, projectId, 'first pass');
    const firstProblem = checkPass(first.mailboxes, opts.items);
    if (firstProblem) throw new Error(`first pass: ${firstProblem}`);
    const ledgerRows = await rt.store.db
      .selectFrom('ledger')
      .select((e) => e.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const bytes = await rt.databaseBytes();

    probe.phase('delta pass');
    const delta = await pass(rt, projectId, 'delta pass');
    const deltaProblem = checkPass(delta.mailboxes, 0);
    if (deltaProblem) throw new Error(`delta pass: ${deltaProblem}`);
    const samples = await probe.stop();

    const items = opts.mailboxes * opts.items;
    const figures: Figures = {
      command,
      runtime: rt.describe,
      mailboxes: opts.mailboxes,
      items,
      setupS: seconds(setupMs),
      enqueueS: seconds(first.enqueueMs),
      firstPassS: seconds(first.passMs),
      ledgerRows: Number(ledgerRows.n),
      databaseBytes: bytes,
      baseBytes,
      deltaEnqueueS: seconds(delta.enqueueMs),
      deltaPassS: seconds(delta.passMs),
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      workerRssMb: rt.workerPeakRssMb?.() ?? [],
      samples,
      load: [loadAtStart, os.loadavg()[0]!],
    };
    const table = figureTable(figures);
    log(`\n${table}\n(load average ${figures.load.map((x) => x.toFixed(1)).join(' → ')})`);
    if (!argv['no-record']) {
      await appendResults(path.join(import.meta.dirname, '..', 'RESULTS.md'), figures, table);
      log(
        '\nAppended to bench/RESULTS.md under "Scale" (npx prettier --write bench/RESULTS.md aligns the table).',
      );
    }
  } finally {
    probe?.kill();
    await rt.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:scale failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
