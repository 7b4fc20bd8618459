/** What the public portal and the operator's credential routes share, built once per server. */
import fs from 'node:fs';
import { loadProjectFile } from '../config/project-file.js';
import { ErrorCode, PermanentError } from '../errors.js';
import type { SecretBox } from '../security/secret-box.js';
import { CredentialLinks } from '../services/credential-links.js';
import { CredentialService, type LoginCheck, type PortalProject } from '../services/credential-service.js';
import { AlertRepo } from '../store/alert-repo.js';
import { ClientSetupRepo } from '../store/client-setup-repo.js';
import { CredentialLinkRepo } from '../store/credential-link-repo.js';
import { CredentialRepo } from '../store/credential-repo.js';
import type { Store } from '../store/db.js';
import { MailboxRepo } from '../store/mailbox-repo.js';

/** Where projects come from: the mailbox's project, and the project serving a mail domain. */
export interface ProjectSource {
  /** The project when there is exactly one (a project file), for project-wide counts. */
  single(): Promise<PortalProject | undefined>;
  forMailbox(mailboxId: number): Promise<PortalProject | undefined>;
  /** A stored project by its id (a project file alone has none). */
  byId(projectId: number): Promise<PortalProject | undefined>;
  forDomain(domain: string): Promise<PortalProject | undefined>;
}

/** The one project of a project file, re-read when the file changes. */
export function projectFromFile(file: string): ProjectSource {
  let cached: { mtimeMs: number; project: PortalProject } | undefined;
  const load = async (): Promise<PortalProject> => {
    const { mtimeMs } = fs.statSync(file);
    if (cached?.mtimeMs === mtimeMs) return cached.project;
    const { config, problems } = loadProjectFile(file);
    if (problems.length)
      throw new PermanentError(
        ErrorCode.ConfigInvalid,
        `The project file ${file} has problems: ${problems.map((p) => `${p.where}: ${p.message}`).join('; ')}`,
        'Fix the project file (cutover check lists the problems).',
      );
    cached = { mtimeMs, project: config };
    return config;
  };
  return {
    single: () => load(),
    forMailbox: () => load(),
    byId: async () => undefined,
    async forDomain(domain) {
      const p = await load();
      const domains = p.plan?.domains ?? [];
      return domains.length === 0 || domains.includes(domain.toLowerCase()) ? p : undefined;
    },
  };
}

/** No project configured: the portal answers that links cannot be used yet. */
export const noProjects: ProjectSource = {
  single: async () => undefined,
  forMailbox: async () => undefined,
  byId: async () => undefined,
  forDomain: async () => undefined,
};

/** Attempt limits of the credential form. */
export interface PortalLimits {
  /** Posts per link and window (default 5 per 15 minutes). */
  perLink: { max: number; windowMs: number };
  /** Posts and invalid links per client IP and window (default 30 per 15 minutes). */
  perIp: { max: number; windowMs: number };
}

export const DEFAULT_PORTAL_LIMITS: PortalLimits = {
  perLink: { max: 5, windowMs: 15 * 60_000 },
  perIp: { max: 30, windowMs: 15 * 60_000 },
};

/** The services behind the portal. */
export interface PortalDeps {
  store: Store;
  box: SecretBox;
  projects: ProjectSource;
  links: CredentialLinks;
  credentials: CredentialService;
  setups: ClientSetupRepo;
  /** Base of links in messages and exports, e.g. https://migrate.example.com (no trailing slash). */
  publicUrl?: string;
  limits: PortalLimits;
}

/** Build the portal's services over a store. */
export function portalDeps(o: {
  store: Store;
  box: SecretBox;
  projects: ProjectSource;
  publicUrl?: string;
  check?: LoginCheck;
  limits?: Partial<PortalLimits>;
}): PortalDeps {
  return {
    store: o.store,
    box: o.box,
    projects: o.projects,
    links: new CredentialLinks(new CredentialLinkRepo(o.store.db), o.box),
    credentials: new CredentialService({
      credentials: new CredentialRepo(o.store.db),
      mailboxes: new MailboxRepo(o.store.db),
      box: o.box,
      projectFor: (id) => o.projects.forMailbox(id),
      check: o.check,
      alerts: new AlertRepo(o.store.db),
    }),
    setups: new ClientSetupRepo(o.store.db),
    publicUrl: o.publicUrl?.replace(/\/+$/, ''),
    limits: { ...DEFAULT_PORTAL_LIMITS, ...o.limits },
  };
}

/** The personal page's path for a token (kept with the links; re-exported for the portal's routes). */
export { portalPath } from '../services/credential-links.js';
