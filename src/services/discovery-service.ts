/**
 * Mailbox discovery: the mailboxes a source system can list (Microsoft 365 users and shared mailboxes,
 * Google Workspace users), turned into mailbox rows — destination logins through the plan's address
 * replacements, suspended accounts left out unless asked for, rows the project already has marked.
 */
import { defaultPlan, replaceAddress } from '../config/plan.js';
import type { ProjectConfig } from '../config/types.js';
import { connectorFor, descriptorFor } from '../connectors/registry.js';
import { ErrorCode, PermanentError } from '../errors.js';
import { authFor } from './migration-service.js';

/** One discovered mailbox, ready to become a mailbox row. */
export interface DiscoveredRow {
  source: string;
  destination: string;
  name?: string;
  /** user, shared, room… where the system says. */
  kind?: string;
  suspended: boolean;
  /** The project already has a mailbox with this source login. */
  known: boolean;
}

export interface DiscoveryResult {
  rows: DiscoveredRow[];
  /** Suspended accounts found and left out. */
  suspendedLeftOut: number;
}

/** List the source's mailboxes with its admin login. */
export async function discoverMailboxes(
  project: ProjectConfig,
  opts: { includeSuspended?: boolean; signal?: AbortSignal } = {},
): Promise<DiscoveryResult> {
  const server = project.source;
  const connector = connectorFor(server.kind);
  if (!connector.listMailboxes)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `An ${descriptorFor(server.kind)?.name ?? server.kind} source cannot list its mailboxes: the protocol has no user directory.`,
      'Import the mailboxes from a CSV (columns source,destination) or add them one by one.',
    );
  if (!server.admin)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      'Discovery lists the mailboxes with the source admin login, and the project has none.',
      'Add source.admin to the project (Microsoft 365: the app registration; Google: the service account and a Workspace admin).',
    );
  const auth = authFor(server, server.admin.user, undefined, 'source');
  const rules = (project.plan ?? defaultPlan()).addressReplacements;
  const known = new Set(project.mailboxes.map((m) => m.sourceUser.toLowerCase()));
  const seen = new Set<string>();
  const result: DiscoveryResult = { rows: [], suspendedLeftOut: 0 };
  for await (const page of connector.listMailboxes(server, auth, opts.signal))
    for (const m of page) {
      const key = m.user.toLowerCase();
      if (seen.has(key)) continue; // a directory page boundary may repeat a row
      seen.add(key);
      if (m.suspended && !opts.includeSuspended) {
        result.suspendedLeftOut++;
        continue;
      }
      result.rows.push({
        source: m.user,
        destination: replaceAddress(m.user, rules),
        name: m.name,
        kind: m.kind,
        suspended: Boolean(m.suspended),
        known: known.has(key),
      });
    }
  result.rows.sort((a, b) => a.source.localeCompare(b.source));
  return result;
}
