/** `cutover status` and `cutover report`: read the store and account for every source item. */
import { openStore } from '../../store/db.js';
import { buildReport } from '../../services/report-service.js';
import { reportCsv, reportText } from '../report-format.js';
import { resolveDataDir, type TargetOptions } from '../context.js';

export async function statusCommand(o: TargetOptions): Promise<void> {
  const store = await openStore(resolveDataDir(o));
  try {
    const reports = await buildReport(store);
    if (reports.length === 0) process.stdout.write('No mailboxes yet: run `cutover migrate` first.\n');
    process.stdout.write(reportText(reports, false));
  } finally {
    await store.close();
  }
}

export async function reportCommand(
  o: TargetOptions & { format: 'text' | 'json' | 'csv'; mailbox?: string[] },
): Promise<void> {
  const store = await openStore(resolveDataDir(o));
  try {
    const reports = await buildReport(store, o.mailbox);
    if (o.format === 'json')
      process.stdout.write(
        JSON.stringify(
          {
            generatedAt: new Date().toISOString(),
            reconciles: reports.every((r) => r.reconciles),
            mailboxes: reports,
          },
          null,
          2,
        ) + '\n',
      );
    else if (o.format === 'csv') process.stdout.write(reportCsv(reports));
    else process.stdout.write(reportText(reports, true));
  } finally {
    await store.close();
  }
}
