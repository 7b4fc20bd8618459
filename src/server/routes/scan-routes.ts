/**
 * The Scan page: start a scan of a project (all or some mailboxes), poll its progress, list its scans, show one
 * per mailbox and folder with the problems found, compared with an earlier one, and export it (CSV, XLSX, JSON).
 */
import type { FastifyInstance } from 'fastify';
import { toCsv, toXlsx } from '../../exports/table.js';
import type { ScanRunService } from '../../services/scan-run-service.js';
import { compareScans, type ScanView } from '../../services/scan-service.js';
import { diffTable, folderTable, itemTable, mailboxTable } from '../../services/scan-tables.js';
import { errors, IdParams } from '../../schemas/common.js';
import { ProjectScan, ScanParams, ScanList, ScanQuery, ScanStart, ScanStatus } from '../../schemas/scan.js';
import { csrf, secured } from './route-kit.js';

const tags = ['scans'];

/** The scan with its comparison, as the page shows it. */
function withChanges(view: ScanView, earlier: ScanView | undefined) {
  const diff = earlier ? compareScans(earlier, view) : undefined;
  return {
    ...view,
    comparedWith: earlier?.scanId ?? null,
    changes: diff
      ? diff.map((d) => ({
          mailbox: d.mailbox,
          messages: d.messages,
          bytes: d.bytes,
          isNew: d.before === null,
          gone: d.after === null,
          foldersAdded: d.foldersAdded,
          foldersRemoved: d.foldersRemoved,
        }))
      : null,
  };
}

/** Register the scan routes (the session gate is added by the caller). */
export async function scanRoutes(app: FastifyInstance, opts: { scans: ScanRunService }): Promise<void> {
  const { scans } = opts;

  app.post<{ Params: IdParams; Body: ScanStart | undefined }>(
    '/api/projects/:id/scans',
    {
      schema: {
        tags,
        operationId: 'startProjectScan',
        summary: "Scan the project's mailboxes (read-only on both servers), in the background",
        security: csrf,
        params: IdParams,
        body: ScanStart,
        response: { 202: ScanStatus, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => reply.code(202).send(await scans.start(req.params.id, req.body?.mailboxes ?? [])),
  );

  app.get<{ Params: IdParams }>(
    '/api/projects/:id/scans/status',
    {
      schema: {
        tags,
        operationId: 'getProjectScanStatus',
        summary: 'The running scan’s progress, or the last one’s outcome',
        security: secured,
        params: IdParams,
        response: { 200: ScanStatus, ...errors(400, 401) },
      },
    },
    async (req) => scans.current(req.params.id),
  );

  app.get<{ Params: IdParams }>(
    '/api/projects/:id/scans',
    {
      schema: {
        tags,
        operationId: 'listProjectScans',
        summary: 'The scans of the project, newest first',
        security: secured,
        params: IdParams,
        response: { 200: ScanList, ...errors(400, 401, 404) },
      },
    },
    async (req) => ({ items: await scans.list(req.params.id) }),
  );

  app.get<{ Params: ScanParams; Querystring: ScanQuery }>(
    '/api/projects/:id/scans/:scanId',
    {
      schema: {
        tags,
        operationId: 'getProjectScan',
        summary: 'One scan per mailbox and folder, optionally compared with an earlier one; or its CSV/XLSX',
        security: secured,
        params: ScanParams,
        querystring: ScanQuery,
        response: { 200: ProjectScan, ...errors(400, 401, 404) },
      },
    },
    async (req, reply) => {
      const { id, scanId } = req.params;
      const view = await scans.view(id, scanId);
      const earlier = req.query.compare ? await scans.view(id, req.query.compare) : undefined;
      const out = withChanges(view, earlier);
      const format = req.query.format ?? 'json';
      if (format === 'json') return out;
      const name = `scan-${scanId}${earlier ? `-vs-${earlier.scanId}` : ''}`;
      const diff = earlier ? diffTable(compareScans(earlier, view)) : undefined;
      if (format === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}.csv"`)
          .send(toCsv(folderTable(view)));
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', `attachment; filename="${name}.xlsx"`)
        .send(
          Buffer.from(
            toXlsx([mailboxTable(view), folderTable(view), itemTable(view), ...(diff ? [diff] : [])]),
          ),
        );
    },
  );
}
