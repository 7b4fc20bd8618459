/**
 * What the engine needs from the message and byte rate of a project: wait until a batch may be sent.
 * `RateLimiter` (limits.ts) paces this process; `runner/pg/pg-rate-limiter.ts` paces every worker sharing
 * one PostgreSQL database.
 */

/** A message/byte rate shared by the mailboxes of a project. */
export interface MessageRate {
  /** Wait until `messages` and `bytes` may be sent, then charge them; rejects when `signal` aborts. */
  take(messages: number, bytes: number, signal?: AbortSignal): Promise<void>;
}
