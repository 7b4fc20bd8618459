/** Mailbox discovery: the source's mailboxes (Microsoft 365, Google Workspace) and adding the chosen ones. */
import type { FastifyInstance } from 'fastify';
import { discoverMailboxes } from '../../services/discovery-service.js';
import type { MailboxImportService } from '../../services/mailbox-import-service.js';
import type { ProjectService } from '../../services/project-service.js';
import type { ProjectMailboxRepo } from '../../store/project-mailbox-repo.js';
import { errors, IdParams } from '../../schemas/common.js';
import { DiscoverAddBody, DiscoverBody, DiscoveryResult } from '../../schemas/discovery.js';
import { ImportResult } from '../../schemas/mailboxes.js';
import { csrf } from './route-kit.js';

const tags = ['mailboxes'];

/** A CSV field, quoted when it must be. */
const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export async function discoverRoutes(
  app: FastifyInstance,
  opts: {
    projects: ProjectService;
    members: Pick<ProjectMailboxRepo, 'all'>;
    imports: MailboxImportService;
  },
): Promise<void> {
  const { projects, members, imports } = opts;

  app.post<{ Params: IdParams; Body: DiscoverBody }>(
    '/api/projects/:id/discover',
    {
      schema: {
        tags,
        operationId: 'discoverMailboxes',
        summary:
          "List the source's mailboxes with its admin login (Microsoft 365, Google Workspace); those the project has are marked known",
        security: csrf,
        params: IdParams,
        body: DiscoverBody,
        response: { 200: DiscoveryResult, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (req) => {
      const project = await projects.runtime(req.params.id);
      const mine = await members.all(req.params.id, {});
      project.mailboxes = mine.map((m) => ({
        sourceUser: m.sourceUser,
        destUser: m.destUser,
        starred: m.starred,
        options: project.defaults,
      }));
      const found = await discoverMailboxes(project, { includeSuspended: req.body?.includeSuspended });
      return {
        rows: found.rows.map((r) => ({ ...r, name: r.name ?? null, kind: r.kind ?? null })),
        suspendedLeftOut: found.suspendedLeftOut,
      };
    },
  );

  app.post<{ Params: IdParams; Body: DiscoverAddBody }>(
    '/api/projects/:id/discover/add',
    {
      schema: {
        tags,
        operationId: 'addDiscoveredMailboxes',
        summary:
          'Add the chosen discovered mailboxes to the project (as a CSV import: known ones updated, bad rows listed)',
        security: csrf,
        params: IdParams,
        body: DiscoverAddBody,
        response: { 200: ImportResult, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const lines = req.body.rows.map((r) => `${field(r.source)},${field(r.destination ?? r.source)}`);
      return imports.commit(req.params.id, ['source,destination', ...lines].join('\n'));
    },
  );
}
