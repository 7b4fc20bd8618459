/** Runs of a project: start (all or selected mailboxes), pause, resume, status, and live events (SSE). */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { AlertFeed } from '../../services/alert-feed.js';
import type { ProjectService } from '../../services/project-service.js';
import type { RunEvent } from '../../services/run-events.js';
import type { RunService } from '../../services/run-service.js';
import { errors, IdParams } from '../../schemas/common.js';
import { RunEventData, RunStatus, StartRunBody } from '../../schemas/runs.js';
import { csrf, secured } from './route-kit.js';

const tags = ['runs'];
/** A comment line now and then keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

export async function runRoutes(
  app: FastifyInstance,
  opts: { runs: RunService; projects: ProjectService; feed: AlertFeed },
): Promise<void> {
  const { runs, projects, feed } = opts;
  // Open streams end when the server closes (they would otherwise hold it open).
  const streams = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of streams) res.end();
  });

  app.get<{ Params: IdParams }>(
    '/api/projects/:id/run',
    {
      schema: {
        tags,
        operationId: 'getRunStatus',
        summary: "Where the project's migration pass stands",
        security: secured,
        params: IdParams,
        response: { 200: RunStatus, ...errors(400, 401, 404) },
      },
    },
    async (req) => {
      await projects.settings(req.params.id);
      return runs.status(req.params.id);
    },
  );

  app.post<{ Params: IdParams; Body: StartRunBody }>(
    '/api/projects/:id/run/start',
    {
      schema: {
        tags,
        operationId: 'startRun',
        summary:
          'Start a pass over every mailbox, or those chosen by ids or filter, optionally one phase of the plan (what is done is skipped)',
        security: csrf,
        params: IdParams,
        body: StartRunBody,
        response: { 202: RunStatus, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const b = req.body ?? {};
      const selection = b.ids ? { ids: b.ids } : { ...b.filter };
      return reply.code(202).send(await runs.start(req.params.id, selection, b.phase));
    },
  );

  for (const action of ['pause', 'resume'] as const)
    app.post<{ Params: IdParams }>(
      `/api/projects/:id/run/${action}`,
      {
        schema: {
          tags,
          operationId: `${action}Run`,
          summary:
            action === 'pause'
              ? 'Pause: in-flight work stops promptly; nothing is lost (the engine is checkpointed)'
              : 'Resume a paused project: a new pass over the same mailboxes, skipping what is done',
          security: csrf,
          params: IdParams,
          response: { 200: RunStatus, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (req) => {
        await projects.settings(req.params.id);
        return action === 'pause' ? runs.pause(req.params.id) : runs.resume(req.params.id);
      },
    );

  app.get<{ Params: IdParams }>(
    '/api/projects/:id/events',
    {
      schema: {
        tags,
        operationId: 'projectEvents',
        summary:
          'Live progress (server-sent events): per-mailbox progress, throughput, throttling, runs, alerts',
        security: secured,
        params: IdParams,
        response: {
          200: { description: 'An event stream', content: { 'text/event-stream': { schema: RunEventData } } },
          ...errors(400, 401, 404),
        },
      },
    },
    async (req, reply) => {
      const id = req.params.id;
      await projects.settings(id);
      const hub = runs.events(id);
      const status = await runs.status(id);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      const send = (e: RunEvent | { type: 'snapshot'; data: unknown }) =>
        res.write(`event: ${e.type}\ndata: ${JSON.stringify(e.data)}\n\n`);
      send({ type: 'snapshot', data: { status, mailboxes: hub.snapshot() } });
      streams.add(res);
      const unsubscribe = hub.subscribe(send);
      const unwatch = feed.watch(id);
      const beat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
      req.raw.on('close', () => {
        clearInterval(beat);
        unsubscribe();
        unwatch();
        streams.delete(res);
      });
    },
  );
}
