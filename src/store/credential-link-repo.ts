/** Personal credential links: the token never stored, only its SHA-256 hash and the nonce it derives from. */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface CredentialLinkRow {
  id: number;
  mailboxId: number;
  tokenHash: string;
  nonce: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export class CredentialLinkRepo {
  constructor(private readonly db: Kysely<Database>) {}

  /** Record a new link. */
  async insert(l: Omit<CredentialLinkRow, 'id' | 'revokedAt' | 'lastUsedAt'>): Promise<number> {
    const r = await this.db
      .insertInto('credential_links')
      .values({
        mailbox_id: l.mailboxId,
        token_hash: l.tokenHash,
        nonce: l.nonce,
        created_at: l.createdAt,
        expires_at: l.expiresAt,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(r.id);
  }

  /** The link whose token hashes to `tokenHash`, live or not. */
  async byHash(tokenHash: string): Promise<CredentialLinkRow | undefined> {
    const r = await this.db
      .selectFrom('credential_links')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return r && toRow(r);
  }

  /** The newest link of each mailbox that is neither revoked nor expired at `now`. */
  async live(now: Date, mailboxIds?: number | number[]): Promise<CredentialLinkRow[]> {
    let q = this.db
      .selectFrom('credential_links')
      .selectAll()
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .orderBy('id', 'desc');
    if (typeof mailboxIds === 'number') q = q.where('mailbox_id', '=', mailboxIds);
    else if (mailboxIds) q = q.where('mailbox_id', 'in', mailboxIds.length ? mailboxIds : [-1]);
    const seen = new Set<number>();
    const out: CredentialLinkRow[] = [];
    for (const r of (await q.execute()).map(toRow))
      if (!seen.has(r.mailboxId)) {
        seen.add(r.mailboxId);
        out.push(r);
      }
    return out;
  }

  /** Revoke every live link of a mailbox; returns how many. */
  async revokeAll(mailboxId: number, at: Date): Promise<number> {
    const r = await this.db
      .updateTable('credential_links')
      .set({ revoked_at: at.toISOString() })
      .where('mailbox_id', '=', mailboxId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Note that the link was used (page opened or form posted). */
  async touch(id: number, at: Date): Promise<void> {
    await this.db
      .updateTable('credential_links')
      .set({ last_used_at: at.toISOString() })
      .where('id', '=', id)
      .execute();
  }
}

function toRow(r: Database['credential_links'] extends infer T ? { [K in keyof T]: unknown } : never) {
  return {
    id: Number(r.id),
    mailboxId: Number(r.mailbox_id),
    tokenHash: String(r.token_hash),
    nonce: String(r.nonce),
    createdAt: String(r.created_at),
    expiresAt: String(r.expires_at),
    revokedAt: (r.revoked_at as string | null) ?? null,
    lastUsedAt: (r.last_used_at as string | null) ?? null,
  };
}
