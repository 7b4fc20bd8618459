/**
 * Projects for the portal from the store (projects created in the UI or imported from a project file): the
 * servers and the plan (dates, communications, domains) as the API last saved them (a project file given
 * to serve --project is imported into the store at start).
 */
import type { SecretBox } from '../security/secret-box.js';
import type { PortalProject } from '../services/credential-service.js';
import { ProjectService } from '../services/project-service.js';
import type { StoredSettings } from '../services/project-settings.js';
import type { Store } from '../store/db.js';
import { MailboxRepo } from '../store/mailbox-repo.js';
import { ProjectRepo } from '../store/project-repo.js';
import { noProjects, type ProjectSource } from './portal-deps.js';

/** A ProjectSource over the projects table, with `file` (the project file's source) for plans and as fallback. */
export function projectsFromStore(
  store: Store,
  box: SecretBox,
  file: ProjectSource = noProjects,
): ProjectSource {
  const projects = new ProjectRepo(store.db);
  const service = new ProjectService({ projects, box });
  const withPlan = async (id: number): Promise<PortalProject | undefined> => {
    const runtime = await service.runtime(id).catch(() => undefined);
    if (!runtime) return undefined;
    // The stored plan: a project file's is imported at start (serve --project), edits made since win.
    return runtime;
  };
  /** The only project in the store, if there is exactly one. */
  const onlyOne = async () => {
    const ids = await projects.ids(2);
    return ids.length === 1 ? withPlan(ids[0]!) : undefined;
  };
  return {
    async single() {
      const fromFile = await file.single().catch(() => undefined);
      if (!fromFile) return onlyOne();
      // The file's project as imported into the store: its plan as edited there since.
      const id = await projects.idByName(fromFile.name);
      const stored = id !== undefined && (await withPlan(id));
      return stored ? { ...fromFile, plan: stored.plan } : fromFile;
    },
    async forMailbox(mailboxId) {
      const projectId = await new MailboxRepo(store.db).projectOf(mailboxId);
      if (projectId != null) return withPlan(projectId);
      return file.forMailbox(mailboxId);
    },
    byId: withPlan,
    async forDomain(domain) {
      // A stored project whose plan names the domain (edited over the API or imported from a file).
      const d = domain.toLowerCase();
      const rows = await projects.allSettings();
      const hit = rows.find((r) => (JSON.parse(r.settings) as StoredSettings).plan?.domains.includes(d));
      if (hit) return withPlan(Number(hit.id));
      return (
        (await file.forDomain(domain)) ??
        (await this.single().then((p) => (p && !p.plan?.domains.length ? p : undefined)))
      );
    },
  };
}
