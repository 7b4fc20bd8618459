/**
 * Single-use values already spent (OAuth consent states), kept in the store until they would have expired
 * anyway: after a restart a replayed state is still refused. Claiming is one insert that loses to an earlier
 * one, so two callbacks racing with the same state cannot both pass.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export class UsedNonceRepo {
  private lastPurge = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly purgeEveryMs = 60_000,
  ) {}

  /** True when `nonce` was spent and is still remembered at `now`. */
  async has(nonce: string, now: number): Promise<boolean> {
    const r = await this.db
      .selectFrom('used_nonces')
      .select('nonce')
      .where('nonce', '=', nonce)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return r !== undefined;
  }

  /** Spend `nonce` (remembered until `expiresAt`, ms); false when it was spent already. */
  async claim(nonce: string, expiresAt: number, now: number): Promise<boolean> {
    if (now - this.lastPurge >= this.purgeEveryMs) {
      this.lastPurge = now;
      await this.db.deleteFrom('used_nonces').where('expires_at', '<=', now).execute();
    }
    const r = await this.db
      .insertInto('used_nonces')
      .values({ nonce, expires_at: expiresAt })
      .onConflict((oc) => oc.column('nonce').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }
}
