/** The operator's credential routes: state per mailbox, stage counts, link issue/revoke/open, CSV import. */
import type { FastifyInstance } from 'fastify';
import { portalPath, type PortalDeps } from '../../portal/portal-deps.js';
import { importCredentials } from '../../services/credential-import.js';
import { credentialOverview } from '../../services/credential-overview.js';
import { clientSetupStage, credentialStage } from '../../services/credential-stage.js';
import { requiredSides } from '../../services/credential-service.js';
import { CredentialRepo } from '../../store/credential-repo.js';
import { MailboxRepo } from '../../store/mailbox-repo.js';
import type { AuthService } from '../../services/auth-service.js';
import {
  CredentialQuery,
  CredentialRow,
  CredentialStages,
  ImportBody,
  ImportResult,
  IssuedLink,
  LinkQuery,
} from '../../schemas/credential.js';
import { ApiError } from '../errors.js';
import { ErrorCode } from '../../errors.js';
import { errors, IdParams, PageOf } from '../../schemas/common.js';
import { requireSession } from '../../http/session-hook.js';
import { Type, type Static } from '@sinclair/typebox';
import { toCsv, toXlsx } from '../../exports/table.js';
import { credentialLinksTable } from '../../services/credential-links-export.js';
import { StringEnum } from '../../schemas/common.js';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const LinksQuery = Type.Object(
  {
    format: StringEnum(['csv', 'xlsx'], { default: 'csv' }),
    projectId: Type.Optional(Type.Integer({ minimum: 1, description: "Only this project's mailboxes" })),
  },
  { additionalProperties: false },
);
type LinksQuery = Static<typeof LinksQuery>;

const secured = [{ sessionCookie: [] }];
const csrf = [{ sessionCookie: [], csrfHeader: [] }];
const tags = ['credentials'];

