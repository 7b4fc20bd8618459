/**
 * The operator's communications routes, per project (/api/projects/:id/comms…): overview and schedule, templates
 * (edit, reset, preview), test send, send now, and the project's own message log; and messages per mailbox.
 */
import type { FastifyInstance } from 'fastify';
import { defaultPlan } from '../../config/plan.js';
import type { CommsHub } from '../comms-hub.js';
import { MessageRepo } from '../../store/message-repo.js';
import type { AuthService } from '../../services/auth-service.js';
import {
  CommsOverview,
  KindParams,
  LogItem,
  MessageItem,
  Rendered,
  SendStatus,
  Template,
  TemplateBody,
  TestSendBody,
  TickResult,
} from '../../schemas/comms.js';
import { errors, IdParams, PageOf, paging } from '../../schemas/common.js';
import { requireSession } from '../../http/session-hook.js';
import { Type, type Static } from '@sinclair/typebox';

const secured = [{ sessionCookie: [] }];
const csrf = [{ sessionCookie: [], csrfHeader: [] }];
const tags = ['communications'];

export async function commsRoutes(app: FastifyInstance, opts: { hub: CommsHub; auth: AuthService }) {
  const { hub } = opts;
  app.addHook('onRequest', requireSession(opts.auth));

  app.get<{ Params: IdParams }>(
    '/api/projects/:id/comms',
    {
      schema: {
        tags,
        operationId: 'getComms',
        summary: 'Who is written to, warnings, and the schedule derived from the plan',
        security: secured,
        params: IdParams,
        response: { 200: CommsOverview, ...errors(400, 401, 404) },
      },
    },
    async (req) => {
      const { project, service } = await hub.service(req.params.id);
      const plan = project.plan ?? defaultPlan();
      return {
        communications: plan.communications,
        smtpConfigured: hub.smtpConfigured,
        publicUrl: hub.publicUrl ?? null,
        warnings: await hub.warnings(project, req.params.id),
        schedule: (await service.schedule()).map((w) => ({
          kind: w.kind,
          event: w.event,
          from: w.from.toISOString(),
          until: w.until?.toISOString() ?? null,
        })),
      };
    },
  );

  app.get<{ Params: IdParams }>(
    '/api/projects/:id/comms/templates',
    {
      schema: {
        tags,
        operationId: 'listCommsTemplates',
        summary: 'The message templates in force',
        security: secured,
        params: IdParams,
        response: { 200: Type.Array(Template), ...errors(400, 401, 404) },
      },
    },
    async (req) => (await hub.service(req.params.id)).service.templates.all(),
  );

  app.put<{ Params: KindParams; Body: TemplateBody }>(
    '/api/projects/:id/comms/templates/:kind',
    {
      schema: {
        tags,
        operationId: 'updateCommsTemplate',
        summary: 'Edit a template (unknown placeholders are refused)',
        security: csrf,
        params: KindParams,
        body: TemplateBody,
        response: { 200: Template, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const { service } = await hub.service(req.params.id);
      await service.templates.save(req.params.kind, req.body);
      return { kind: req.params.kind, edited: true, ...(await service.templates.get(req.params.kind)) };
    },
  );

  app.delete<{ Params: KindParams }>(
    '/api/projects/:id/comms/templates/:kind',
    {
      schema: {
        tags,
        operationId: 'resetCommsTemplate',
        summary: 'Back to the default template',
        security: csrf,
        params: KindParams,
        response: { 204: { type: 'null' }, ...errors(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await (await hub.service(req.params.id)).service.templates.reset(req.params.kind);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: KindParams }>(
    '/api/projects/:id/comms/templates/:kind/preview',
    {
      schema: {
        tags,
        operationId: 'previewCommsTemplate',
        summary: 'The template filled with example values',
        security: secured,
        params: KindParams,
        response: { 200: Rendered, ...errors(400, 401, 404) },
      },
    },
    async (req) => (await hub.service(req.params.id)).service.preview(req.params.kind),
  );

  app.post<{ Params: IdParams; Body: TestSendBody }>(
    '/api/projects/:id/comms/test',
    {
      schema: {
        tags,
        operationId: 'sendCommsTest',
        summary: 'Send the preview of a message to an address (kept in the project’s log)',
        security: csrf,
        params: IdParams,
        body: TestSendBody,
        response: { 200: SendStatus, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => ({
      status: await (await hub.service(req.params.id, true)).service.testSend(req.body.kind, req.body.to),
    }),
  );

  app.post<{ Params: IdParams }>(
    '/api/projects/:id/comms/run',
    {
      schema: {
        tags,
        operationId: 'runComms',
        summary: 'Send what is due now for the project’s mailboxes',
        security: csrf,
        params: IdParams,
        response: { 200: TickResult, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => (await hub.service(req.params.id, true)).service.tick(),
  );

  const LogQuery = Type.Object(paging, { additionalProperties: false });
  app.get<{ Params: IdParams; Querystring: Static<typeof LogQuery> }>(
    '/api/projects/:id/comms/messages',
    {
      schema: {
        tags,
        operationId: 'listCommsMessages',
        summary: 'Every message sent or tried for the project, newest first: to whom, when, how it went',
        security: secured,
        params: IdParams,
        querystring: LogQuery,
        response: { 200: PageOf(LogItem), ...errors(400, 401, 404) },
      },
    },
    async (req) => {
      await hub.service(req.params.id); // 404 for an unknown project
      const page = await new MessageRepo(hub.store.db).page({ projectId: req.params.id, ...req.query });
      return {
        total: page.total,
        offset: req.query.offset,
        limit: req.query.limit,
        items: page.items.map(({ mailboxId: _m, smtpId: _s, ...m }) => m),
      };
    },
  );

  app.get<{ Params: IdParams }>(
    '/api/mailboxes/:id/messages',
    {
      schema: {
        tags,
        operationId: 'listMailboxMessages',
        summary: 'Every message sent (or tried) for a mailbox',
        security: secured,
        params: IdParams,
        response: { 200: Type.Array(MessageItem), ...errors(400, 401) },
      },
    },
    async (req) =>
      (await new MessageRepo(hub.store.db).list(req.params.id)).map(
        ({ mailboxId: _m, smtpId: _s, ...m }) => m,
      ),
  );
}
