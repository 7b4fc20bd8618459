/** A project's throttling schedule: read it, and replace it at any time (running work follows within seconds). */
import type { FastifyInstance } from 'fastify';
import { concurrencyAt, parseClock } from '../../config/plan.js';
import type { ProjectService } from '../../services/project-service.js';
import type { RunService } from '../../services/run-service.js';
import { errors, IdParams } from '../../schemas/common.js';
import { Schedule, ScheduleBody } from '../../schemas/schedule.js';
import { csrf, secured } from './route-kit.js';

const tags = ['throttling'];

export async function scheduleRoutes(
  app: FastifyInstance,
  opts: { projects: ProjectService; runs: RunService },
): Promise<void> {
  const { projects, runs } = opts;
  const show = async (id: number): Promise<Schedule> => {
    const { settings: s } = await projects.settings(id);
    const windows = s.windows.map((w) => ({
      ...w,
      from: parseClock(w.from) ?? 0,
      to: parseClock(w.to) ?? 1440,
    }));
    return {
      timezone: s.timezone,
      windows: s.windows,
      concurrency: s.concurrency,
      concurrencyNow: concurrencyAt(new Date(), { windows, timezone: s.timezone }, s.concurrency.mailboxes),
    };
  };

  app.get<{ Params: IdParams }>(
    '/api/projects/:id/schedule',
    {
      schema: {
        tags,
        operationId: 'getSchedule',
        summary: 'Throttling windows, time zone, and the concurrency in force now',
        security: secured,
        params: IdParams,
        response: { 200: Schedule, ...errors(400, 401, 404) },
      },
    },
    async (req) => show(req.params.id),
  );

  app.put<{ Params: IdParams; Body: ScheduleBody }>(
    '/api/projects/:id/schedule',
    {
      schema: {
        tags,
        operationId: 'putSchedule',
        summary:
          'Replace the throttling windows (and time zone, concurrency); a running pass follows within seconds',
        security: csrf,
        params: IdParams,
        body: ScheduleBody,
        response: { 200: Schedule, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const { timezone, windows, concurrency } = req.body;
      await projects.update(req.params.id, {
        windows,
        ...(timezone ? { timezone } : {}),
        ...(concurrency ? { concurrency } : {}),
      });
      await runs.reschedule(req.params.id);
      return show(req.params.id);
    },
  );
}
