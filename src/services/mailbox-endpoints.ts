/**
 * A mailbox of a run as the engine and its outcome see it: its stable key, both sides' connector, server
 * and login, the label progress shows. Shared by the migration service and the mailbox-pass job.
 */
import type { AuthSpec, MailboxSpec, ProjectConfig, ServerSpec } from '../config/types.js';
import { connectorFor } from '../connectors/registry.js';
import { ErrorCode, PermanentError } from '../errors.js';
import type { Endpoint } from '../engine/mailbox-sync.js';
import type { PassCounters } from '../store/mailbox-repo.js';
import type { StoredAuths } from './credential-auth.js';

/** Stable identity of a mailbox pair across runs. */
export function mailboxKey(
  source: ServerSpec,
  dest: ServerSpec,
  m: Pick<MailboxSpec, 'sourceUser' | 'destUser'>,
): string {
  return `${source.kind}://${source.host}:${source.port}/${m.sourceUser} -> ${dest.kind}://${dest.host}:${dest.port}/${m.destUser}`;
}

/** The login for a mailbox: its own credentials, else the server's admin acting for it. */
export function authFor(server: ServerSpec, user: string, own: AuthSpec | undefined, side: string): AuthSpec {
  if (own) return own;
  if (server.admin?.mode === 'master')
    return { kind: 'master', user, masterUser: server.admin.user, password: server.admin.password };
  if (server.admin) return { kind: 'password', user: server.admin.user, password: server.admin.password };
  throw new PermanentError(
    ErrorCode.ConfigInvalid,
    `No ${side} credentials for mailbox "${user}".`,
    `Have the user enter it on their personal credential page (the Credentials page issues the link), add a ${side}_password (or _env/_file) column to the mailboxes CSV, or give the ${side} server an admin login with mode: master.`,
  );
}

export interface MailboxOutcome {
  mailboxId: number;
  label: string;
  status: 'done' | 'failed' | 'stopped';
  counters?: PassCounters;
  error?: string;
}

/** A mailbox as progress and outcomes name it. */
export const labelOf = (spec: Pick<MailboxSpec, 'sourceUser' | 'destUser'>): string =>
  spec.sourceUser === spec.destUser ? spec.sourceUser : `${spec.sourceUser} → ${spec.destUser}`;

/** Both sides of a mailbox: connector, server and login (mailboxes CSV, stored credential, admin login). */
export function endpointsFor(
  project: ProjectConfig,
  spec: MailboxSpec,
  id: number,
  stored: StoredAuths,
): { source: Endpoint; dest: Endpoint } {
  return {
    source: {
      connector: connectorFor(project.source.kind, stored.connectors),
      server: project.source,
      auth: authFor(
        project.source,
        spec.sourceUser,
        spec.sourceAuth ?? stored.auth(id, 'source', spec.sourceUser),
        'source',
      ),
    },
    dest: {
      connector: connectorFor(project.destination.kind, stored.connectors),
      server: project.destination,
      auth: authFor(
        project.destination,
        spec.destUser,
        spec.destAuth ?? stored.auth(id, 'destination', spec.destUser),
        'destination',
      ),
    },
  };
}
