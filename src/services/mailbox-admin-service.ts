/** A project's mailboxes for the operator: the paged table, add, edit, remove, star, per-mailbox options. */
import type {
  MailboxCreate,
  MailboxUpdate,
  ProjectMailbox,
  ProjectMailboxQuery,
} from '../schemas/mailboxes.js';
import type {
  MailboxOverrides,
  MemberFilter,
  MemberRow,
  ProjectMailboxRepo,
} from '../store/project-mailbox-repo.js';
import { mailboxKey } from './migration-service.js';
import type { ProjectService } from './project-service.js';
import { checkRange, serverIdentity } from './project-settings.js';
import { ConflictError, NotFoundError } from '../errors.js';

/** A page of a project's mailboxes. */
export interface MailboxPage {
  items: ProjectMailbox[];
  total: number;
  offset: number;
  limit: number;
}

export class MailboxAdminService {
  constructor(
    private readonly deps: {
      projects: ProjectService;
      members: ProjectMailboxRepo;
      /** True while a pass of the project runs (its mailboxes cannot be removed then). */
      busy?: (projectId: number) => boolean;
    },
  ) {}

  async list(projectId: number, q: ProjectMailboxQuery): Promise<MailboxPage> {
    await this.deps.projects.settings(projectId); // 404 for an unknown project
    const { rows, total } = await this.deps.members.page(projectId, q);
    return { items: rows.map(showMember), total, offset: q.offset, limit: q.limit };
  }

  async get(id: number): Promise<ProjectMailbox> {
    return showMember(await this.row(id));
  }

  async add(projectId: number, input: MailboxCreate): Promise<ProjectMailbox> {
    const key = await this.keyFor(projectId, input.sourceUser, input.destUser ?? input.sourceUser);
    const existing = await this.deps.members.byKey(key);
    if (existing)
      throw new ConflictError(
        `Mailbox ${input.sourceUser} is already ${existing.projectId === projectId ? 'in this project' : 'in another project'}.`,
        existing.projectId === projectId
          ? 'Edit it instead.'
          : 'Remove it there first, or use another destination login.',
      );
    const id = await this.deps.members.insert(projectId, {
      key,
      sourceUser: input.sourceUser,
      destUser: input.destUser ?? input.sourceUser,
      starred: input.starred ?? false,
      options: overrides({}, input),
    });
    return this.get(id);
  }

  async update(id: number, patch: MailboxUpdate): Promise<ProjectMailbox> {
    const m = await this.row(id);
    let key: string | undefined;
    if (patch.destUser !== undefined && patch.destUser !== m.destUser) {
      key = await this.keyFor(m.projectId, m.sourceUser, patch.destUser);
      if (await this.deps.members.byKey(key))
        throw new ConflictError(
          `${m.sourceUser} → ${patch.destUser} exists already.`,
          'Choose another destination login.',
        );
    }
    await this.deps.members.update(id, {
      key,
      destUser: patch.destUser,
      starred: patch.starred,
      options: overrides(m.options, patch),
    });
    return this.get(id);
  }

  /** Remove the mailbox from the project, with its history (nothing at the source or destination changes). */
  async remove(id: number): Promise<void> {
    const m = await this.row(id);
    if (this.deps.busy?.(m.projectId))
      throw new ConflictError(
        `A migration pass of this mailbox's project is running.`,
        'Pause it first, then remove the mailbox.',
      );
    await this.deps.members.delete(id);
  }

  /** Star or unstar the selected mailboxes; returns how many. */
  async star(projectId: number, sel: MemberFilter, starred: boolean): Promise<number> {
    return this.deps.members.setStarred(projectId, await this.select(projectId, sel), starred);
  }

  /** Ids of the project's mailboxes that `sel` names (ids of other projects are ignored). */
  async select(projectId: number, sel: MemberFilter): Promise<number[]> {
    await this.deps.projects.settings(projectId);
    return this.deps.members.ids(projectId, sel);
  }

  /** The stable key of a mailbox pair under the project's servers. */
  async keyFor(projectId: number, sourceUser: string, destUser: string): Promise<string> {
    const { settings } = await this.deps.projects.settings(projectId);
    return mailboxKey(serverIdentity(settings.source), serverIdentity(settings.destination), {
      sourceUser,
      destUser,
    });
  }

  private async row(id: number): Promise<MemberRow> {
    const m = await this.deps.members.get(id);
    if (!m)
      throw new NotFoundError(
        `No mailbox ${id} in any project.`,
        'List them with GET /api/projects/{id}/mailboxes.',
      );
    return m;
  }
}

/** New per-mailbox options: what the patch gives replaces, null clears (back to the project defaults). */
export function overrides(
  current: MailboxOverrides,
  patch: { itemTypes?: string[] | null; since?: string | null; before?: string | null },
): MailboxOverrides {
  const next: MailboxOverrides = { ...current };
  if (patch.itemTypes !== undefined) {
    if (patch.itemTypes === null) delete next.itemTypes;
    else next.itemTypes = patch.itemTypes;
  }
  for (const k of ['since', 'before'] as const)
    if (patch[k] !== undefined) {
      if (patch[k] === null) delete next[k];
      else next[k] = patch[k];
    }
  checkRange(next.since, next.before, 'mailbox');
  return next;
}

/** The table row of a mailbox. */
export function showMember(m: MemberRow): ProjectMailbox {
  return {
    id: m.id,
    projectId: m.projectId,
    sourceUser: m.sourceUser,
    destUser: m.destUser,
    starred: m.starred,
    status: m.status,
    sourceBytes: m.sourceBytes,
    sourceMessages: m.sourceMessages,
    lastError: m.lastError,
    itemTypes: (m.options.itemTypes as ProjectMailbox['itemTypes']) ?? null,
    since: m.options.since ?? null,
    before: m.options.before ?? null,
    updatedAt: m.updatedAt,
  };
}
