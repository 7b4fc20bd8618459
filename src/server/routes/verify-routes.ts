/** Verifications: read a project's (or one mailbox's) destination back now, where it stands, the last result. */
import type { FastifyInstance } from 'fastify';
import type { ProjectService } from '../../services/project-service.js';
import type { VerifyRunService } from '../../services/verify-run-service.js';
import { errors, IdParams } from '../../schemas/common.js';
import { LastVerification, VerifyStartBody, VerifyStatus } from '../../schemas/verify.js';
import { csrf, secured } from './route-kit.js';

const tags = ['verify'];

export async function verifyRoutes(
  app: FastifyInstance,
  opts: { verifications: VerifyRunService; projects: ProjectService },
): Promise<void> {
  const { verifications, projects } = opts;

  app.post<{ Params: IdParams; Body: VerifyStartBody }>(
    '/api/projects/:id/verify',
    {
      schema: {
        tags,
        operationId: 'startVerify',
        summary:
          'Read the destination back and compare it with the source and the ledger (every mailbox, or one); what it finds, the next pass repairs',
        security: csrf,
        params: IdParams,
        body: VerifyStartBody,
        response: { 202: VerifyStatus, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => reply.code(202).send(await verifications.start(req.params.id, req.body ?? {})),
  );

  app.get<{ Params: IdParams }>(
    '/api/projects/:id/verify',
    {
      schema: {
        tags,
        operationId: 'getVerifyStatus',
        summary: "Where the project's verification stands",
        security: secured,
        params: IdParams,
        response: { 200: VerifyStatus, ...errors(400, 401, 404) },
      },
    },
    async (req) => (await projects.settings(req.params.id)) && verifications.status(req.params.id),
  );

  app.get<{ Params: IdParams }>(
    '/api/mailboxes/:id/verification',
    {
      schema: {
        tags,
        operationId: 'getLastVerification',
        summary: "The mailbox's last verification: when, the result, and per folder what differs",
        security: secured,
        params: IdParams,
        response: { 200: LastVerification, ...errors(400, 401, 404) },
      },
    },
    async (req) => verifications.last(req.params.id),
  );
}
