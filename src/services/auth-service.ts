/** Operator accounts and sessions: first-run setup, login, logout, session lookup. */
import crypto from 'node:crypto';
import type { OperatorRepo } from '../store/operator-repo.js';
import { ApiError, ApiErrorCode } from '../api-error.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from './password.js';
import { MIN_PASSWORD_LENGTH, passwordProblem } from './password-rule.js';
import type { SessionInfo } from '../schemas/common.js';

/** How long a session lives. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** The stored form of a session token: only its SHA-256 hash reaches the database. */
export const tokenHash = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

const setupDone = () =>
  new ApiError(409, ApiErrorCode.SetupDone, 'Setup is already done.', 'Log in with POST /api/login.');

export class AuthService {
  constructor(
    private readonly operators: OperatorRepo,
    private readonly now: () => Date = () => new Date(),
    /**
     * When set, first-run setup needs this token (`cutover serve` sets one when it listens beyond this
     * machine, and prints the link that carries it): otherwise whoever reaches the address first would
     * choose the admin password.
     */
    private readonly setupToken?: string,
  ) {}

  /** True until the first operator exists. */
  async needsSetup(): Promise<boolean> {
    return (await this.operators.countUsers()) === 0;
  }

  /** Whether first-run setup is open, and whether it needs the setup token (the first-run page asks). */
  async setupState(): Promise<{ required: boolean; tokenRequired: boolean }> {
    const required = await this.needsSetup();
    return { required, tokenRequired: required && this.setupToken !== undefined };
  }

  /** Create the admin on first run; refused once any user exists, without the setup token, or for a weak password. */
  async setup(user: string, password: string, token?: string): Promise<void> {
    if (!(await this.needsSetup())) throw setupDone();
    if (this.setupToken !== undefined && (token === undefined || !sameToken(token, this.setupToken)))
      throw new ApiError(
        403,
        ApiErrorCode.SetupTokenRequired,
        token === undefined
          ? 'This server listens beyond this machine: first-run setup needs its setup token.'
          : 'The setup token is not the one this server printed.',
        'Open the setup link `cutover serve` printed when it started (…/setup?token=…); restart it for a new one.',
      );
    const problem = passwordProblem(password);
    if (problem)
      throw new ApiError(
        400,
        ApiErrorCode.WeakPassword,
        problem,
        `Choose a password of at least ${MIN_PASSWORD_LENGTH} characters that is not one piece repeated, e.g. a few unrelated words.`,
      );
    const id = await this.operators.createFirstUser(user, await hashPassword(password));
    if (id === undefined) throw setupDone();
  }

  /** Check the password and open a session; returns the cookie token and what the client needs. */
  async login(user: string, password: string): Promise<{ token: string; session: SessionInfo }> {
    const u = await this.operators.findUser(user);
    // Verify even for an unknown user so the response time does not tell which names exist.
    const ok = await verifyPassword(password, u?.passwordHash ?? DUMMY_HASH);
    if (!u || !ok) {
      if (await this.needsSetup())
        throw new ApiError(
          401,
          ApiErrorCode.SetupRequired,
          'No operator exists yet.',
          'Create one with POST /api/setup.',
        );
      throw new ApiError(
        401,
        ApiErrorCode.LoginFailed,
        'Wrong user or password.',
        'Check both and try again.',
      );
    }
    await this.operators.deleteExpiredSessions(this.now());
    const token = crypto.randomBytes(32).toString('base64url');
    const csrfToken = crypto.randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.now().getTime() + SESSION_TTL_MS);
    await this.operators.createSession({ tokenHash: tokenHash(token), userId: u.id, csrfToken, expiresAt });
    return { token, session: { user: u.name, csrfToken, expiresAt: expiresAt.toISOString() } };
  }

  /** The live session for a cookie token, if any. */
  async session(token: string | undefined): Promise<SessionInfo | undefined> {
    if (!token) return undefined;
    const s = await this.operators.findSession(tokenHash(token), this.now());
    return s && { user: s.user, csrfToken: s.csrfToken, expiresAt: s.expiresAt };
  }

  async logout(token: string): Promise<void> {
    await this.operators.deleteSession(tokenHash(token));
  }
}

/** Constant-time string comparison (CSRF tokens). */
export function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