export async function credentialRoutes(app: FastifyInstance, opts: { deps: PortalDeps; auth: AuthService }) {
  const { deps } = opts;
  const db = deps.store.db;
  const mailboxes = new MailboxRepo(db);
  app.addHook('onRequest', requireSession(opts.auth));

  const mailbox = async (id: number) => {
    const m = await mailboxes.get(id);
    if (!m)
      throw new ApiError(404, ErrorCode.NotFound, `No mailbox ${id}.`, 'List them with GET /api/mailboxes.');
    return m;
  };
  const required = async () => {
    const project = await deps.projects.single().catch(() => undefined);
    return project ? requiredSides(project) : undefined;
  };
  const linkUrl = (token: string) => `${deps.publicUrl ?? ''}${portalPath(token)}`;

  app.get<{ Querystring: CredentialQuery }>(
    '/api/credentials',
    {
      schema: {
        tags,
        operationId: 'listCredentials',
        summary: 'Credential state per mailbox (never the passwords)',
        security: secured,
        querystring: CredentialQuery,
        response: { 200: PageOf(CredentialRow), ...errors(400, 401) },
      },
    },
    async (req) => ({
      ...(await credentialOverview(db, { ...req.query, required: await required() })),
      offset: req.query.offset,
      limit: req.query.limit,
    }),
  );

  app.get<{ Querystring: LinksQuery }>(
    '/api/credentials/links',
    {
      schema: {
        tags,
        operationId: 'exportCredentialLinks',
        summary: "Every mailbox's personal link as CSV or XLSX (mailboxes without a live link get one)",
        security: secured,
        querystring: LinksQuery,
        response: {
          200: {
            description: 'source, destination, link, expires',
            content: {
              'text/csv': { schema: Type.String() },
              [XLSX]: { schema: Type.String({ format: 'binary' }) },
            },
          },
          ...errors(400, 401),
        },
      },
    },
    async (req, reply) => {
      const table = await credentialLinksTable(db, deps.links, {
        publicUrl: deps.publicUrl,
        projectId: req.query.projectId,
      });
      const xlsx = req.query.format === 'xlsx';
      return reply
        .header('content-type', xlsx ? XLSX : 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="credential-links.${xlsx ? 'xlsx' : 'csv'}"`)
        .header('cache-control', 'no-store')
        .send(xlsx ? Buffer.from(toXlsx([table])) : toCsv(table));
    },
  );

  app.get(
    '/api/credentials/stages',
    {
      schema: {
        tags,
        operationId: 'getCredentialStages',
        summary: 'Tracker counts: credentials present/verified, client set-up fetched',
        security: secured,
        response: { 200: CredentialStages, ...errors(401) },
      },
    },
    async () => {
      const project = await deps.projects.single().catch(() => undefined);
      return {
        credentials: await credentialStage(db, { required: project ? requiredSides(project) : undefined }),
        clientSetup: await clientSetupStage(db),
      };
    },
  );

  app.post<{ Params: IdParams; Querystring: LinkQuery }>(
    '/api/mailboxes/:id/credential-link',
    {
      schema: {
        tags,
        operationId: 'createCredentialLink',
        summary: 'Issue a new personal link (earlier links stop working)',
        security: csrf,
        params: IdParams,
        querystring: LinkQuery,
        response: { 201: IssuedLink, ...errors(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await mailbox(req.params.id);
      const l = await deps.links.issue(
        req.params.id,
        req.query.days ? req.query.days * 86_400_000 : undefined,
      );
      return reply.code(201).send({ url: linkUrl(l.token), expiresAt: l.expiresAt });
    },
  );

  app.get<{ Params: IdParams }>(
    '/api/mailboxes/:id/credential-link',
    {
      schema: {
        tags,
        operationId: 'getCredentialLink',
        summary: "The mailbox's live personal link, to copy (404 when none is live; nothing is issued)",
        security: secured,
        params: IdParams,
        response: { 200: IssuedLink, ...errors(400, 401, 404) },
      },
    },
    async (req, reply) => {
      await mailbox(req.params.id);
      const l = await deps.links.live(req.params.id);
      if (!l)
        throw new ApiError(
          404,
          ErrorCode.NotFound,
          `Mailbox ${req.params.id} has no live link.`,
          'Issue one first.',
        );
      return reply
        .header('cache-control', 'no-store')
        .send({ url: linkUrl(l.token), expiresAt: l.expiresAt });
    },
  );

  app.delete<{ Params: IdParams }>(
    '/api/mailboxes/:id/credential-link',
    {
      schema: {
        tags,
        operationId: 'revokeCredentialLink',
        summary: "Revoke the mailbox's personal links",
        security: csrf,
        params: IdParams,
        response: { 204: { type: 'null' }, ...errors(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await mailbox(req.params.id);
      await deps.links.revoke(req.params.id);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: IdParams }>(
    '/api/mailboxes/:id/credential-page',
    {
      schema: {
        tags,
        operationId: 'getCredentialPage',
        summary: "Open the mailbox's credential page (redirect) to enter its passwords",
        security: secured,
        params: IdParams,
        response: {
          303: { description: 'Redirect to the credential page', type: 'null' },
          ...errors(400, 401, 404),
        },
      },
    },
    async (req, reply) => {
      await mailbox(req.params.id);
      return reply.redirect(portalPath((await deps.links.current(req.params.id)).token), 303);
    },
  );

  app.delete<{ Params: IdParams }>(
    '/api/mailboxes/:id/credentials',
    {
      schema: {
        tags,
        operationId: 'deleteCredentials',
        summary: "Forget the mailbox's stored passwords",
        security: csrf,
        params: IdParams,
        response: { 204: { type: 'null' }, ...errors(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await mailbox(req.params.id);
      await new CredentialRepo(db).remove(req.params.id);
      return reply.code(204).send();
    },
  );

  app.post<{ Body: ImportBody }>(
    '/api/credentials/import',
    {
      bodyLimit: 25_000_000,
      schema: {
        tags,
        operationId: 'importCredentials',
        summary: 'Import passwords from CSV, each checked by a real login unless verify is false',
        security: csrf,
        body: ImportBody,
        response: { 200: ImportResult, ...errors(400, 401, 403) },
      },
    },
    async (req) => ({
      rows: await importCredentials(
        req.body.csv,
        { mailboxes, credentials: deps.credentials },
        { verify: req.body.verify },
      ),
    }),
  );
}
