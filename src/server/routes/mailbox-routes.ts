/** A project's mailboxes: the paged table, add, edit, remove, CSV import (preview, commit), bulk actions. */
import type { FastifyInstance } from 'fastify';
import type { MailboxAdminService } from '../../services/mailbox-admin-service.js';
import type { MailboxImportService } from '../../services/mailbox-import-service.js';
import { errors, IdParams, Ok, PageOf } from '../../schemas/common.js';
import {
  BulkBody,
  BulkResult,
  CsvBody,
  ImportPreview,
  ImportResult,
  MailboxCreate,
  MailboxUpdate,
  ProjectMailbox,
  ProjectMailboxQuery,
} from '../../schemas/mailboxes.js';
import { csrf, secured } from './route-kit.js';

const tags = ['mailboxes'];
/** A 25,000-row CSV is a few MB. */
const CSV_BODY_LIMIT = 25 * 1024 * 1024;

/** Runs the bulk action on the selected mailboxes. */
export type BulkHandler = (projectId: number, body: BulkBody) => Promise<BulkResult>;

export async function mailboxRoutes(
  app: FastifyInstance,
  opts: { mailboxes: MailboxAdminService; imports: MailboxImportService; bulk: BulkHandler },
): Promise<void> {
  const { mailboxes, imports, bulk } = opts;

  app.get<{ Params: IdParams; Querystring: ProjectMailboxQuery }>(
    '/api/projects/:id/mailboxes',
    {
      schema: {
        tags,
        operationId: 'listProjectMailboxes',
        summary: "The project's mailboxes: paged, sorted, filtered and searched on the server",
        security: secured,
        params: IdParams,
        querystring: ProjectMailboxQuery,
        response: { 200: PageOf(ProjectMailbox), ...errors(400, 401, 404) },
      },
    },
    async (req) => mailboxes.list(req.params.id, req.query),
  );

  app.post<{ Params: IdParams; Body: MailboxCreate }>(
    '/api/projects/:id/mailboxes',
    {
      schema: {
        tags,
        operationId: 'addProjectMailbox',
        summary: 'Add one mailbox to the project',
        security: csrf,
        params: IdParams,
        body: MailboxCreate,
        response: { 201: ProjectMailbox, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => reply.code(201).send(await mailboxes.add(req.params.id, req.body)),
  );

  app.patch<{ Params: IdParams; Body: MailboxUpdate }>(
    '/api/mailboxes/:id',
    {
      schema: {
        tags,
        operationId: 'updateMailbox',
        summary: 'Edit a mailbox: destination login, star, item types, date range (null: project default)',
        security: csrf,
        params: IdParams,
        body: MailboxUpdate,
        response: { 200: ProjectMailbox, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => mailboxes.update(req.params.id, req.body),
  );

  app.delete<{ Params: IdParams }>(
    '/api/mailboxes/:id',
    {
      schema: {
        tags,
        operationId: 'removeMailbox',
        summary: 'Remove a mailbox and its history from the project (the servers are not touched)',
        security: csrf,
        params: IdParams,
        response: { 200: Ok, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      await mailboxes.remove(req.params.id);
      return { ok: true };
    },
  );

  app.post<{ Params: IdParams; Body: CsvBody }>(
    '/api/projects/:id/mailboxes/import/preview',
    {
      bodyLimit: CSV_BODY_LIMIT,
      schema: {
        tags,
        operationId: 'previewMailboxImport',
        summary: 'Step 1 of a CSV import: each row as it would be stored, and bad rows with line numbers',
        security: csrf,
        params: IdParams,
        body: CsvBody,
        response: { 200: ImportPreview, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => imports.preview(req.params.id, req.body.csv),
  );

  app.post<{ Params: IdParams; Body: CsvBody }>(
    '/api/projects/:id/mailboxes/import/commit',
    {
      bodyLimit: CSV_BODY_LIMIT,
      schema: {
        tags,
        operationId: 'commitMailboxImport',
        summary: 'Step 2 of a CSV import: store the good rows (bad rows are skipped and listed again)',
        security: csrf,
        params: IdParams,
        body: CsvBody,
        response: { 200: ImportResult, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => imports.commit(req.params.id, req.body.csv),
  );

  app.post<{ Params: IdParams; Body: BulkBody }>(
    '/api/projects/:id/mailboxes/bulk',
    {
      schema: {
        tags,
        operationId: 'bulkMailboxAction',
        summary: 'Start, pause, retry failed, star or unstar mailboxes chosen by ids or by a filter',
        security: csrf,
        params: IdParams,
        body: BulkBody,
        response: { 200: BulkResult, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => bulk(req.params.id, req.body),
  );
}
