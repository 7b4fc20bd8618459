/** Read routes over the store (mailboxes, alerts, the latest scan). All need a session; alert actions: alert-routes.ts. */
import type { FastifyInstance } from 'fastify';
import { mailboxReport } from '../../services/report-service.js';
import { scanView } from '../../services/scan-service.js';
import type { Store } from '../../store/db.js';
import { MailboxRepo } from '../../store/mailbox-repo.js';
import { PageRepo } from '../../store/page-repo.js';
import type { AuthService } from '../../services/auth-service.js';
import { ApiError } from '../errors.js';
import { ErrorCode } from '../../errors.js';
import {
  Alert,
  AlertQuery,
  errors,
  IdParams,
  Mailbox,
  MailboxQuery,
  MailboxReport,
  PageOf,
  ScanView,
} from '../../schemas/common.js';
import { requireSession } from '../../http/session-hook.js';

const secured = [{ sessionCookie: [] }];

export async function dataRoutes(
  app: FastifyInstance,
  opts: { store: Store; auth: AuthService },
): Promise<void> {
  const { store } = opts;
  const pages = new PageRepo(store.db);
  const mailboxes = new MailboxRepo(store.db);
  app.addHook('onRequest', requireSession(opts.auth));

  app.get<{ Querystring: MailboxQuery }>(
    '/api/mailboxes',
    {
      schema: {
        tags: ['mailboxes'],
        operationId: 'listMailboxes',
        summary: 'Mailboxes, paged, sorted and filtered',
        security: secured,
        querystring: MailboxQuery,
        response: { 200: PageOf(Mailbox), ...errors(400, 401) },
      },
    },
    async (req) => pages.mailboxes(req.query),
  );

  app.get<{ Params: IdParams }>(
    '/api/mailboxes/:id',
    {
      schema: {
        tags: ['mailboxes'],
        operationId: 'getMailboxReport',
        summary: "One mailbox's report: per folder, where every source item ended",
        security: secured,
        params: IdParams,
        response: { 200: MailboxReport, ...errors(400, 401, 404) },
      },
    },
    async (req) => {
      const m = await mailboxes.get(req.params.id);
      if (!m)
        throw new ApiError(
          404,
          ErrorCode.NotFound,
          `No mailbox ${req.params.id}.`,
          'List them with GET /api/mailboxes.',
        );
      return mailboxReport(store, m);
    },
  );

  app.get<{ Querystring: AlertQuery }>(
    '/api/alerts',
    {
      schema: {
        tags: ['alerts'],
        operationId: 'listAlerts',
        summary: 'Alerts (all statuses unless filtered), paged',
        security: secured,
        querystring: AlertQuery,
        response: { 200: PageOf(Alert), ...errors(400, 401) },
      },
    },
    async (req) => pages.alerts(req.query),
  );

  app.get(
    '/api/scans/latest',
    {
      schema: {
        tags: ['scans'],
        operationId: 'getLatestScan',
        summary:
          'The newest scan by `cutover scan` (projects have theirs under /api/projects/:id/scans), per mailbox',
        security: secured,
        response: { 200: ScanView, ...errors(401, 404) },
      },
    },
    async () => {
      const view = await scanView(store, null);
      if (!view) throw new ApiError(404, ErrorCode.NotFound, 'No scan yet.', 'Run `cutover scan` first.');
      return view;
    },
  );
}
