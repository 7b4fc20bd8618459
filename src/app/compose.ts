/**
 * The composition root: every service of Cutover built in one place over one store, so the server (admin
 * routes, portal, communications) and the CLI commands run the same services instead of each wiring its own.
 * Each service is made on first use and once: a CLI command that lists alerts opens no secret key and
 * starts no run service, and the server, which uses them all, gets each one exactly once.
 */
import { SmtpMailer, smtpFromEnv } from '../notify/smtp-mailer.js';
import { noProjects, portalDeps, projectFromFile, type PortalDeps } from '../portal/portal-deps.js';
import { projectsFromStore } from '../portal/portal-projects.js';
import type { PortalOptions } from '../portal/portal-setup.js';
import type { SecretBox } from '../security/secret-box.js';
import { openSecretBox } from '../security/secret-key.js';
import { AlertActionService } from '../services/alert-action-service.js';
import { AlertFeed } from '../services/alert-feed.js';
import { AuthService } from '../services/auth-service.js';
import { ConnectionTestService } from '../services/connection-test-service.js';
import { loadStoredAuths } from '../services/credential-auth.js';
import { MailboxAdminService } from '../services/mailbox-admin-service.js';
import { MailboxBulkService } from '../services/mailbox-bulk-service.js';
import { MailboxImportService } from '../services/mailbox-import-service.js';
import { planPage, type PlanPage } from '../services/plan-page-service.js';
import { ProjectReportService } from '../services/project-report-service.js';
import { ProjectService } from '../services/project-service.js';
import { RunService, type SharedPasses } from '../services/run-service.js';
import { cancelRun, enqueueRun, waitForRun } from '../services/shared-runs.js';
import { StoredRuns } from '../services/stored-runs.js';
import os from 'node:os';
import { workersView } from '../services/tracker-service.js';
import type { JobQueue } from '../runner/job.js';
import { WorkerRepo } from '../store/worker-repo.js';
import { ScanRunService } from '../services/scan-run-service.js';
import { TrackerService } from '../services/tracker-service.js';
import { VerifyRunService } from '../services/verify-run-service.js';
import { AlertActionRepo } from '../store/alert-action-repo.js';
import { AlertAdminRepo } from '../store/alert-admin-repo.js';
import type { Store } from '../store/db.js';
import { OperatorRepo } from '../store/operator-repo.js';
import { ProjectMailboxRepo } from '../store/project-mailbox-repo.js';
import { ProjectRepo } from '../store/project-repo.js';
import { acquireRunLock } from '../store/run-lock.js';
import { TrackerRepo } from '../store/tracker-repo.js';

/** What the services are built from besides the store: the portal's options it builds from, and setup. */
export interface ServiceOptions extends Omit<PortalOptions, 'smtp' | 'operatorEmail' | 'commsIntervalMs'> {
  /** When set, first-run setup needs this token. */
  setupToken?: string;
  /** The shared PostgreSQL database: passes go to `cutover worker` processes while any is working. */
  databaseUrl?: string;
}

/** Cutover's services over one store, each built on first use. */
export class Services {
  private readonly made = new Map<string, unknown>();

  constructor(
    readonly store: Store,
    private readonly opts: ServiceOptions,
  ) {}

  /** The key that seals stored secrets (created in the data directory on first use when none is set). */
  get box(): SecretBox {
    return this.once('box', () => openSecretBox(this.opts.dataDir));
  }
  /** Which mailboxes belong to which project. */
  get members(): ProjectMailboxRepo {
    return this.once('members', () => new ProjectMailboxRepo(this.store.db));
  }
  /** Operator accounts and sessions. */
  get auth(): AuthService {
    return this.once(
      'auth',
      () => new AuthService(new OperatorRepo(this.store.db), undefined, this.opts.setupToken),
    );
  }
  get projects(): ProjectService {
    return this.once(
      'projects',
      () =>
        new ProjectService({
          projects: new ProjectRepo(this.store.db),
          box: this.box,
          members: this.members,
          busy: (id) => this.runs.busy(id),
        }),
    );
  }
  /** "Test connection": the 30-second timeout, and the passwords people handed over through the portal. */
  get connections(): ConnectionTestService {
    return this.once(
      'connections',
      () =>
        new ConnectionTestService({
          projects: this.projects,
          firstMailbox: (id) => this.members.first(id),
          storedAuth: async (mailboxId, side, user) => {
            const stored = await loadStoredAuths(this.store, [mailboxId], this.box);
            return {
              auth: stored.auth(mailboxId, side, user),
              context: stored.connectors,
              done: () => stored.close(),
            };
          },
        }),
    );
  }
  get mailboxes(): MailboxAdminService {
    return this.once(
      'mailboxes',
      () =>
        new MailboxAdminService({
          projects: this.projects,
          members: this.members,
          busy: (id) => this.runs.busy(id),
        }),
    );
  }
  get imports(): MailboxImportService {
    return this.once(
      'imports',
      () => new MailboxImportService({ projects: this.projects, members: this.members }),
    );
  }
  get runs(): RunService {
    return this.once(
      'runs',
      () =>
        new RunService({
          store: this.store,
          projects: this.projects,
          members: this.members,
          // The data directory's PID file guards its embedded store; a PostgreSQL store's run lock is an
          // advisory lock the CLI takes per project (Store.lockRun), which this synchronous hook cannot take.
          lock: this.store.dialect === 'sqlite' ? () => acquireRunLock(this.opts.dataDir) : undefined,
          verifying: (id): boolean => this.verifications.busy(id),
          ...(this.opts.databaseUrl ? { shared: this.sharedPasses(this.opts.databaseUrl) } : {}),
          // On PostgreSQL every pass is a run in the store, and the project's advisory lock guards a pass
          // this server runs itself (services/stored-runs.ts).
          ...(this.store.dialect === 'postgres' ? { stored: this.storedRuns } : {}),
        }),
    );
  }

