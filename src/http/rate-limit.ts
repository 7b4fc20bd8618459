/**
 * Fixed-window attempt limits kept in the store (src/store/rate-limit-repo.ts), so they hold across a
 * restart. One limiter is one scope (`login-ip`, `portal-link`…) with its own allowance and window; keys
 * are client addresses, account names or link hashes.
 */
import type { RateLimitRepo } from '../store/rate-limit-repo.js';

/** An allowance: `max` attempts per `windowMs`. */
export interface Allowance {
  max: number;
  windowMs: number;
}

export class RateLimiter {
  constructor(
    private readonly repo: RateLimitRepo,
    private readonly scope: string,
    private readonly allowance: Allowance,
    private readonly now: () => number = Date.now,
  ) {}

  /** Count one attempt; returns seconds to wait when it is over the allowance, else undefined. */
  async hit(key: string): Promise<number | undefined> {
    const t = this.now();
    const w = await this.repo.hit(this.keyOf(key), this.allowance.windowMs, t);
    return w.count > this.allowance.max ? this.secondsUntil(w.expiresAt, t) : undefined;
  }

  /** Count one attempt and return how many were counted in the live window (this one included). */
  async count(key: string): Promise<number> {
    return (await this.repo.hit(this.keyOf(key), this.allowance.windowMs, this.now())).count;
  }

  /** Seconds to wait when the allowance is used up already, else undefined; counts nothing. */
  async blocked(key: string): Promise<number | undefined> {
    const t = this.now();
    const w = await this.repo.peek(this.keyOf(key), t);
    return w && w.count >= this.allowance.max ? this.secondsUntil(w.expiresAt, t) : undefined;
  }

  private keyOf(key: string): string {
    return `${this.scope}:${key}`;
  }

  private secondsUntil(end: number, t: number): number {
    return Math.max(1, Math.ceil((end - t) / 1000));
  }
}
