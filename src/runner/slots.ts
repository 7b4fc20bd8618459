/**
 * What the engine needs from connection slots: take them per server (host:port) and per user on it, say
 * when a server turned a connection away, read the allowance. `ConnectionSlots` holds them in this
 * process; `runner/pg/pg-slots.ts` holds them for every worker sharing one PostgreSQL database.
 */

/** A server as the slots see it: where, and how many connections it takes at most. */
export interface SlotServer {
  host: string;
  port: number;
  maxConnections: number;
}

/** A server, or one user on it. */
export interface SlotPlace {
  host: string;
  port: number;
  user?: string;
}

/** Connection slots per server and per user on it, with an allowance that adapts to refusals. */
export interface Slots {
  /**
   * Take `count` slots on the server and `perUser[user]` on each user's allowance there (in one fixed
   * order, so two lanes never hold what the other waits for); resolves with the function that gives them
   * back. Rejects when `signal` aborts while waiting.
   */
  acquire(
    server: SlotServer,
    signal?: AbortSignal,
    count?: number,
    perUser?: Record<string, number>,
  ): Promise<() => void>;
  /** The server (the user on it, when `user` is set) turned a connection away: allow fewer. */
  refused(where: SlotPlace): void | Promise<void>;
  /** How many connections the server (or a user on it) is allowed now. */
  allowance(where: SlotPlace): number | Promise<number>;
}

/** The name of a server's (or a user's on it) allowance: `host:port` or `host:port/user`. */
export function slotKey(server: { host: string; port: number }, user?: string): string {
  return `${server.host.toLowerCase()}:${server.port}${user === undefined ? '' : `/${user}`}`;
}

/** Whether two endpoints draw on the same server's slots. */
export function sameServer(a: { host: string; port: number }, b: { host: string; port: number }): boolean {
  return slotKey(a) === slotKey(b);
}
