/**
 * Sealed values kept in the store by name, for state a connector keeps across restarts and shares between
 * workers (Microsoft 365's token cache), where a single process would keep a file in its data directory.
 * The repository stores what it is given: sealing is the caller's (runner/pg/pg-kept-secrets.ts).
 */
import type { Kysely } from 'kysely';
import type { LimitsDatabase } from './limits-schema.js';

export class KvSecretRepo {
  constructor(private readonly db: Kysely<LimitsDatabase>) {}

  /** The sealed value under `name`, if any. */
  async get(name: string): Promise<string | undefined> {
    const r = await this.db
      .selectFrom('kv_secrets')
      .select('value')
      .where('name', '=', name)
      .executeTakeFirst();
    return r?.value;
  }

  /** Store `sealed` under `name` (replacing what was there); the last writer wins. */
  async put(name: string, sealed: string, now = Date.now()): Promise<void> {
    await this.db
      .insertInto('kv_secrets')
      .values({ name, value: sealed, updated_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: sealed, updated_at: now }))
      .execute();
  }

  /** Store `sealed` under `name` unless something is there already (the first writer wins). */
  async putIfAbsent(name: string, sealed: string, now = Date.now()): Promise<void> {
    await this.db
      .insertInto('kv_secrets')
      .values({ name, value: sealed, updated_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
  }

  /** Forget `name`. */
  async delete(name: string): Promise<void> {
    await this.db.deleteFrom('kv_secrets').where('name', '=', name).execute();
  }
}
