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
import { ProjectRepo } from '../store/project-repo.js';
import { noProjects, type ProjectSource } from './portal-deps.js';

/** A ProjectSource over the projects table, with `file` (the project file's source) for plans and as fallback. */
export function projectsFromStore(
  store: Store,
  box: SecretBox,
  file: ProjectSource = noProjects,
): ProjectSource {
  const service = new ProjectService({ projects: new ProjectRepo(store.db), box });
  const withPlan = async (id: number): Promise<PortalProject | undefined> => {
    const runtime = await service.runtime(id).catch(() => undefined);
    if (!runtime) return undefined;
    // The stored plan: a project file's is imported at start (serve --project), edits made since win.
    return runtime;
  };
  /** The only project in the store, if there is exactly one. */
  const onlyOne = async () => {
    const ids = await store.db.selectFrom('projects').select('id').limit(2).execute();
    return ids.length === 1 ? withPlan(Number(ids[0]!.id)) : undefined;
  };
  return {
    async single() {
      const fromFile = await file.single().catch(() => undefined);
      if (!fromFile) return onlyOne();
      // The file's project as imported into the store: its plan as edited there since.
      const row = await store.db
        .selectFrom('projects')
        .select('id')
        .where('name', '=', fromFile.name)
        .executeTakeFirst();
      const stored = row && (await withPlan(Number(row.id)));
      return stored ? { ...fromFile, plan: stored.plan } : fromFile;
    },
    async forMailbox(mailboxId) {
      const m = await store.db
        .selectFrom('mailboxes')
        .select('project_id')
        .where('id', '=', mailboxId)
        .executeTakeFirst();
      if (m?.project_id != null) return withPlan(Number(m.project_id));
      return file.forMailbox(mailboxId);
    },
    byId: withPlan,
    async forDomain(domain) {
      // A stored project whose plan names the domain (edited over the API or imported from a file).
      const d = domain.toLowerCase();
      const rows = await store.db.selectFrom('projects').select(['id', 'settings']).execute();
      const hit = rows.find((r) => (JSON.parse(r.settings) as StoredSettings).plan?.domains.includes(d));
      if (hit) return withPlan(Number(hit.id));
      return (
        (await file.forDomain(domain)) ??
        (await this.single().then((p) => (p && !p.plan?.domains.length ? p : undefined)))
      );
    },
  };
}
