/**
 * The stored end-user credentials as logins for a run: opened from the secret box when the run builds its
 * jobs, kept in memory only for the run. Precedence (see authFor): the mailboxes CSV, then these, then an admin login.
 */
import type { AuthSpec, ServerSpec } from '../config/types.js';
import { ErrorCode, asCutoverError } from '../errors.js';
import { AlertRepo } from '../store/alert-repo.js';
import { openSecretBox } from '../security/secret-key.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Store } from '../store/db.js';
import { CredentialRepo, type CredentialSide } from '../store/credential-repo.js';
import { credentialContext, realLoginCheck, type LoginCheck } from './credential-service.js';
import { decodeOAuthCredential, encodeOAuthCredential, storedLogin } from './oauth-credential.js';
import type { ConnectorContext } from '../connectors/contract.js';

/** The stored logins of a run's mailboxes. */
export interface StoredAuths {
  /** The stored password login of one side of a mailbox, or undefined. */
  auth(mailboxId: number, side: CredentialSide, user: string): AuthSpec | undefined;
  /**
   * After a login of the mailbox was refused: check each stored password the run used by a real login; one
   * the server refuses is no longer counted as verified (reminders ask for it again) and an `auth-failed`
   * alert is raised for the user. Returns the sides found wrong (an operator-stored password that never
   * worked is not among them: the caller reports that refusal to the operator).
   */
  rejected(mailboxId: number, servers: Record<CredentialSide, ServerSpec>): Promise<CredentialSide[]>;
  /**
   * A pass of the mailbox succeeded: the stored credentials it logged in with work, so one stored unchecked
   * (imported from a file or a CSV without a check) now counts as verified.
   */
  worked(mailboxId: number): Promise<void>;
  /**
   * What the run hands the connectors it makes: the data directory (beside the store) and the follower of
   * rotated refresh tokens, which seals a consent's new token in place of the old.
   */
  readonly connectors: ConnectorContext;
  /** The run is over: stop following token rotations. */
  close(): void;
}

/**
 * Load the stored credentials of `mailboxIds`. The secret box (key file beside the store) is opened only
 * when there is something to open, so a project without stored credentials never creates a key.
 */
export async function loadStoredAuths(
  store: Store,
  mailboxIds: number[],
  box?: SecretBox,
  check?: LoginCheck,
): Promise<StoredAuths> {
  const repo = new CredentialRepo(store.db);
  const wanted = new Set(mailboxIds);
  const states = (await repo.states()).filter((s) => wanted.has(s.mailboxId));
  const secrets = new Map<string, string>();
  if (states.length) {
    const opened = box ?? openSecretBox(store.dataDir);
    for (const s of states) {
      const sealed = await repo.sealed(s.mailboxId, s.side);
      if (sealed)
        secrets.set(`${s.mailboxId}:${s.side}`, opened.open(sealed, credentialContext(s.mailboxId, s.side)));
    }
  }
  const handedOut = new Map<string, AuthSpec>();
  // A consent's refresh token the provider rotated while the run redeemed it is sealed again in its place.
  let following = true;
  const followRotation = async (previous: string, next: string): Promise<void> => {
    if (!following || previous === next) return;
    for (const [key, opened] of secrets) {
      const c = decodeOAuthCredential(opened);
      if (c?.refreshToken !== previous) continue;
      const [id, side] = key.split(':') as [string, CredentialSide];
      const mailboxId = Number(id);
      const renewed = encodeOAuthCredential({
        ...c,
        refreshToken: next,
        accessToken: undefined,
        accessExpiresAt: undefined,
      });
      const state = (await repo.states(mailboxId)).find((s) => s.side === side);
      if (!state) continue; // removed meanwhile (revoked): nothing to follow
      const sealer = box ?? openSecretBox(store.dataDir);
      await repo.put({ ...state, sealed: sealer.seal(renewed, credentialContext(mailboxId, side)) });
      secrets.set(key, renewed);
    }
  };
  return {
    connectors: { dataDir: store.dataDir, onTokenRotated: followRotation },
    close: () => {
      following = false;
    },
    auth(mailboxId, side, user) {
      const password = secrets.get(`${mailboxId}:${side}`);
      if (password === undefined) return undefined;
      const auth = storedLogin(password, user); // a password, or a consent's refresh token
      handedOut.set(`${mailboxId}:${side}`, auth);
      return auth;
    },
    async worked(mailboxId) {
      for (const side of ['source', 'destination'] as const)
        if (handedOut.has(`${mailboxId}:${side}`)) await repo.markVerified(mailboxId, side);
    },
    async rejected(mailboxId, servers) {
      const wrong: CredentialSide[] = [];
      for (const side of ['source', 'destination'] as const) {
        const auth = handedOut.get(`${mailboxId}:${side}`);
        if (!auth) continue;
        const refused = await (check ?? realLoginCheck)(servers[side], auth).then(
          () => false,
          (err) => asCutoverError(err).code === ErrorCode.AuthFailed,
        );
        if (!refused) continue;
        // A password the operator stored (from a file, a CSV, the UI) that never worked is not the user's to
        // re-enter: the pass raises a login-refused alert for the operator instead of asking the user.
        const state = (await repo.states(mailboxId)).find((s) => s.side === side);
        if (state && !state.verifiedAt && state.enteredBy !== 'portal') continue;
        wrong.push(side);
        await repo.unverify(mailboxId, side);
        await new AlertRepo(store.db).raise({
          mailboxId,
          type: 'auth-failed',
          level: 'critical',
          text: decodeOAuthCredential(secrets.get(`${mailboxId}:${side}`) ?? '')
            ? `The access you granted by signing in for your ${side === 'source' ? 'current' : 'new'} mailbox (${auth.user}) no longer works — was it withdrawn, or the password changed? Please sign in again on your personal page.`
            : `The password of your ${side === 'source' ? 'current' : 'new'} mailbox (${auth.user}) no longer works — was it changed? Please enter it again on your personal page.`,
        });
      }
      return wrong;
    },
  };
}
