/**
 * `cutover migrate --project FILE --database-url URL --enqueue | --wait`: the project file is stored (with the
 * passwords it gives, sealed), the next pass is recorded with one job per mailbox on the database's queue,
 * and workers (`cutover worker`) run it. --enqueue returns at once with the run's id; --wait follows the run
 * until every mailbox has ended and exits 0 only when each one's pass accounts for everything.
 */
import os from 'node:os';
import type { JobQueue } from '../../runner/job.js';
import { Services } from '../../app/compose.js';
import { ErrorCode, PermanentError } from '../../errors.js';
import type { Phase } from '../../services/phases.js';
import { buildReport } from '../../services/report-service.js';
import { enqueueRun, waitForRun } from '../../services/shared-runs.js';
import type { Store } from '../../store/db.js';
import { ProjectRepo } from '../../store/project-repo.js';
import type { ProjectConfig } from '../../config/types.js';
import { reportText } from '../report-format.js';
import { checkStoreKey } from '../../services/store-key-check.js';

export interface EnqueueOptions {
  project: ProjectConfig;
  projectFile: string;
  dataDir: string;
  mailbox?: string[];
  phase?: Phase;
  dryRun?: boolean;
  wait?: boolean;
  format?: 'text' | 'json';
}

export async function enqueueCommand(store: Store, queue: JobQueue, o: EnqueueOptions): Promise<void> {
  const services = new Services(store, { dataDir: o.dataDir });
  await checkStoreKey(store, services.box);
  await services.projects.importFile(o.projectFile, { store, members: services.members, dataDir: o.dataDir });
  const stored = await new ProjectRepo(store.db).byName(o.project.name);
  if (!stored) throw new Error(`project "${o.project.name}" was not stored`);
  const members = await services.members.all(stored.id);
  const unknown = (o.mailbox ?? []).filter((u) => !members.some((m) => m.sourceUser === u));
  if (unknown.length)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `Unknown mailbox: ${unknown.join(', ')}.`,
      'Use the source login exactly as in the mailboxes CSV.',
    );
  const ids = o.mailbox?.length
    ? members.filter((m) => o.mailbox!.includes(m.sourceUser)).map((m) => m.id)
    : undefined;
  const runId = await enqueueRun(
    { store, projects: services.projects, members: services.members, box: services.box, queue },
    stored.id,
    {
      ...(ids ? { selection: { ids } } : {}),
      ...(o.phase ? { phase: o.phase } : {}),
      dryRun: o.dryRun ?? false,
      origin: `by \`cutover migrate --enqueue\` on ${os.hostname()} (pid ${process.pid})`,
    },
  );
  process.stderr.write(`Queued run ${runId} of "${o.project.name}" for the workers.\n`);
  if (!o.wait) {
    process.stdout.write(o.format === 'json' ? `${JSON.stringify({ runId })}\n` : `${runId}\n`);
    return;
  }
  let last = '';
  const done = await waitForRun(store, runId, {
    everyMs: 1000,
    onProgress: (rows) => {
      const by = (s: string) => rows.filter((r) => r.state === s).length;
      const line = `${by('done')} done, ${by('running')} running, ${by('queued')} queued, ${by('failed')} failed of ${rows.length}`;
      if (line !== last) process.stderr.write(`${(last = line)}\n`);
    },
  });
  const reports = await buildReport(
    store,
    done.mailboxes.map((m) => m.sourceUser),
  );
  if (o.format === 'json')
    process.stdout.write(
      `${JSON.stringify({ runId, state: done.run.state, mailboxes: done.mailboxes }, null, 2)}\n`,
    );
  else if (!o.dryRun) process.stdout.write(reportText(reports, false));
  const bad =
    done.run.state !== 'done' ||
    done.mailboxes.some((m) => m.state !== 'done') ||
    reports.some((r) => r.totals.failed > 0 || r.itemTotals.failed > 0 || (!o.dryRun && !r.accounted));
  if (bad) process.exitCode = 1;
}