  /** The runs of the shared store, as this server sees them. */
  get storedRuns(): StoredRuns {
    return this.once('storedRuns', () => new StoredRuns(this.store, serverOrigin()));
  }

  /** Passes for the workers on the shared database; the queue (pg-boss) is loaded on the first one. */
  private sharedPasses(url: string): SharedPasses {
    let queue: Promise<JobQueue> | undefined;
    const openQueue = () =>
      (queue ??= import('../runner/pg/pg-queue.js').then(async ({ PgQueue }) => {
        const q = new PgQueue({ url, presence: false });
        await q.start();
        this.closers.push(() => q.close());
        return q;
      }));
    const deps = () => ({ store: this.store, projects: this.projects, members: this.members, box: this.box });
    return {
      workersWorking: async () =>
        workersView(await new WorkerRepo(this.store.db).list(), Date.now()).some(
          (w) => w.state === 'working',
        ),
      enqueue: async (projectId, selection, phase) =>
        enqueueRun({ ...deps(), queue: await openQueue() }, projectId, {
          selection,
          ...(phase ? { phase } : {}),
          exclusive: true,
          origin: serverOrigin(),
        }),
      follow: async (runId, onProgress) => (await waitForRun(this.store, runId, { onProgress })).mailboxes,
      cancel: (runId) => cancelRun(this.store, runId),
    };
  }
  private readonly closers: Array<() => Promise<void>> = [];
  get verifications(): VerifyRunService {
    return this.once(
      'verifications',
      () =>
        new VerifyRunService({
          store: this.store,
          projects: this.projects,
          members: this.members,
          runs: this.runs,
        }),
    );
  }
  get scans(): ScanRunService {
    return this.once(
      'scans',
      () =>
        new ScanRunService({
          store: this.store,
          projects: this.projects,
          members: this.members,
          box: this.box,
        }),
    );
  }
  get bulk(): MailboxBulkService {
    return this.once('bulk', () => new MailboxBulkService({ mailboxes: this.mailboxes, runs: this.runs }));
  }
  private get alertRepo(): AlertAdminRepo {
    return this.once('alertRepo', () => new AlertAdminRepo(this.store.db));
  }
  /** New alerts as they arrive, for the live views. */
  get feed(): AlertFeed {
    return this.once(
      'feed',
      () => new AlertFeed({ alerts: this.alertRepo, events: (id) => this.runs.events(id) }),
    );
  }
  /** Complete, archive, auto-archive, undo and e-mail alerts (every change recorded for undo). */
  get alerts(): AlertActionService {
    return this.once(
      'alerts',
      () =>
        new AlertActionService({
          store: this.store,
          alerts: this.alertRepo,
          actions: new AlertActionRepo(this.store.db),
          mailer: () => {
            const smtp = smtpFromEnv();
            return smtp && new SmtpMailer(smtp);
          },
        }),
    );
  }
  get tracker(): TrackerService {
    return this.once(
      'tracker',
      () =>
        new TrackerService({
          store: this.store,
          tracker: new TrackerRepo(this.store.db),
          alerts: this.alertRepo,
          projects: this.projects,
          runs: this.runs,
        }),
    );
  }
  get reports(): ProjectReportService {
    return this.once(
      'reports',
      () => new ProjectReportService({ store: this.store, projects: this.projects, members: this.members }),
    );
  }
  /** The plan page of a project. */
  plan(projectId: number): Promise<PlanPage> {
    return planPage(
      { store: this.store, projects: this.projects, members: this.members, box: this.box },
      projectId,
    );
  }
  /** The credential portal's services (links, credentials, client set-up) and its project source. */
  get portal(): PortalDeps {
    return this.once('portal', () => {
      const o = this.opts;
      return portalDeps({
        store: this.store,
        box: this.box,
        projects:
          o.projects ??
          projectsFromStore(
            this.store,
            this.box,
            o.projectFile ? projectFromFile(o.projectFile) : noProjects,
          ),
        publicUrl: o.publicUrl ?? process.env.CUTOVER_PUBLIC_URL,
        check: o.loginCheck,
        limits: o.portalLimits,
      });
    });
  }

  /** Stop what the services run in the background (runs are checkpointed; a later pass resumes). */
  async close(): Promise<void> {
    const made = <T>(name: string) => this.made.get(name) as T | undefined;
    made<AlertFeed>('feed')?.close();
    await Promise.all([
      made<RunService>('runs')?.close(),
      made<VerifyRunService>('verifications')?.close(),
      made<ScanRunService>('scans')?.close(),
    ]);
    await Promise.all(this.closers.map((c) => c().catch(() => undefined)));
  }

  private once<T>(name: string, make: () => T): T {
    if (!this.made.has(name)) this.made.set(name, make());
    return this.made.get(name) as T;
  }
}

/** Where this server runs, as runs it starts record it. */
function serverOrigin(): string {
  return `by the server on ${os.hostname()} (pid ${process.pid})`;
}

/** Build Cutover's services over `store` (each one made on first use). */
export function buildServices(store: Store, opts: ServiceOptions): Services {
  return new Services(store, opts);
}
