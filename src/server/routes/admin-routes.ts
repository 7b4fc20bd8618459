/**
 * The operator's API beyond auth and the first read routes: projects, their mailboxes, runs, the tracker,
 * alerts and reports. Builds the services once (route → service → repository) and registers each group
 * behind the session gate.
 */
import type { FastifyInstance } from 'fastify';
import { loadProjectFile } from '../../config/project-file.js';
import { ConnectionTestService } from '../../services/connection-test-service.js';
import { mailboxKey } from '../../services/migration-service.js';
import { ProjectService } from '../../services/project-service.js';
import { openSecretBox } from '../../security/secret-key.js';
import type { Store } from '../../store/db.js';
import { MailboxRepo } from '../../store/mailbox-repo.js';
import { ProjectMailboxRepo } from '../../store/project-mailbox-repo.js';
import { ProjectRepo } from '../../store/project-repo.js';
import type { AuthService } from '../auth-service.js';
import { requireSession } from '../session-hook.js';
import { projectRoutes } from './project-routes.js';

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
  const projects = new ProjectService({ projects: new ProjectRepo(store.db), box });
  const connections = new ConnectionTestService({ projects, firstMailbox: (id) => members.first(id) });
  if (opts.projectFile) await importProjectFile(store, projects, members, opts.projectFile);

  app.addHook('onRequest', requireSession(opts.auth));
  await app.register(projectRoutes, { projects, connections });
}

/** `serve --project FILE`: the file's project and mailboxes appear in the API under the project's name. */
async function importProjectFile(
  store: Store,
  projects: ProjectService,
  members: ProjectMailboxRepo,
  file: string,
): Promise<void> {
  const { config } = loadProjectFile(file);
  const id = await projects.upsertFromConfig(config);
  const repo = new MailboxRepo(store.db);
  const keys: string[] = [];
  for (const m of config.mailboxes) {
    const key = mailboxKey(config.source, config.destination, m);
    await repo.upsert({ key, sourceUser: m.sourceUser, destUser: m.destUser, starred: m.starred });
    keys.push(key);
  }
  await members.attach(id, keys);
}
