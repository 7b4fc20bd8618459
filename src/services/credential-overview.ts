/**
 * Per-mailbox credential state for the operator: which sides are stored and verified, one overall state (none,
 * provided, verified, failing — a stored password a real login refused since), the link, set-up downloads.
 */
import type { Kysely } from 'kysely';
import { AlertRepo } from '../store/alert-repo.js';
import { ClientSetupRepo } from '../store/client-setup-repo.js';
import { CredentialLinkRepo } from '../store/credential-link-repo.js';
import { CredentialRepo, type CredentialSide, type CredentialState } from '../store/credential-repo.js';
import { MailboxRepo } from '../store/mailbox-repo.js';
import type { Database } from '../store/schema.js';

/** none: no required password stored; provided: stored, not all checked; verified: every one accepted by a login; failing: a login refused one; not-needed: the project logs in as an administrator. */
export type CredentialOverall = 'none' | 'provided' | 'verified' | 'failing' | 'not-needed';

/** Alerts that mean a stored or missing password stops the mailbox (see mailbox-alerts.ts, credential-auth.ts). */
const FAILING_ALERTS = ['auth-failed', 'login-refused'];

/** One mailbox's row. Never a password or a link token. */
export interface CredentialOverviewRow {
  mailboxId: number;
  sourceUser: string;
  destUser: string;
  sides: Array<Omit<CredentialState, 'mailboxId'>>;
  /** The sides the project needs a password for. */
  required: CredentialSide[];
  state: CredentialOverall;
  /** Why it is failing (the alert's text), else null. */
  failure: string | null;
  /** The live link, when one has been issued and is neither expired nor revoked. */
  link: { createdAt: string; expiresAt: string; lastUsedAt: string | null } | null;
  clientSetup: Array<{ kind: string; firstAt: string; lastAt: string; count: number }>;
}

/** The overall state of one mailbox from its stored sides, the required ones and a failure. */
export function overallState(
  sides: Array<Pick<CredentialState, 'side' | 'verifiedAt'>>,
  required: CredentialSide[],
  failing: boolean,
): CredentialOverall {
  if (!required.length) return 'not-needed';
  if (failing) return 'failing';
  const stored = sides.filter((s) => required.includes(s.side));
  if (!stored.length) return 'none';
  return stored.length === required.length && stored.every((s) => s.verifiedAt) ? 'verified' : 'provided';
}

/** A page of mailboxes (by id; of one project when `projectId` is given) with their credential state. */
export async function credentialOverview(
  db: Kysely<Database>,
  opts: { offset: number; limit: number; now?: Date; projectId?: number; required?: CredentialSide[] },
): Promise<{ total: number; items: CredentialOverviewRow[] }> {
  const required = opts.required ?? ['source'];
  const repo = new MailboxRepo(db);
  const total = await repo.count({ projectId: opts.projectId });
  const mailboxes = await repo.logins({
    projectId: opts.projectId,
    order: 'id',
    offset: opts.offset,
    limit: opts.limit,
  });
  const ids = mailboxes.map((m) => m.id);
  const states = await new CredentialRepo(db).states(ids);
  const links = new Map(
    (await new CredentialLinkRepo(db).live(opts.now ?? new Date(), ids)).map((l) => [l.mailboxId, l]),
  );
  const setups = await new ClientSetupRepo(db).list(ids);
  const failures = new Map(
    (await new AlertRepo(db).activeOfTypes(FAILING_ALERTS, ids)).map((a) => [a.mailboxId, a.text]),
  );
  const items = mailboxes.map((m): CredentialOverviewRow => {
    const id = m.id;
    const link = links.get(id);
    const sides = states.filter((s) => s.mailboxId === id).map(({ mailboxId: _m, ...rest }) => rest);
    const failure = failures.get(id) ?? null;
    return {
      mailboxId: id,
      sourceUser: m.sourceUser,
      destUser: m.destUser,
      sides,
      required,
      state: overallState(sides, required, failure !== null),
      failure,
      link: link
        ? { createdAt: link.createdAt, expiresAt: link.expiresAt, lastUsedAt: link.lastUsedAt }
        : null,
      clientSetup: setups.filter((s) => s.mailboxId === id).map(({ mailboxId: _m, ...rest }) => rest),
    };
  });
  return { total, items };
}
