/** Shared set-up for the people tests: a project whose mailboxes have no passwords of their own, registered in a store. */
import type { ProjectConfig } from '../../src/config/types.js';
import type { Store } from '../../src/store/db.js';
import { MailboxRepo } from '../../src/store/mailbox-repo.js';
import { mailboxKey } from '../../src/services/migration-service.js';
import type { DovecotServer } from '../harness/dovecot.js';
import type { ProjectSource } from '../../src/portal/portal-deps.js';
import { oneOff } from '../integration/helpers.js';

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
