/**
 * Hooks the application may hand a connector in its ConnectorContext when several processes (workers on
 * several machines) share one store: limits every process must hold together, and state kept in the store
 * instead of a file. They are interfaces only: the application implements them (runner/pg/ over
 * PostgreSQL); a connector given none keeps its limits and state in this process, as a single one does.
 */

/** One amount to count in one sliding window (see `SharedLimits.windows`). */
export interface SharedWindowTake {
  /** The window's name, unique across connectors (prefix it with the connector's kind). */
  key: string;
  amount: number;
  /** How much the window holds. */
  limit: number;
  /** How long an amount counts, in ms. */
  windowMs: number;
}

/** Limits held for every process of the application together. */
export interface SharedLimits {
  /**
   * Hold `count` of the `max` permits named `key` (first come, first served); resolves with the function
   * that gives them back, rejects when `signal` aborts while waiting. A process that dies gives its
   * permits back after a lease of seconds.
   */
  concurrency(key: string, max: number, count: number, signal?: AbortSignal): Promise<() => void>;
  /**
   * Count every take in its window if all of them fit now, else none; one wait (ms) per take, all zero
   * when counted. `lock` names the group (a mailbox), so groups do not wait for each other.
   */
  windows(lock: string, takes: SharedWindowTake[]): Promise<number[]>;
}

/** Named secret state kept in the application's store, sealed there with its key. */
export interface KeptSecrets {
  /** The value kept under `name`; undefined when there is none or it cannot be opened (another key). */
  get(name: string): Promise<string | undefined>;
  /** Keep `value` under `name`, replacing what was there (the last writer wins). */
  put(name: string, value: string): Promise<void>;
}
