/**
 * How many logins are tried, counted twice. Per client address, every attempt: a flood from one client
 * is cut off without touching anyone else. Per account, failed attempts, one address counting at most a few
 * of them per window: a slow guess spread over many addresses still locks the account for the rest of the
 * window, but a single client can never lock an operator out. Accounts are keyed by a hash of the name, so
 * a password typed into the name field by mistake is never stored. Behind a reverse proxy the address is
 * the real client's only with `--trust-proxy` (src/server/edge.ts).
 */
import { createHash } from 'node:crypto';
import type { RateLimitRepo } from '../store/rate-limit-repo.js';
import { ApiError, ApiErrorCode } from './errors.js';
import { RateLimiter, type Allowance } from '../http/rate-limit.js';

/** The two allowances; `perAddress` caps what one address adds to an account's count per window. */
export interface LoginLimitOptions {
  perIp: Allowance;
  perAccount: Allowance & { perAddress: number };
}

/** 10 attempts a minute per address; 20 failures per 15 minutes per account, at most 5 from one address. */
export const DEFAULT_LOGIN_LIMITS: LoginLimitOptions = {
  perIp: { max: 10, windowMs: 60_000 },
  perAccount: { max: 20, windowMs: 15 * 60_000, perAddress: 5 },
};

const accountKey = (user: string) =>
  createHash('sha256').update(user.normalize('NFC').toLowerCase()).digest('hex');

const tooMany = (what: string, wait: number) =>
  new ApiError(429, ApiErrorCode.RateLimited, what, `Wait ${wait} s and try again.`, wait);

export class LoginLimits {
  private readonly ip: RateLimiter;
  private readonly account: RateLimiter;
  private readonly pair: RateLimiter;

  constructor(
    repo: RateLimitRepo,
    private readonly limits: LoginLimitOptions = DEFAULT_LOGIN_LIMITS,
    now: () => number = Date.now,
  ) {
    this.ip = new RateLimiter(repo, 'login-ip', limits.perIp, now);
    this.account = new RateLimiter(repo, 'login-account', limits.perAccount, now);
    this.pair = new RateLimiter(repo, 'login-account-ip', limits.perAccount, now);
  }

  /** Count an attempt from `ip`; throws 429 when that address has tried too often. */
  async admitAddress(ip: string): Promise<void> {
    const wait = await this.ip.hit(ip);
    if (wait !== undefined) throw tooMany('Too many login attempts from your address.', wait);
  }

  /** Throws 429 while `user` is locked by failed attempts (checked before the password, right or wrong). */
  async admitAccount(user: string): Promise<void> {
    const wait = await this.account.blocked(accountKey(user));
    if (wait !== undefined) throw tooMany('Too many failed logins for this account.', wait);
  }

  /** Count a failed password for `user` from `ip`. */
  async failed(user: string, ip: string): Promise<void> {
    const key = accountKey(user);
    if ((await this.pair.count(`${key}:${ip}`)) <= this.limits.perAccount.perAddress)
      await this.account.count(key);
  }
}
