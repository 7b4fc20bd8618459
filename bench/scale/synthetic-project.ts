/**
 * The scale benchmark's stored project: both servers `kind: synthetic` with a master login (sealed in the
 * store like any project's), and N members `user00001`… added as a CSV import adds them (keys from
 * `mailboxKey`, rows upserted in chunks).
 */
import { mailboxKey } from '../../src/services/mailbox-endpoints.js';
import type { ProjectService } from '../../src/services/project-service.js';
import type { SharedRunDeps } from '../../src/services/shared-runs.js';
import { SYNTHETIC_KIND } from './synthetic-connector.js';

type ProjectInput = Parameters<ProjectService['create']>[0];

const server = (host: string): ProjectInput['source'] => ({
  kind: SYNTHETIC_KIND,
  host,
  port: 1,
  tls: 'none',
  // Not servers: nothing limits connections to them but the engine's own per-mailbox lanes.
  maxConnections: 1000,
  admin: { user: 'bench-admin', mode: 'master', password: 'bench-master-password' },
});

/** The mailbox login of member `i` (0-based). */
export const userOf = (i: number) => `user${String(i + 1).padStart(5, '0')}`;

/** Create the project with `mailboxes` members and a mailbox window of `window`; its id. */
export async function createProject(deps: SharedRunDeps, mailboxes: number, window: number): Promise<number> {
  const p = await deps.projects.create({
    name: `scale ${new Date().toISOString()}`,
    source: server('source.synthetic.invalid'),
    destination: server('destination.synthetic.invalid'),
    concurrency: { mailboxes: window, foldersPerMailbox: 2 },
  });
  const runtime = await deps.projects.runtime(p.id);
  const rows = Array.from({ length: mailboxes }, (_, i) => {
    const m = { sourceUser: userOf(i), destUser: userOf(i) };
    return { key: mailboxKey(runtime.source, runtime.destination, m), ...m, starred: false, options: {} };
  });
  const { added } = await deps.members.upsertMany(p.id, rows);
  if (added !== mailboxes) throw new Error(`only ${added} of ${mailboxes} mailboxes were added`);
  return p.id;
}
