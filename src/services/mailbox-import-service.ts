/**
 * CSV import of a project's mailboxes in two steps: preview (each row as it would be stored, and each bad
 * row with its line number and what to do), then commit (the same text again; good rows are stored in
 * chunks while other requests go on being answered, bad rows skipped; a commit cut short is finished by
 * committing again). Stateless: the client sends the CSV both times.
 */
import { parseMailboxCsvInSlices } from '../config/mailbox-csv.js';
import type { ConfigProblem, MailboxSpec } from '../config/types.js';
import type { ImportPreview, ImportResult } from '../schemas/mailboxes.js';
import type { MailboxOverrides, ProjectMailboxRepo } from '../store/project-mailbox-repo.js';
import { mailboxKey } from './migration-service.js';
import type { ProjectService } from './project-service.js';
import { serverIdentity } from './project-settings.js';

const FILE = 'upload.csv';

type Problem = ImportPreview['errors'][number];
type Row = ImportPreview['rows'][number];

const lineOf = (where: string | undefined) => Number(/:(\d+)$/.exec(where ?? '')?.[1] ?? 0);
const problem = (p: ConfigProblem): Problem => ({ line: lineOf(p.where), message: p.message, hint: p.hint });
const ymd = (d: Date | undefined) => (d ? d.toISOString().slice(0, 10) : undefined);

export class MailboxImportService {
  constructor(private readonly deps: { projects: ProjectService; members: ProjectMailboxRepo }) {}

  /** What a commit of this CSV would do, row by row, without storing anything. */
  async preview(projectId: number, csv: string): Promise<ImportPreview> {
    const { parsed, errors, warnings } = await this.parse(projectId, csv);
    const owners = await this.deps.members.byKeys(parsed.map((p) => p.key));
    const rows: Row[] = [];
    for (const p of parsed) {
      const existing = owners.get(p.key);
      rows.push({
        line: p.line,
        sourceUser: p.spec.sourceUser,
        destUser: p.spec.destUser,
        starred: p.spec.starred,
        itemTypes: (p.options.itemTypes as Row['itemTypes']) ?? null,
        since: p.options.since ?? null,
        before: p.options.before ?? null,
        action: !existing
          ? 'add'
          : existing.projectId === projectId || existing.projectId === null
            ? 'update'
            : 'conflict',
      });
    }
    return { rows, errors, warnings };
  }

  /** Store the CSV's good rows (added or updated by key); bad rows are reported and skipped. */
  async commit(projectId: number, csv: string): Promise<ImportResult> {
    const { parsed, errors } = await this.parse(projectId, csv);
    const r = await this.deps.members.upsertMany(
      projectId,
      parsed.map((p) => ({
        key: p.key,
        sourceUser: p.spec.sourceUser,
        destUser: p.spec.destUser,
        starred: p.spec.starred,
        options: p.options,
      })),
    );
    return { added: r.added, updated: r.updated, conflicts: r.conflicts.length, errors };
  }

  private async parse(projectId: number, csv: string) {
    const defaults = (await this.deps.projects.runtime(projectId)).defaults;
    const { settings } = await this.deps.projects.settings(projectId);
    const [src, dst] = [serverIdentity(settings.source), serverIdentity(settings.destination)];
    // In slices, like the commit's chunks: a 100,000-row file must not stop the server answering others.
    const { mailboxes, problems } = await parseMailboxCsvInSlices(csv, FILE, defaults);
    const errors = problems.map(problem);
    const warnings: Problem[] = [];
    const parsed: Array<{ line: number; spec: MailboxSpec; key: string; options: MailboxOverrides }> = [];
    const seen = new Map<string, number>();
    for (const [i, spec] of mailboxes.entries()) {
      if (i % 2000 === 1999) await new Promise<void>((resolve) => setImmediate(resolve));
      const line = lineOf(spec.origin);
      const key = mailboxKey(src, dst, spec);
      const first = seen.get(key);
      if (first !== undefined) {
        errors.push({
          line,
          message: `${spec.sourceUser} → ${spec.destUser} is listed twice (first on line ${first}).`,
          hint: 'Keep one of the two rows.',
        });
        continue;
      }
      seen.set(key, line);
      if (spec.sourceAuth || spec.destAuth)
        warnings.push({
          line,
          message: 'Password columns are not stored by this import.',
          hint: 'Hand passwords over through the credentials import or the users’ credential links.',
        });
      const options: MailboxOverrides = {};
      if (spec.options.itemTypes.join() !== defaults.itemTypes.join())
        options.itemTypes = spec.options.itemTypes;
      if (ymd(spec.options.since) !== ymd(defaults.since)) options.since = ymd(spec.options.since);
      if (ymd(spec.options.before) !== ymd(defaults.before)) options.before = ymd(spec.options.before);
      parsed.push({ line, spec, key, options });
    }
    errors.sort((a, b) => a.line - b.line);
    return { parsed, errors, warnings };
  }
}
