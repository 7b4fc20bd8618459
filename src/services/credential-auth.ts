/**
 * The stored end-user credentials as logins for a run: opened from the secret box when the run builds its
 * jobs, kept in memory only for the run. Precedence (see authFor): the mailboxes CSV, then these, then an admin login.
 */
import path from 'node:path';
import type { AuthSpec } from '../config/types.js';
import { openSecretBox } from '../security/secret-key.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Store } from '../store/db.js';
import { CredentialRepo, type CredentialSide } from '../store/credential-repo.js';
import { credentialContext } from './credential-service.js';

/** The stored logins of a run's mailboxes. */
export interface StoredAuths {
  /** The stored password login of one side of a mailbox, or undefined. */
  auth(mailboxId: number, side: CredentialSide, user: string): AuthSpec | undefined;
}

/**
 * Load the stored credentials of `mailboxIds`. The secret box (key file beside the store) is opened only
 * when there is something to open, so a project without stored credentials never creates a key.
 */
export async function loadStoredAuths(
  store: Store,
  mailboxIds: number[],
  box?: SecretBox,
): Promise<StoredAuths> {
  const repo = new CredentialRepo(store.db);
  const wanted = new Set(mailboxIds);
  const states = (await repo.states()).filter((s) => wanted.has(s.mailboxId));
  const secrets = new Map<string, string>();
  if (states.length) {
    const opened = box ?? openSecretBox(path.dirname(store.location));
    for (const s of states) {
      const sealed = await repo.sealed(s.mailboxId, s.side);
      if (sealed)
        secrets.set(`${s.mailboxId}:${s.side}`, opened.open(sealed, credentialContext(s.mailboxId, s.side)));
    }
  }
  return {
    auth(mailboxId, side, user) {
      const password = secrets.get(`${mailboxId}:${side}`);
      return password === undefined ? undefined : { kind: 'password', user, password: { value: password } };
    },
  };
}
