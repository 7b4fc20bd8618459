/**
 * One key per shared database: every process that opens a PostgreSQL store (servers behind a load balancer,
 * workers, a CLI `migrate --database-url`) must seal and open secrets with the same key. Without
 * CUTOVER_SECRET_KEY each machine would make a key file of its own in its data directory, and a password one
 * server sealed could not be opened by a worker elsewhere: a confusing login failure later, on one mailbox
 * at a time. So the first process to open the database seals a known value under a fixed name; every later
 * one opens it, and a process holding another key refuses to start, saying what to do. The embedded SQLite
 * store is one machine's: nothing to check there.
 */
import type { Kysely } from 'kysely';
import { ErrorCode, PermanentError } from '../errors.js';
import type { SecretBox } from '../security/secret-box.js';
import { SECRET_KEY_ENV } from '../security/secret-key.js';
import { KvSecretRepo } from '../store/kv-secret-repo.js';
import type { LimitsDatabase } from '../store/limits-schema.js';
import type { Store } from '../store/store.js';

const NAME = 'secret-key-check';
const VALUE = 'cutover secret key check v1';

/** Throw when `box` is not the key this database's secrets are sealed with (first use: record it). */
export async function checkStoreKey(store: Store, box: SecretBox): Promise<void> {
  if (store.dialect !== 'postgres') return;
  const repo = new KvSecretRepo(store.db as unknown as Kysely<LimitsDatabase>);
  await repo.putIfAbsent(NAME, box.seal(VALUE, NAME));
  const sealed = await repo.get(NAME);
  let opened: string | undefined;
  try {
    opened = sealed === undefined ? undefined : box.open(sealed, NAME);
  } catch {
    opened = undefined;
  }
  if (opened !== VALUE)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `This database's stored passwords and tokens were sealed with another secret key than this process has` +
        ` (${process.env[SECRET_KEY_ENV]?.trim() ? `from ${SECRET_KEY_ENV}` : 'a key file in its data directory'}).`,
      `Set ${SECRET_KEY_ENV} to the key the other machines of this database use (the same on every server and` +
        ` worker); a new key cannot open what the old one sealed.`,
    );
}
