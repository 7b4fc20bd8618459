/** Shared set-up for the people tests: a project whose mailboxes have no passwords of their own, registered in a store. */
import type { ProjectConfig } from '../../src/config/types.js';
import { MailboxRepo } from '../../src/store/mailbox-repo.js';
import { mailboxKey } from '../../src/services/migration-service.js';
import type { DovecotServer } from '../harness/dovecot.js';
import type { ProjectSource } from '../../src/portal/portal-deps.js';
import { oneOff, tempDataDir } from '../integration/helpers.js';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { openSecretBox } from '../../src/security/secret-key.js';
import { buildServer } from '../../src/server/app.js';
import { CredentialLinks } from '../../src/services/credential-links.js';
import { CredentialLinkRepo } from '../../src/store/credential-link-repo.js';
import { CredentialRepo } from '../../src/store/credential-repo.js';
import { openStore, type Store } from '../../src/store/db.js';

/** A project from `src` to `dst` for `users` (same login both sides), with no password anywhere. */
export function passwordlessProject(src: DovecotServer, dst: DovecotServer, users: string[]): ProjectConfig {
  const base = oneOff(src, users[0]!, 'unused', dst, users[0]!, 'unused');
  const template = base.mailboxes[0]!;
  return {
    ...base,
    mailboxes: users.map((u) => ({
      ...template,
      sourceUser: u,
      destUser: u,
      sourceAuth: undefined,
      destAuth: undefined,
    })),
  };
}

/** Register the project's mailboxes; returns source login → mailbox id. */
export async function registerMailboxes(store: Store, project: ProjectConfig): Promise<Map<string, number>> {
  const repo = new MailboxRepo(store.db);
  const ids = new Map<string, number>();
  for (const m of project.mailboxes)
    ids.set(
      m.sourceUser,
      await repo.upsert({
        key: mailboxKey(project.source, project.destination, m),
        sourceUser: m.sourceUser,
        destUser: m.destUser,
        starred: m.starred,
      }),
    );
  return ids;
}

/** A project source that always answers with `project` (for the domains in its plan, or any). */
export function staticProjects(project: ProjectConfig): ProjectSource {
  return {
    single: async () => project,
    forMailbox: async () => project,
    byId: async () => project,
    forDomain: async (d) =>
      !project.plan?.domains.length || project.plan.domains.includes(d.toLowerCase()) ? project : undefined,
  };
}

/** The hidden form token in a credential page. */
export function formTokenOf(html: string): string {
  const m = /name="form" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no form token in the page');
  return m[1]!;
}

/** A portal served on a free loopback port, its data dir, and each user's mailbox id and personal link path. */
export interface ServedPortal {
  app: FastifyInstance;
  base: string;
  dataDir: string;
  /** Source login → mailbox id. */
  ids: Map<string, number>;
  /** Source login → `/p/<token>`. */
  links: Map<string, string>;
}

/** Register `project`'s mailboxes in a new data dir, issue each a personal link, and serve the app for it. */
export async function servePortalWithLinks(project: ProjectConfig): Promise<ServedPortal> {
  const dataDir = tempDataDir();
  const links = new Map<string, string>();
  const store = await openStore(dataDir);
  let ids: Map<string, number>;
  try {
    ids = await registerMailboxes(store, project);
    const issuer = new CredentialLinks(new CredentialLinkRepo(store.db), openSecretBox(dataDir));
    for (const [u, id] of ids) links.set(u, `/p/${(await issuer.issue(id)).token}`);
  } finally {
    await store.close();
  }
  const app = await buildServer({ dataDir, projects: staticProjects(project), commsIntervalMs: 0 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return { app, base, dataDir, ids, links };
}

/** A mailbox's credential states and its sealed source credential, read through a store opened for the purpose. */
export async function storedCredential(dataDir: string, id: number) {
  const store = await openStore(dataDir);
  try {
    const repo = new CredentialRepo(store.db);
    return { states: await repo.states(id), sealed: await repo.sealed(id, 'source'), id };
  } finally {
    await store.close();
  }
}
