/**
 * End-user credentials: a password is accepted only after a real login with it succeeds, then stored sealed
 * by the secret box. Nothing here returns or logs a password; states and counts only.
 */
import type { PlanConfig } from '../config/plan.js';
import type { AuthSpec, ServerSpec } from '../config/types.js';
import { connectorFor, descriptors } from '../connectors/registry.js';
import { ErrorCode, asCutoverError } from '../errors.js';
import type { SecretBox } from '../security/secret-box.js';
import type { CredentialRepo, CredentialSide, EnteredBy } from '../store/credential-repo.js';
import type { AlertRepo } from '../store/alert-repo.js';
import type { MailboxRepo } from '../store/mailbox-repo.js';
import { CREDENTIAL_ALERTS } from './mailbox-alerts.js';

/** What the portal needs to know about a mailbox's project. */
export interface PortalProject {
  name: string;
  source: ServerSpec;
  destination: ServerSpec;
  plan?: PlanConfig;
}

/** Finds the project a mailbox belongs to (the project file today, the projects table later). */
export type ProjectFor = (mailboxId: number) => Promise<PortalProject | undefined>;

/** A mailbox with its project, as the portal sees it. */
export interface MailboxContext {
  mailboxId: number;
  sourceUser: string;
  destUser: string;
  project: PortalProject;
  /** The sides whose password the user must give (those without an admin login). */
  required: CredentialSide[];
}

/** Checks a login for real; throws the connector's typed error when it fails. */
export type LoginCheck = (server: ServerSpec, auth: AuthSpec, signal?: AbortSignal) => Promise<void>;

/** A login through the server's own connector, as `cutover test` does it. */
export const realLoginCheck: LoginCheck = async (server, auth, signal) => {
  await connectorFor(server.kind).testLogin(server, auth, signal);
};

/** Systems where a user can sign in (OAuth consent) instead of giving a password. */
const SIGN_IN_KINDS = new Set(descriptors.filter((d) => d.oauthProvider).map((d) => d.kind));

/**
 * The sides that need something from the user: a side with an admin login needs nothing (hands-free) —
 * except in the plan's `oauth` mode, where each Microsoft 365 / Google Workspace user signs in themselves
 * (the admin there is the OAuth app, not an impersonation right).
 */
export function requiredSides(p: {
  source: { kind: string; admin?: unknown };
  destination: { kind: string; admin?: unknown };
  plan?: { mode: string };
}): CredentialSide[] {
  const out: CredentialSide[] = [];
  const oauth = p.plan?.mode === 'oauth';
  for (const side of ['source', 'destination'] as const) {
    const server = p[side];
    if (!server.admin || (oauth && SIGN_IN_KINDS.has(server.kind))) out.push(side);
  }
  return out;
}

/** Context string a credential is sealed under: a sealed value copied to another row will not open. */
export const credentialContext = (mailboxId: number, side: CredentialSide): string =>
  `credential:${mailboxId}:${side}`;

/** The outcome for one side of a submission. */
export type SideOutcome =
  | { side: CredentialSide; status: 'stored' }
  | { side: CredentialSide; status: 'wrong' | 'unchecked' | 'invalid'; message: string };

const MAX_PASSWORD = 1024;

export class CredentialService {
  constructor(
    private readonly deps: {
      credentials: CredentialRepo;
      mailboxes: MailboxRepo;
      box: SecretBox;
      projectFor: ProjectFor;
      check?: LoginCheck;
      /** To clear the `auth-failed` and missing/refused credential alerts once a working password arrives. */
      alerts?: Pick<AlertRepo, 'clear'>;
    },
  ) {}

  /** The mailbox and its project, or undefined when either is unknown. */
  async context(mailboxId: number): Promise<MailboxContext | undefined> {
    const m = await this.deps.mailboxes.get(mailboxId);
    const project = m && (await this.deps.projectFor(mailboxId));
    if (!m || !project) return undefined;
    return {
      mailboxId,
      sourceUser: m.sourceUser,
      destUser: m.destUser,
      project,
      required: requiredSides(project),
    };
  }

  /** Sides of the mailbox whose credential is stored and verified. */
  async verifiedSides(mailboxId: number): Promise<CredentialSide[]> {
    return (await this.deps.credentials.states(mailboxId)).filter((s) => s.verifiedAt).map((s) => s.side);
  }

  /**
   * Check each given password by a real login and store the ones that work. `verify: false` (operator
   * import on request) stores without the check, marked unverified.
   */
  async submit(
    ctx: MailboxContext,
    passwords: Partial<Record<CredentialSide, string>>,
    enteredBy: EnteredBy,
    opts: { verify?: boolean; signal?: AbortSignal } = {},
  ): Promise<SideOutcome[]> {
    const out: SideOutcome[] = [];
    for (const side of ['source', 'destination'] as const) {
      const password = passwords[side];
      if (password === undefined || password === '') continue;
      if (password.length > MAX_PASSWORD || /[\r\n\0]/.test(password)) {
        out.push({
          side,
          status: 'invalid',
          message: 'This password cannot be right (too long, or it has line breaks).',
        });
        continue;
      }
      const server = side === 'source' ? ctx.project.source : ctx.project.destination;
      const user = side === 'source' ? ctx.sourceUser : ctx.destUser;
      let verifiedAt: string | null = null;
      if (opts.verify !== false) {
        try {
          await (this.deps.check ?? realLoginCheck)(
            server,
            { kind: 'password', user, password: { value: password } },
            opts.signal,
          );
          verifiedAt = new Date().toISOString();
        } catch (err) {
          const e = asCutoverError(err);
          out.push(
            e.code === ErrorCode.AuthFailed
              ? { side, status: 'wrong', message: 'The password is not correct: the mail server refused it.' }
              : {
                  side,
                  status: 'unchecked',
                  message:
                    'The mail server could not be reached to check it; nothing was saved. Please try again later.',
                },
          );
          continue;
        }
      }
      const sealed = this.deps.box.seal(password, credentialContext(ctx.mailboxId, side));
      await this.deps.credentials.put({ mailboxId: ctx.mailboxId, side, sealed, enteredBy, verifiedAt });
      if (verifiedAt)
        for (const type of ['auth-failed', ...CREDENTIAL_ALERTS])
          await this.deps.alerts?.clear(ctx.mailboxId, type);
      out.push({ side, status: 'stored' });
    }
    return out;
  }
}
