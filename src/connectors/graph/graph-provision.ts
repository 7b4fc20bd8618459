/**
 * Provisioning check: before anything is copied, the mailbox must exist in the tenant and have an
 * Exchange Online mailbox (a licence, or a shared mailbox). Graph answers 404 ErrorInvalidUser for an
 * unknown user and 404 MailboxNotEnabledForRESTAPI for one without a mailbox; both become a clear
 * per-mailbox error (graph-errors.ts). Also callable by services for a whole list up front.
 */
import type { AuthSpec, ServerSpec } from '../../config/types.js';
import { asCutoverError } from '../../errors.js';
import { appOf, tokenSourceFor } from './graph-auth.js';
import { GraphClient } from './graph-client.js';
import { graphTarget, userPath } from './graph-config.js';

/** Throws a typed error when the client's mailbox cannot be used; uses only Mail.ReadWrite. */
export async function checkMailbox(client: GraphClient, signal?: AbortSignal): Promise<void> {
  await client.json(
    'GET',
    `${userPath(client.target)}/mailFolders/inbox?$select=id`,
    { what: 'mailbox check' },
    signal,
  );
}

/** One mailbox's provisioning state. */
export interface ProvisioningResult {
  user: string;
  ready: boolean;
  /** What is wrong and what to do, when not ready. */
  problem?: string;
}

/** Check several mailboxes on one tenant (one after another; each check is one request). */
export async function checkGraphMailboxes(
  server: ServerSpec,
  mailboxes: Array<{ user: string; auth: AuthSpec }>,
  signal?: AbortSignal,
): Promise<ProvisioningResult[]> {
  const out: ProvisioningResult[] = [];
  for (const m of mailboxes) {
    try {
      const target = graphTarget(server, m.auth);
      await checkMailbox(new GraphClient(target, tokenSourceFor(target, m.auth, appOf(server))), signal);
      out.push({ user: m.user, ready: true });
    } catch (err) {
      out.push({ user: m.user, ready: false, problem: asCutoverError(err).describe() });
    }
  }
  return out;
}
