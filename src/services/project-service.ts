/**
 * Projects in the store: create, read, update (any setting, any time), delete, and the runtime
 * ProjectConfig the engine runs. Secrets go in sealed and never come out through `view`.
 */
import type { ProjectConfig } from '../config/types.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Project, ProjectCreate, ProjectUpdate } from '../schemas/projects.js';
import type { Store } from '../store/db.js';
import type { ProjectMailboxRepo } from '../store/project-mailbox-repo.js';
import type { ProjectRepo, ProjectRow } from '../store/project-repo.js';
import { mailboxKey } from './migration-service.js';
import { importProjectFile } from './project-file-import.js';
import {
  checkSchedule,
  filledDefaults,
  fullDefaults,
  runtimeOptions,
  runtimeServer,
  serverIdentity,
  settingsFromConfig,
  showServer,
  storeServer,
  type StoredSettings,
} from './project-settings.js';
import { runtimePlan, showPlan, storePlan } from './project-plan.js';
import { ConflictError, NotFoundError } from '../errors.js';

/** A page of projects. */
export interface ProjectPage {
  items: Project[];
  total: number;
  offset: number;
  limit: number;
}

export class ProjectService {
  constructor(
    private readonly deps: {
      projects: ProjectRepo;
      box: SecretBox;
      /** To give the project's mailboxes new keys when a server changes (keys name the servers). */
      members?: Pick<ProjectMailboxRepo, 'rekey'>;
      /** True while a pass of the project runs (it cannot be deleted then). */
      busy?: (projectId: number) => boolean;
    },
  ) {}

  async list(q: { offset: number; limit: number; search?: string }): Promise<ProjectPage> {
    const { rows, total } = await this.deps.projects.page(q);
    return { items: rows.map(view), total, offset: q.offset, limit: q.limit };
  }

  async get(id: number): Promise<Project> {
    return view(await this.row(id));
  }

  /** The stored settings of a project (404 when there is none). */
  async settings(id: number): Promise<{ name: string; settings: StoredSettings }> {
    const row = await this.row(id);
    return { name: row.name, settings: JSON.parse(row.settings) as StoredSettings };
  }

  async create(input: ProjectCreate): Promise<Project> {
    await this.unique(input.name);
    const { box } = this.deps;
    const settings: StoredSettings = {
      source: storeServer(box, 'source', input.source),
      destination: storeServer(box, 'destination', input.destination),
      defaults: fullDefaults(input.defaults),
      concurrency: input.concurrency ?? { mailboxes: 4, foldersPerMailbox: 2 },
      limits: input.limits ?? {},
      timezone: input.timezone ?? 'UTC',
      windows: input.windows ?? [],
    };
    checkSchedule(settings.timezone, settings.windows);
    if (input.plan) settings.plan = storePlan(box, input.plan, settings.timezone, undefined);
    return this.get(await this.deps.projects.insert(input.name, JSON.stringify(settings)));
  }

  /** Change any subset of the settings; a running migration sees windows at once, the rest on its next pass. */
  async update(id: number, patch: ProjectUpdate): Promise<Project> {
    const { name, settings: s } = await this.settings(id);
    const { box } = this.deps;
    if (patch.name !== undefined && patch.name !== name) await this.unique(patch.name);
    const next: StoredSettings = {
      source: patch.source ? storeServer(box, 'source', patch.source, s.source) : s.source,
      destination: patch.destination
        ? storeServer(box, 'destination', patch.destination, s.destination)
        : s.destination,
      defaults: patch.defaults ? fullDefaults(patch.defaults) : s.defaults,
      concurrency: patch.concurrency ?? s.concurrency,
      limits: patch.limits ?? s.limits,
      timezone: patch.timezone ?? s.timezone,
      windows: patch.windows ?? s.windows,
      ...(s.plan ? { plan: s.plan } : {}),
    };
    checkSchedule(next.timezone, next.windows);
    if (patch.plan) next.plan = storePlan(box, patch.plan, next.timezone, s.plan);
    await this.deps.projects.update(id, { name: patch.name, settings: JSON.stringify(next) });
    if (this.deps.members && (patch.source || patch.destination))
      await this.deps.members.rekey(id, (m) =>
        mailboxKey(serverIdentity(next.source), serverIdentity(next.destination), m),
      );
    return this.get(id);
  }

  async delete(id: number): Promise<void> {
    if (this.deps.busy?.(id))
      throw new ConflictError('A migration pass of this project is running.', 'Pause it first, then delete.');
    if (!(await this.deps.projects.delete(id))) throw notFound(id);
  }

  /** The project as the engine runs it, without mailboxes (the caller adds those it runs). */
  async runtime(id: number): Promise<ProjectConfig> {
    const { name, settings: s } = await this.settings(id);
    const { box } = this.deps;
    return {
      name,
      source: runtimeServer(box, 'source', s.source),
      destination: runtimeServer(box, 'destination', s.destination),
      defaults: runtimeOptions(filledDefaults(s.defaults)),
      mailboxes: [],
      concurrency: s.concurrency,
      limits: s.limits,
      plan: runtimePlan(box, s.plan, s.timezone, s.windows),
    };
  }

  /** Store a project file's project under its name (insert or replace its settings); returns the id. */
  async upsertFromConfig(config: ProjectConfig): Promise<number> {
    const settings = JSON.stringify(settingsFromConfig(this.deps.box, config));
    const existing = await this.deps.projects.byName(config.name);
    if (existing) {
      await this.deps.projects.update(existing.id, { settings });
      return existing.id;
    }
    return this.deps.projects.insert(config.name, settings);
  }

  /**
   * Store a project file as a project by its name, with its mailboxes and the passwords it gives them
   * (serve --project); stored again only when the file changed since the last start.
   */
  async importFile(
    file: string,
    io: { store: Store; members: ProjectMailboxRepo; dataDir: string },
  ): Promise<void> {
    await importProjectFile(
      io.store,
      { projects: this, members: io.members, box: this.deps.box },
      file,
      io.dataDir,
    );
  }

  private async row(id: number): Promise<ProjectRow> {
    const row = await this.deps.projects.get(id);
    if (!row) throw notFound(id);
    return row;
  }

  private async unique(name: string): Promise<void> {
    if (await this.deps.projects.byName(name))
      throw new ConflictError(
        `A project named "${name}" exists already.`,
        'Choose another name, or edit that project.',
      );
  }
}

const notFound = (id: number) => new NotFoundError(`No project ${id}.`, 'List them with GET /api/projects.');

function view(row: ProjectRow): Project {
  const s = JSON.parse(row.settings) as StoredSettings;
  return {
    id: row.id,
    name: row.name,
    source: showServer(s.source),
    destination: showServer(s.destination),
    defaults: filledDefaults(s.defaults),
    concurrency: s.concurrency,
    limits: {
      messagesPerSecond: s.limits.messagesPerSecond ?? null,
      bytesPerSecond: s.limits.bytesPerSecond ?? null,
    },
    timezone: s.timezone,
    windows: s.windows,
    plan: showPlan(s.plan),
    mailboxCount: row.mailboxCount,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
