/** `cutover status` and `cutover report`: read the store and account for every source item. */
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, PermanentError } from '../../errors.js';
import { renderHtml } from '../../reports/html.js';
import { writePdf } from '../../reports/pdf.js';
import { openStoreAt } from '../../store/db.js';
import { buildReport } from '../../services/report-service.js';
import { reportCsv, reportText } from '../report-format.js';
import { resolveDataDir, resolveStore, resolveTarget, type TargetOptions } from '../context.js';

export async function statusCommand(o: TargetOptions): Promise<void> {
  const store = await openStoreAt(resolveStore(o));
  try {
    const reports = await buildReport(store);
    if (reports.length === 0) process.stdout.write('No mailboxes yet: run `cutover migrate` first.\n');
    process.stdout.write(reportText(reports, false));
  } finally {
    await store.close();
  }
}

export async function reportCommand(
  o: TargetOptions & {
    format: 'text' | 'json' | 'csv' | 'html' | 'pdf';
    mailbox?: string[];
    output?: string;
  },
): Promise<void> {
  if (o.format === 'pdf' && !o.output)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      'A PDF report needs a file to write to.',
      'Add --output report.pdf (text, CSV, JSON and HTML go to standard output without it).',
    );
  const store = await openStoreAt(resolveStore(o));
  try {
    const reports = await buildReport(store, o.mailbox);
    const meta = { project: projectName(o), generatedAt: new Date() };
    if (o.format === 'pdf') {
      await writePdf(reports, meta, fs.createWriteStream(o.output!));
      process.stderr.write(`Wrote ${o.output}\n`);
      return;
    }
    if (o.format === 'html') {
      const html = renderHtml(reports, meta);
      if (o.output) fs.writeFileSync(o.output, html);
      else process.stdout.write(html);
      return;
    }
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

/** The project's name for a report title: the project file's name, else the data directory's. */
function projectName(o: TargetOptions): string {
  const file = o.project ?? process.env.CUTOVER_PROJECT ?? 'cutover.yaml';
  if (fs.existsSync(file)) {
    try {
      return resolveTarget({ project: file }).project.name;
    } catch {
      /* an unreadable project file: fall back to the directory name */
    }
  }
  return path.basename(path.dirname(resolveDataDir(o)));
}
