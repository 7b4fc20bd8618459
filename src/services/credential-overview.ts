/** Per-mailbox credential state for the operator: which sides are stored and verified, the link, set-up downloads. */
import type { Kysely } from 'kysely';
import { ClientSetupRepo } from '../store/client-setup-repo.js';
import { CredentialLinkRepo } from '../store/credential-link-repo.js';
import { CredentialRepo, type CredentialState } from '../store/credential-repo.js';
import type { Database } from '../store/schema.js';

/** One mailbox's row. Never a password or a link token. */
export interface CredentialOverviewRow {
  mailboxId: number;
  sourceUser: string;
  destUser: string;
  sides: Array<Omit<CredentialState, 'mailboxId'>>;
  /** The live link, when one has been issued and is neither expired nor revoked. */
  link: { createdAt: string; expiresAt: string; lastUsedAt: string | null } | null;
  clientSetup: Array<{ kind: string; firstAt: string; lastAt: string; count: number }>;
}

/** A page of mailboxes (by id) with their credential state. */
export async function credentialOverview(
  db: Kysely<Database>,
  opts: { offset: number; limit: number; now?: Date },
): Promise<{ total: number; items: CredentialOverviewRow[] }> {
  const total = Number(
    (
      await db
        .selectFrom('mailboxes')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const mailboxes = await db
    .selectFrom('mailboxes')
    .select(['id', 'source_user', 'dest_user'])
    .orderBy('id')
    .offset(opts.offset)
    .limit(opts.limit)
    .execute();
  const ids = mailboxes.map((m) => Number(m.id));
  const states = await new CredentialRepo(db).states(ids);
  const links = new Map(
    (await new CredentialLinkRepo(db).live(opts.now ?? new Date(), ids)).map((l) => [l.mailboxId, l]),
  );
  const setups = await new ClientSetupRepo(db).list(ids);
  const items = mailboxes.map((m): CredentialOverviewRow => {
    const id = Number(m.id);
    const link = links.get(id);
    return {
      mailboxId: id,
      sourceUser: m.source_user,
      destUser: m.dest_user,
      sides: states.filter((s) => s.mailboxId === id).map(({ mailboxId: _m, ...rest }) => rest),
      link: link
        ? { createdAt: link.createdAt, expiresAt: link.expiresAt, lastUsedAt: link.lastUsedAt }
        : null,
      clientSetup: setups.filter((s) => s.mailboxId === id).map(({ mailboxId: _m, ...rest }) => rest),
    };
  });
  return { total, items };
}
