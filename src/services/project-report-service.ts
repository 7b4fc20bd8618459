/**
 * Reports for download: per mailbox and per project, as CSV (one row per folder, safe against formula
 * injection), JSON and the printable HTML page. Project reports are produced mailbox by mailbox and sent
 * as they are made, so a 25,000-mailbox project streams with flat memory (the HTML page is built whole).
 */
import { REPORT_CSV_HEADER, reportCsvRows } from '../reports/csv.js';
import { renderHtml } from '../reports/html.js';
import type { Store } from '../store/db.js';
import { MailboxRepo } from '../store/mailbox-repo.js';
import type { ProjectMailboxRepo } from '../store/project-mailbox-repo.js';
import type { ProjectService } from './project-service.js';
import { mailboxReport, type MailboxReport } from './report-service.js';
import { NotFoundError } from '../errors.js';

export type ReportFormat = 'csv' | 'json' | 'html';

export class ProjectReportService {
  constructor(
    private readonly deps: { store: Store; projects: ProjectService; members: ProjectMailboxRepo },
  ) {}

  /** One mailbox's report in `format`, and a file name for it. */
  async mailbox(id: number, format: ReportFormat): Promise<{ name: string; body: string }> {
    const m = await new MailboxRepo(this.deps.store.db).get(id);
    if (!m) throw new NotFoundError(`No mailbox ${id}.`, 'List them with GET /api/projects/{id}/mailboxes.');
    const r = await mailboxReport(this.deps.store, m);
    const name = `report-${m.sourceUser.replace(/[^\w.@-]+/g, '_')}.${format}`;
    if (format === 'csv') return { name, body: REPORT_CSV_HEADER + reportCsvRows(r) };
    if (format === 'json')
      return { name, body: JSON.stringify({ generatedAt: new Date().toISOString(), ...r }, null, 2) };
    return { name, body: renderHtml([r], { project: m.sourceUser, generatedAt: new Date() }) };
  }

  /** The project's name (404 when there is none), for file names and titles. */
  async name(projectId: number): Promise<string> {
    return (await this.deps.projects.settings(projectId)).name;
  }

  /** The project's report in `format`, piece by piece. */
  async *project(projectId: number, format: ReportFormat): AsyncGenerator<string> {
    const name = await this.name(projectId);
    if (format === 'html') {
      const all: MailboxReport[] = [];
      for await (const r of this.reports(projectId)) all.push(r);
      yield renderHtml(all, { project: name, generatedAt: new Date() });
      return;
    }
    if (format === 'csv') {
      yield REPORT_CSV_HEADER;
      for await (const r of this.reports(projectId)) yield reportCsvRows(r);
      return;
    }
    yield `{"project":${JSON.stringify(name)},"generatedAt":"${new Date().toISOString()}","mailboxes":[`;
    let first = true;
    let reconciles = true;
    for await (const r of this.reports(projectId)) {
      reconciles &&= r.reconciles;
      yield (first ? '\n' : ',\n') + JSON.stringify(r);
      first = false;
    }
    yield `\n],"reconciles":${reconciles}}\n`;
  }

  private async *reports(projectId: number): AsyncGenerator<MailboxReport> {
    const repo = new MailboxRepo(this.deps.store.db);
    for (const id of await this.deps.members.ids(projectId, {})) {
      const m = await repo.get(id);
      if (m) yield await mailboxReport(this.deps.store, m);
    }
  }
}
