/**
 * The DNS page: per mail domain of the plan the records needed, the live ones and the difference (looked up
 * now, bounded by a timeout), the zone file to hand over, and "apply" by RFC 2136 update to the plan's name
 * server. The readiness check ("check now") is the tracker's POST …/dns/check.
 */
import { setMaxListeners } from 'node:events';
import type { FastifyInstance } from 'fastify';
import { defaultPlan } from '../../config/plan.js';
import type { ProjectConfig } from '../../config/types.js';
import { formatRecord } from '../../dns/records.js';
import { describeChange } from '../../dns/steps.js';
import { asCutoverError } from '../../errors.js';
import { applyDns, dnsPlan, handOverZone, type DomainDnsPlan } from '../../services/dns-service.js';
import type { ProjectService } from '../../services/project-service.js';
import { InvalidInputError } from '../../errors.js';
import { errors, IdParams } from '../../schemas/common.js';
import { DnsApplyResult, DnsView, ZoneQuery } from '../../schemas/dns.js';
import { csrf, secured } from './route-kit.js';

const tags = ['dns'];
const LOOKUP_MS = 10_000;

/** The plan's domains looked up now (at plan.dnsServer, else the system resolver). */
async function lookUp(project: ProjectConfig): Promise<DomainDnsPlan[]> {
  const plan = project.plan ?? defaultPlan();
  if (!plan.domains.length) return [];
  const server = plan.dnsServer ? { host: plan.dnsServer.host, port: plan.dnsServer.port } : undefined;
  const signal = AbortSignal.timeout(LOOKUP_MS);
  setMaxListeners(0, signal); // one listener per lookup in flight
  return dnsPlan(project, plan, { server, cutoverAt: plan.cutoverAt ?? new Date(), signal });
}

/** Register the DNS page's routes (the session gate is added by the caller). */
export async function dnsRoutes(app: FastifyInstance, opts: { projects: ProjectService }): Promise<void> {
  const { projects } = opts;

  app.get<{ Params: IdParams }>(
    '/api/projects/:id/dns',
    {
      schema: {
        tags,
        operationId: 'getProjectDns',
        summary: "The plan's mail domains: records needed, live records, the difference and the steps",
        security: secured,
        params: IdParams,
        response: { 200: DnsView, ...errors(400, 401, 404) },
      },
    },
    async (req): Promise<DnsView> => {
      const project = await projects.runtime(req.params.id);
      const plan = project.plan ?? defaultPlan();
      const s = plan.dnsServer;
      const base = {
        mode: plan.dns,
        server: s ? `${s.host}:${s.port}` : null,
        canApply: Boolean(s?.keyName && s.keySecret),
        lookedUpAt: new Date().toISOString(),
      };
      let found: DomainDnsPlan[];
      try {
        found = await lookUp(project);
      } catch (err) {
        return { ...base, domains: [], problem: asCutoverError(err).describe() };
      }
      return {
        ...base,
        problem: null,
        domains: found.map((d) => ({
          domain: d.domain,
          required: d.required.map(formatRecord),
          current: d.current.map(formatRecord),
          changes: d.changes.map((c) => ({ action: c.action, text: describeChange(c) })),
          steps: d.steps.map((st) => ({ at: st.at.toISOString(), phase: st.phase, text: st.text })),
        })),
      };
    },
  );

  app.get<{ Params: IdParams; Querystring: ZoneQuery }>(
    '/api/projects/:id/dns/zone',
    {
      schema: {
        tags,
        operationId: 'getProjectDnsZone',
        summary: 'The zone file of one domain with the changes applied, to load on your name servers',
        security: secured,
        params: IdParams,
        querystring: ZoneQuery,
        produces: ['text/dns'],
        response: { 200: { type: 'string' }, ...errors(400, 401, 404) },
      },
    },
    async (req, reply) => {
      const project = await projects.runtime(req.params.id);
      const plan = project.plan ?? defaultPlan();
      const d = (await lookUp(project)).find((x) => x.domain === req.query.domain.toLowerCase());
      if (!d)
        throw new InvalidInputError(
          `"${req.query.domain}" is not a mail domain of the plan.`,
          'Add it to the plan’s domains on the Plan page first.',
        );
      const server = plan.dnsServer ? { host: plan.dnsServer.host, port: plan.dnsServer.port } : undefined;
      const zone = await handOverZone(d, plan, server);
      const text = zone.note ? `; ${zone.note}\n${zone.text}` : zone.text;
      return reply
        .header('content-type', 'text/dns; charset=utf-8')
        .header('content-disposition', `attachment; filename="${d.domain}.zone"`)
        .send(text);
    },
  );

  app.post<{ Params: IdParams }>(
    '/api/projects/:id/dns/apply',
    {
      schema: {
        tags,
        operationId: 'applyProjectDns',
        summary:
          "Send the changes to the plan's primary name server by RFC 2136 update, signed with its TSIG key",
        security: csrf,
        params: IdParams,
        response: { 200: DnsApplyResult, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const project = await projects.runtime(req.params.id);
      const found = await lookUp(project);
      await applyDns(found, project.plan ?? defaultPlan());
      return {
        applied: found.reduce((n, d) => n + d.changes.length, 0),
        domains: found.filter((d) => d.changes.length).map((d) => d.domain),
      };
    },
  );
}
