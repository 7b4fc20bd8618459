/** `cutover migrate`: one pass over the project's mailboxes (or a one-off pair), with live progress. */
import fs from 'node:fs';
import { openStoreAt } from '../../store/db.js';
import { runMigration } from '../../services/migration-service.js';
import type { Phase } from '../../services/phases.js';
import { buildReport } from '../../services/report-service.js';
import { ProgressDisplay } from '../progress-display.js';
import { reportText } from '../report-format.js';
import { resolveTarget, type TargetOptions } from '../context.js';
import { verifiedExitCode, verifyAndPrint } from './verify.js';
import { ErrorCode, PermanentError } from '../../errors.js';

interface MigrateOptions extends TargetOptions {
  mailbox?: string[];
  dryRun?: boolean;
  phase?: Phase;
  progress?: boolean;
  /** Read the destination back at the end of the pass; the exit code reflects it. */
  verify?: boolean;
  deep?: boolean;
  format?: 'text' | 'json';
  /** Put the pass on the shared database's queue for `cutover worker` processes, and return. */
  enqueue?: boolean;
  /** As --enqueue, then follow the pass until it has ended. */
  wait?: boolean;
}

/**
 * This process's peak resident memory. Linux's VmHWM belongs to this program image; getrusage's maxRSS
 * would also count the parent's memory at fork time (it survives exec), so it is only the fallback.
 */
function peakMemoryMb(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kb) return Math.round(Number(kb) / 1024);
  } catch {
    /* not Linux */
  }
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

export async function migrateCommand(o: MigrateOptions): Promise<void> {
  if (o.enqueue || o.wait) return enqueueForWorkers(o);
  const { project, store: target, problems } = resolveTarget(o);
  for (const p of problems) process.stderr.write(`warning: ${p}\n`);
  if (problems.length)
    process.stderr.write(`warning: ${problems.length} mailbox row(s) skipped; the others run.\n`);
  const store = await openStoreAt(target);
  const unlock = await store.lockRun(project.name).catch(async (err: unknown) => {
    await store.close();
    throw err;
  });
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(
      '\nStopping cleanly (writes in flight finish or are discarded; rerun to resume). Press Ctrl-C again to quit at once.\n',
    );
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  const display = new ProgressDisplay(process.stderr, o.progress !== false && Boolean(process.stderr.isTTY));
  try {
    const outcomes = await runMigration(store, project, {
      only: o.mailbox,
      dryRun: o.dryRun,
      phase: o.phase,
      progress: display,
      signal: controller.signal,
    });
    display.stop();
    const verify = o.verify && !o.dryRun && !controller.signal.aborted;
    // With --verify --format json, standard output is the verification's JSON; the report goes to standard error.
    const verified = verify
      ? await verifyAndPrint(
          store,
          project,
          { mailbox: o.mailbox, deep: o.deep, format: o.format ?? 'text' },
          new ProgressDisplay(process.stderr, o.progress !== false && Boolean(process.stderr.isTTY)),
          controller.signal,
        )
      : undefined;
    const reports = await buildReport(
      store,
      outcomes.map((x) => x.label.split(' → ')[0]!),
    );
    if (o.dryRun) {
      for (const x of outcomes)
        process.stdout.write(
          `${x.label}: dry run — would copy ${x.counters?.copied ?? 0}, already present ${x.counters?.present ?? 0}, skip ${x.counters?.skipped ?? 0}${x.error ? `; ${x.error}` : ''}\n`,
        );
    } else
      (verified && o.format === 'json' ? process.stderr : process.stdout).write(reportText(reports, false));
    const failed = outcomes.filter((x) => x.status !== 'done');
    if (controller.signal.aborted) process.exitCode = 130;
    else if (
      failed.length ||
      reports.some((r) => r.totals.failed > 0 || r.itemTotals.failed > 0 || (!o.dryRun && !r.accounted))
    )
      process.exitCode = 1;
    else if (verified) process.exitCode = verifiedExitCode(verified);
    process.stderr.write(`Data: ${store.location}  ·  peak memory ${peakMemoryMb()} MB\n`);
  } finally {
    display.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await unlock();
    await store.close();
  }
}

/** --enqueue / --wait: the pass goes to the workers through the shared database (commands/enqueue.ts). */
async function enqueueForWorkers(o: MigrateOptions): Promise<void> {
  if (!o.project || o.from || o.to)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      '--enqueue and --wait run a project file’s pass on workers; a one-off --from/--to pair runs here.',
      'Give --project FILE (workers find the project in the database), or drop --enqueue/--wait.',
    );
  const { project, problems } = resolveTarget(o);
  for (const p of problems) process.stderr.write(`warning: ${p}\n`);
  // Loaded only here: an ordinary pass never loads the queue, pg or the services' composition.
  const [{ sharedDatabase }, { enqueueCommand }, { PgQueue }] = await Promise.all([
    import('./worker.js'),
    import('./enqueue.js'),
    import('../../runner/pg/pg-queue.js'),
  ]);
  const target = sharedDatabase(o, o.wait ? 'migrate --wait' : 'migrate --enqueue');
  const store = await openStoreAt(target);
  const queue = new PgQueue({ url: target.databaseUrl, presence: false });
  try {
    await queue.start();
    await enqueueCommand(store, queue, {
      project,
      projectFile: o.project,
      dataDir: store.dataDir,
      ...(o.mailbox ? { mailbox: o.mailbox } : {}),
      ...(o.phase ? { phase: o.phase } : {}),
      dryRun: o.dryRun ?? false,
      wait: o.wait ?? false,
      format: o.format ?? 'text',
    });
  } finally {
    await queue.close();
    await store.close();
  }
}
