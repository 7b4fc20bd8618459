/** `cutover migrate`: one pass over the project's mailboxes (or a one-off pair), with live progress. */
import { openStore } from '../../store/db.js';
import { runMigration } from '../../services/migration-service.js';
import { buildReport } from '../../services/report-service.js';
import { ProgressDisplay } from '../progress-display.js';
import { reportText } from '../report-format.js';
import { resolveTarget, type TargetOptions } from '../context.js';

interface MigrateOptions extends TargetOptions {
  mailbox?: string[];
  dryRun?: boolean;
  progress?: boolean;
}

export async function migrateCommand(o: MigrateOptions): Promise<void> {
  const { project, dataDir, problems } = resolveTarget(o);
  for (const p of problems) process.stderr.write(`warning: ${p}\n`);
  if (problems.length)
    process.stderr.write(`warning: ${problems.length} mailbox row(s) skipped; the others run.\n`);
  const store = await openStore(dataDir);
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
      progress: display,
      signal: controller.signal,
    });
    display.stop();
    const reports = await buildReport(
      store,
      outcomes.map((x) => x.label.split(' → ')[0]!),
    );
    if (o.dryRun) {
      for (const x of outcomes)
        process.stdout.write(
          `${x.label}: dry run — would copy ${x.counters?.copied ?? 0}, already present ${x.counters?.present ?? 0}, skip ${x.counters?.skipped ?? 0}${x.error ? `; ${x.error}` : ''}\n`,
        );
    } else process.stdout.write(reportText(reports, false));
    const failed = outcomes.filter((x) => x.status !== 'done');
    if (controller.signal.aborted) process.exitCode = 130;
    else if (failed.length || reports.some((r) => r.totals.failed > 0)) process.exitCode = 1;
    process.stderr.write(`Data: ${store.location}\n`);
  } finally {
    display.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    await store.close();
  }
}
