/**
 * The operator's API beyond auth and the first read routes: projects, their mailboxes, runs, the tracker,
 * alerts and reports. Takes the services from the composition root (route → service → repository) and
 * registers each group behind the session gate.
 */
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../app/compose.js';
import { requireSession } from '../../http/session-hook.js';
import type { AuthService } from '../../services/auth-service.js';
import { alertRoutes } from './alert-routes.js';
import { discoverRoutes } from './discover-routes.js';
import { dnsRoutes } from './dns-routes.js';
import { scanRoutes } from './scan-routes.js';
import { planRoutes } from './plan-routes.js';
import { mailboxRoutes } from './mailbox-routes.js';
import { projectRoutes } from './project-routes.js';
import { reportRoutes } from './report-routes.js';
import { runRoutes } from './run-routes.js';
import { scheduleRoutes } from './schedule-routes.js';
import { trackerRoutes } from './tracker-routes.js';
import { verifyRoutes } from './verify-routes.js';

export interface AdminRouteOptions {
  /** The services, built once by the composition root (src/app/compose.ts). */
  services: Services;
  auth: AuthService;
  /** The data directory (where the run lock and the project file's marker live). */
  dataDir: string;
  /** A project file to store as a project by its name (serve --project), with its mailboxes. */
  projectFile?: string;
}

/** Register the admin routes (all need a session; state changes need the CSRF header). */
export async function adminRoutes(app: FastifyInstance, opts: AdminRouteOptions): Promise<void> {
  const s = opts.services;
  const { store } = s;
  if (opts.projectFile)
    await s.projects.importFile(opts.projectFile, { store, members: s.members, dataDir: opts.dataDir });
  await s.runs.closeStaleRuns();
  // Before the store closes: stop runs (they are checkpointed; a later pass resumes).
  app.addHook('onClose', async () => s.close());

  app.addHook('onRequest', requireSession(opts.auth));
  const { projects, runs } = s;
  await app.register(projectRoutes, { projects, connections: s.connections, runs });
  await app.register(mailboxRoutes, {
    mailboxes: s.mailboxes,
    imports: s.imports,
    bulk: (id, body) => s.bulk.apply(id, body),
  });
  await app.register(discoverRoutes, { projects, members: s.members, imports: s.imports });
  await app.register(runRoutes, { runs, projects, feed: s.feed });
  await app.register(trackerRoutes, { tracker: s.tracker });
  await app.register(dnsRoutes, { projects });
  await app.register(scanRoutes, { scans: s.scans });
  await app.register(planRoutes, { plan: (id) => s.plan(id) });
  await app.register(verifyRoutes, { verifications: s.verifications, projects });
  await app.register(scheduleRoutes, { projects, runs });
  await app.register(alertRoutes, { alerts: s.alerts });
  await app.register(reportRoutes, { reports: s.reports });
}
