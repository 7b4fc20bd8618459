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

/** Connect and log in; every failure comes back as a typed CutoverError. */
export async function openImap(
  server: ServerSpec,
  auth: AuthSpec,
  signal?: AbortSignal,
): Promise<{ client: ImapFlow; login: ImapLogin; where: string }> {
  throwIfAborted(signal);
  const where = describe(server, auth);
  const login = resolveLogin(auth);
  const client = new ImapFlow(imapFlowOptions(server, login));
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
