/** The tracker of a project: stage columns with counts, drill-down to the mailboxes not done, progress, ETA. */
import type { FastifyInstance } from 'fastify';
import type { TrackerService } from '../../services/tracker-service.js';
import { errors, IdParams, PageOf } from '../../schemas/common.js';
import {
  DnsCheckBody,
  DnsCheckResult,
  StageMailbox,
  StageParams,
  StageQuery,
  Tracker,
} from '../../schemas/tracker.js';
import { csrf, secured } from './route-kit.js';

const tags = ['tracker'];

export async function trackerRoutes(app: FastifyInstance, opts: { tracker: TrackerService }): Promise<void> {
  const { tracker } = opts;

  app.get<{ Params: IdParams }>(
    '/api/projects/:id/tracker',
    {
      schema: {
        tags,
        operationId: 'getTracker',
        summary:
          'Stage columns with colour-coded counts, overall progress, ETA, throughput, throttled mailboxes',
        security: secured,
        params: IdParams,
        response: { 200: Tracker, ...errors(400, 401, 404) },
      },
    },
    async (req) => tracker.summary(req.params.id),
  );

  app.get<{ Params: StageParams; Querystring: StageQuery }>(
    '/api/projects/:id/tracker/:stage/mailboxes',
    {
      schema: {
        tags,
        operationId: 'getTrackerStageMailboxes',
        summary: 'The mailboxes not done in a stage (attention first), paged',
        security: secured,
        params: StageParams,
        querystring: StageQuery,
        response: { 200: PageOf(StageMailbox), ...errors(400, 401, 404) },
      },
    },
    async (req) => tracker.drill(req.params.id, req.params.stage, req.query),
  );

  app.post<{ Params: IdParams; Body: DnsCheckBody | undefined }>(
    '/api/projects/:id/dns/check',
    {
      schema: {
        tags,
        operationId: 'checkProjectDns',
        summary:
          "Look up the plan's mail domains now (at plan.dnsServer, within the timeout) and store the outcome for the tracker's DNS column",
        security: csrf,
        params: IdParams,
        body: DnsCheckBody,
        response: { 200: DnsCheckResult, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => tracker.checkDns(req.params.id, (req.body?.timeoutSeconds ?? 10) * 1000),
  );
}
