/**
 * The operator's API beyond auth and the first read routes: projects, their mailboxes, runs, the tracker,
 * alerts and reports. Builds the services once (route → service → repository) and registers each group
 * behind the session gate.
 */
import type { FastifyInstance } from 'fastify';
import { SmtpMailer, smtpFromEnv } from '../../notify/smtp-mailer.js';
import { AlertActionService } from '../../services/alert-action-service.js';
import { AlertFeed } from '../../services/alert-feed.js';
import { loadStoredAuths } from '../../services/credential-auth.js';
import { ConnectionTestService } from '../../services/connection-test-service.js';
import { MailboxAdminService } from '../../services/mailbox-admin-service.js';
import { MailboxBulkService } from '../../services/mailbox-bulk-service.js';
import { MailboxImportService } from '../../services/mailbox-import-service.js';
import { ProjectReportService } from '../../services/project-report-service.js';
import { importProjectFile } from '../../services/project-file-import.js';
import { ProjectService } from '../../services/project-service.js';
import { RunService } from '../../services/run-service.js';
import { ScanRunService } from '../../services/scan-run-service.js';
import { planPage } from '../../services/plan-page-service.js';
import { TrackerService } from '../../services/tracker-service.js';
import { VerifyRunService } from '../../services/verify-run-service.js';
import { openSecretBox } from '../../security/secret-key.js';
import { AlertActionRepo } from '../../store/alert-action-repo.js';
import { AlertAdminRepo } from '../../store/alert-admin-repo.js';
import type { Store } from '../../store/db.js';
import { ProjectMailboxRepo } from '../../store/project-mailbox-repo.js';
import { ProjectRepo } from '../../store/project-repo.js';
import { acquireRunLock } from '../../store/run-lock.js';
import { TrackerRepo } from '../../store/tracker-repo.js';
import type { AuthService } from '../auth-service.js';
import { requireSession } from '../session-hook.js';
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
  store: Store;
  auth: AuthService;
  /** The data directory (where the secret key file lives unless CUTOVER_SECRET_KEY is set). */
  dataDir: string;
  /** A project file to store as a project by its name (serve --project), with its mailboxes. */
  projectFile?: string;
}

/** Register the admin routes (all need a session; state changes need the CSRF header). */
export async function adminRoutes(app: FastifyInstance, opts: AdminRouteOptions): Promise<void> {
  const { store } = opts;
  const box = openSecretBox(opts.dataDir);
  const members = new ProjectMailboxRepo(store.db);
  // `runs` is made below; these closures only run on requests, after it exists.
  const busy = (id: number): boolean => runs.busy(id);
  const projects = new ProjectService({ projects: new ProjectRepo(store.db), box, members, busy });
  const connections = new ConnectionTestService({
    projects,
    firstMailbox: (id) => members.first(id),
    storedAuth: async (mailboxId, side, user) =>
      (await loadStoredAuths(store, [mailboxId], box)).auth(mailboxId, side, user),
  });
  const mailboxes = new MailboxAdminService({ projects, members, busy });
  const imports = new MailboxImportService({ projects, members });
  const runs: RunService = new RunService({
    store,
    projects,
    members,
    lock: () => acquireRunLock(opts.dataDir),
    verifying: (id): boolean => verifications.busy(id),
  });
  const verifications = new VerifyRunService({ store, projects, members, runs });
  const scans = new ScanRunService({ store, projects, members, box });
  const bulk = new MailboxBulkService({ mailboxes, runs });
  const alertRepo = new AlertAdminRepo(store.db);
  const feed = new AlertFeed({ alerts: alertRepo, events: (id) => runs.events(id) });
  const alerts = new AlertActionService({
    store,
    alerts: alertRepo,
    actions: new AlertActionRepo(store.db),
    mailer: () => {
      const smtp = smtpFromEnv();
      return smtp && new SmtpMailer(smtp);
    },
  });
  const tracker = new TrackerService({
    store,
    tracker: new TrackerRepo(store.db),
    alerts: alertRepo,
    projects,
    runs,
  });
  if (opts.projectFile)
    await importProjectFile(store, { projects, members, box }, opts.projectFile, opts.dataDir);
  await runs.closeStaleRuns();
  // Before the store closes: stop runs (they are checkpointed; a later pass resumes).
  app.addHook('onClose', async () => {
    feed.close();
    await Promise.all([runs.close(), verifications.close(), scans.close()]);
  });

  app.addHook('onRequest', requireSession(opts.auth));
  await app.register(projectRoutes, { projects, connections, runs });
  await app.register(mailboxRoutes, { mailboxes, imports, bulk: (id, body) => bulk.apply(id, body) });
  await app.register(discoverRoutes, { projects, members, imports });
  await app.register(runRoutes, { runs, projects, feed });
  await app.register(trackerRoutes, { tracker });
  await app.register(dnsRoutes, { projects });
  await app.register(scanRoutes, { scans });
  await app.register(planRoutes, { plan: (id) => planPage({ store, projects, members, box }, id) });
  await app.register(verifyRoutes, { verifications, projects });
  await app.register(scheduleRoutes, { projects, runs });
  await app.register(alertRoutes, { alerts });
  await app.register(reportRoutes, { reports: new ProjectReportService({ store, projects, members }) });
}
