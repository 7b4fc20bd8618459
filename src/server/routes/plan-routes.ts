/**
 * The Plan page's read route: the order summary of a project (estimate, suggested cutover and why, every
 * warning, per mailbox), its scheduled phases with the next run, and the plan export (CSV, XLSX). The plan
 * itself is changed with PATCH /api/projects/:id (its `plan`).
 */
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { toCsv, toXlsx } from '../../exports/table.js';
import type { PlanPage } from '../../services/plan-page-service.js';
import { planTable, summaryTable } from '../../services/plan-service.js';
import { errors, IdParams } from '../../schemas/common.js';
import { PlanQuery, PlanView } from '../../schemas/plan.js';
import { secured } from './route-kit.js';

const iso = (d: Date | undefined) => d?.toISOString() ?? null;

/** The page's JSON from the service's figures. */
function view(p: PlanPage): Static<typeof PlanView> {
  const s = p.summary;
  return {
    mailboxes: s.mailboxes,
    starred: s.starred,
    messages: s.messages,
    bytes: s.bytes,
    itemTypes: s.itemTypes,
    mode: s.mode,
    communications: s.communications,
    contact: s.contact ?? null,
    dns: s.dns,
    domains: s.domains,
    timezone: s.timezone,
    notifyFrom: s.notifyFrom,
    cutover: s.cutover ?? null,
    suggestedCutover: s.suggestedCutover ?? null,
    suggestedWhy: p.suggestedWhy,
    estimate: {
      basis: s.estimate.rates.basis,
      start: s.estimate.start.toISOString(),
      finish: iso(s.estimate.finish),
      hours: s.estimate.hours ?? null,
    },
    scan: s.scan ?? null,
    warnings: s.warnings,
    rows: s.rows.map((r) => ({
      mailbox: r.mailbox,
      destination: r.destination,
      starred: r.starred,
      messages: r.messages,
      bytes: r.bytes,
      alreadyMigrated: r.alreadyMigrated,
      hours: r.hours,
      estimatedStart: r.estimatedStart ?? null,
      estimatedEnd: r.estimatedEnd ?? null,
      credentials: r.credentials,
      destCredentials: r.destCredentials,
    })),
    phases: p.phases.map((ph) => ({
      phase: ph.phase,
      at: ph.at.toISOString(),
      status: ph.status,
      startedAt: ph.startedAt ?? null,
      finishedAt: ph.finishedAt ?? null,
      note: ph.note ?? null,
    })),
    nextPhase: p.nextPhase ? { phase: p.nextPhase.phase, at: p.nextPhase.at.toISOString() } : null,
  };
}

/** Register the plan route (the session gate is added by the caller). */
export async function planRoutes(
  app: FastifyInstance,
  opts: { plan: (projectId: number) => Promise<PlanPage> },
): Promise<void> {
  app.get<{ Params: IdParams; Querystring: Static<typeof PlanQuery> }>(
    '/api/projects/:id/plan',
    {
      schema: {
        tags: ['plan'],
        operationId: 'getProjectPlan',
        summary:
          'The order summary (estimate, suggested cutover and why, warnings, per mailbox) and the phases',
        security: secured,
        params: IdParams,
        querystring: PlanQuery,
        response: { 200: PlanView, ...errors(400, 401, 404) },
      },
    },
    async (req, reply) => {
      const p = await opts.plan(req.params.id);
      const format = req.query.format ?? 'json';
      if (format === 'json') return view(p);
      if (format === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="plan.csv"')
          .send(toCsv(planTable(p.summary)));
      return reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header('content-disposition', 'attachment; filename="plan.xlsx"')
        .send(Buffer.from(toXlsx([summaryTable(p.summary), planTable(p.summary)])));
    },
  );
}
