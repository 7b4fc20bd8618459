/** Opening an imapflow connection with errors mapped, and the path helpers both IMAP roles share. */
import { ImapFlow } from 'imapflow';
import type { AuthSpec, ServerSpec } from '../../config/types.js';
import { throwIfAborted } from '../../errors.js';
import type { FolderInfo } from '../contract.js';
import { specialUseFromAttribute } from '../../engine/special-use.js';
import { imapFlowOptions, loginUser, resolveLogin, type ImapLogin } from './imap-config.js';
import { forToken, mapConnectError, mapImapError, noteAnswered } from './imap-errors.js';
import { encodeMailboxName } from './utf7.js';

/** "imap alice@old.example.com:993" — names the server and mailbox in every message. */
export function describe(server: ServerSpec, auth: AuthSpec): string {
  return `${auth.user} on ${server.host}:${server.port}`;
}

/** Per client: the last error imapflow logged for a command it reported as `false` (STATUS, STORE…). */
const refusals = new WeakMap<ImapFlow, { err?: Error }>();

/**
 * Why the last command imapflow answered with `false` failed: imapflow only logs that reason, so a
 * `NO [UNAVAILABLE]` would otherwise look like any refusal. Undefined when nothing was logged.
 */
export function lastRefusal(client: ImapFlow): Error | undefined {
  return refusals.get(client)?.err;
}

/** Connect and log in; every failure comes back as a typed CutoverError. */
export async function openImap(
  server: ServerSpec,
  auth: AuthSpec,
  signal?: AbortSignal,
): Promise<{ client: ImapFlow; login: ImapLogin; where: string }> {
  throwIfAborted(signal);
  const where = describe(server, auth);
  const login = resolveLogin(auth);
  const seen: { err?: Error } = {};
  const quiet = () => undefined;
  const logger = { trace: quiet, debug: quiet, info: quiet, error: quiet, fatal: quiet, warn: keepErr(seen) };
  const client = new ImapFlow({ ...imapFlowOptions(server, login), logger });
  refusals.set(client, seen);
  // imapflow emits 'error' on socket failures after connect; without a listener Node would crash.
  client.on('error', () => undefined);
  const onAbort = () => client.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    noteAnswered(server);
  } catch (err) {
    client.close();
    const to = { host: server.host, port: server.port, user: loginUser(login) };
    const e = mapConnectError(err, where, to, client.greeting !== undefined);
    throw login.accessToken ? forToken(e, where) : e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return { client, login, where };
}

/** A log method that keeps the `err` of what it is given (imapflow logs `{ err, cid }`). */
function keepErr(into: { err?: Error }): (entry: unknown) => void {
  return (entry) => {
    const err = (entry as { err?: unknown } | undefined)?.err;
    if (err instanceof Error) into.err = err;
  };
}

/** Close without waiting on a dead connection. */
export async function closeImap(client: ImapFlow): Promise<void> {
  if (!client.usable) {
    client.close();
    return;
  }
  try {
    await Promise.race([client.logout(), new Promise((r) => setTimeout(r, 2000).unref())]);
  } catch {
    /* already closed */
  } finally {
    client.close();
  }
}

/** LIST, as FolderInfo with decoded path segments. */
export async function listFolders(client: ImapFlow, where: string): Promise<FolderInfo[]> {
  try {
    const entries = await client.list();
    return entries
      .filter((e) => !e.flags.has('\\NonExistent'))
      .map((e) => ({
        path: e.delimiter ? e.path.split(e.delimiter) : [e.path],
        specialUse: e.specialUse ? specialUseFromAttribute(e.specialUse) : undefined,
        selectable: !e.flags.has('\\Noselect'),
      }));
  } catch (err) {
    throw mapImapError(err, where);
  }
}

/** The server's hierarchy delimiter ('/' when the server has none). */
export function delimiterOf(client: ImapFlow): string {
  return client.namespace?.delimiter || '/';
}

/** The mailbox name as sent on the wire: modified UTF-7 segments joined by the delimiter, with the namespace prefix. */
export function wireName(client: ImapFlow, path: string[]): string {
  if (path.length === 1 && path[0]!.toUpperCase() === 'INBOX') return 'INBOX';
  const ns = client.namespace;
  const joined = path.map(encodeMailboxName).join(delimiterOf(client));
  return ns?.prefix && !joined.startsWith(ns.prefix) && path[0]!.toUpperCase() !== 'INBOX'
    ? ns.prefix + joined
    : joined;
}
