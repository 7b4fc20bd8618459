/** Reports for download: per project and per mailbox, as CSV, JSON or the printable HTML page. */
import { Readable } from 'node:stream';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ProjectReportService, ReportFormat } from '../../services/project-report-service.js';
import { errors, IdParams, StringEnum } from '../../schemas/common.js';
import { secured } from './route-kit.js';

const tags = ['reports'];
const ReportQuery = Type.Object(
  {
    format: StringEnum(['csv', 'json', 'html'], { default: 'csv', description: 'html: the printable page' }),
  },
  { additionalProperties: false },
);
type ReportQuery = Static<typeof ReportQuery>;

const TYPES: Record<ReportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  html: 'text/html; charset=utf-8',
};
const download = {
  200: {
    description: 'The report (CSV: one row per folder; JSON: every mailbox with folders, passes, problems)',
    content: {
      'text/csv': { schema: Type.String() },
      'application/json': { schema: Type.Object({}, { additionalProperties: true }) },
      'text/html': { schema: Type.String() },
    },
  },
  ...errors(400, 401, 404),
};

/** HTML opens in the browser to print; CSV and JSON download as files. */
const disposition = (format: ReportFormat, name: string) =>
  `${format === 'html' ? 'inline' : 'attachment'}; filename="${name.replace(/[^\w.@-]+/g, '_')}"`;

export async function reportRoutes(
  app: FastifyInstance,
  opts: { reports: ProjectReportService },
): Promise<void> {
  const { reports } = opts;

  app.get<{ Params: IdParams; Querystring: ReportQuery }>(
    '/api/projects/:id/report',
    {
      schema: {
        tags,
        operationId: 'getProjectReport',
        summary: 'The project report: every source item of every mailbox accounted for (streamed)',
        security: secured,
        params: IdParams,
        querystring: ReportQuery,
        response: download,
      },
    },
    async (req, reply) => {
      const { format } = req.query;
      const name = await reports.name(req.params.id); // 404 before anything is sent
      return reply
        .type(TYPES[format])
        .header('content-disposition', disposition(format, `report-${name}.${format}`))
        .send(Readable.from(reports.project(req.params.id, format)));
    },
  );

  app.get<{ Params: IdParams; Querystring: ReportQuery }>(
    '/api/mailboxes/:id/report',
    {
      schema: {
        tags,
        operationId: 'getMailboxReportFile',
        summary: "One mailbox's report: per folder, where every source item ended",
        security: secured,
        params: IdParams,
        querystring: ReportQuery,
        response: download,
      },
    },
    async (req, reply) => {
      const { format } = req.query;
      const r = await reports.mailbox(req.params.id, format);
      return reply
        .type(TYPES[format])
        .header('content-disposition', disposition(format, r.name))
        .send(r.body);
    },
  );
}
