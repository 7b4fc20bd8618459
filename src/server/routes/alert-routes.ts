/** Alert actions: get, a project's alerts, complete, archive, auto-archive by type, undo, e-mail to someone. */
import type { FastifyInstance } from 'fastify';
import type { AlertActionService } from '../../services/alert-action-service.js';
import { errors, IdParams, PageOf } from '../../schemas/common.js';
import {
  AlertAction,
  AlertDetail,
  EmailBody,
  EmailResult,
  ProjectAlertQuery,
  UndoBody,
  UndoResult,
} from '../../schemas/alerts.js';
import { csrf, secured } from './route-kit.js';

const tags = ['alerts'];

export async function alertRoutes(app: FastifyInstance, opts: { alerts: AlertActionService }): Promise<void> {
  const { alerts } = opts;

  app.get<{ Params: IdParams }>(
    '/api/alerts/:id',
    {
      schema: {
        tags,
        operationId: 'getAlert',
        summary: 'One alert, with its project and mailbox',
        security: secured,
        params: IdParams,
        response: { 200: AlertDetail, ...errors(400, 401, 404) },
      },
    },
    async (req) => alerts.get(req.params.id),
  );

  app.get<{ Params: IdParams; Querystring: ProjectAlertQuery }>(
    '/api/projects/:id/alerts',
    {
      schema: {
        tags,
        operationId: 'listProjectAlerts',
        summary: "The project's alerts (its own and its mailboxes'), newest first, paged and filtered",
        security: secured,
        params: IdParams,
        querystring: ProjectAlertQuery,
        response: { 200: PageOf(AlertDetail), ...errors(400, 401) },
      },
    },
    async (req) => alerts.list(req.params.id, req.query),
  );

  for (const action of ['complete', 'archive'] as const)
    app.post<{ Params: IdParams }>(
      `/api/alerts/:id/${action}`,
      {
        schema: {
          tags,
          operationId: `${action}Alert`,
          summary:
            action === 'complete'
              ? 'Mark an alert completed (resolved); undo restores it'
              : 'Archive an alert (ignore it); undo restores it',
          security: csrf,
          params: IdParams,
          response: { 200: AlertDetail, ...errors(400, 401, 403, 404) },
        },
      },
      async (req) => alerts.set(req.params.id, action),
    );

  app.post<{ Params: IdParams }>(
    '/api/alerts/:id/auto-archive',
    {
      schema: {
        tags,
        operationId: 'autoArchiveAlertType',
        summary:
          "Archive every alert of this alert's type in its project, now and whenever one is raised later",
        security: csrf,
        params: IdParams,
        response: { 200: AlertAction, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => alerts.autoArchive(req.params.id),
  );

  app.post<{ Body: UndoBody }>(
    '/api/alerts/undo',
    {
      schema: {
        tags,
        operationId: 'undoAlertAction',
        summary: 'Undo the last complete, archive or auto-archive (in a project, when given)',
        security: csrf,
        body: UndoBody,
        response: { 200: UndoResult, ...errors(400, 401, 403, 409) },
      },
    },
    async (req) => alerts.undo(req.body?.projectId),
  );

  app.post<{ Params: IdParams; Body: EmailBody }>(
    '/api/alerts/:id/email',
    {
      schema: {
        tags,
        operationId: 'emailAlert',
        summary: 'E-mail the alert to someone (once per recipient); 501 when SMTP is not configured',
        security: csrf,
        params: IdParams,
        body: EmailBody,
        response: { 200: EmailResult, ...errors(400, 401, 403, 404, 501) },
      },
    },
    async (req) => alerts.email(req.params.id, req.body.to, req.body.note),
  );
}
