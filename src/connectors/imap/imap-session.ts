/** Opening an imapflow connection with errors mapped, and the path helpers both IMAP roles share. */
import { ImapFlow } from 'imapflow';
import type { AuthSpec, ServerSpec } from '../../config/types.js';
import { throwIfAborted } from '../../errors.js';
import type { FolderInfo, FolderState } from '../contract.js';
import { specialUseFromAttribute } from '../special-use.js';
import { imapFlowOptions, loginUser } from './imap-config.js';
import { resolveLogin, type MailLogin } from '../shared/login.js';
import { forToken, mapConnectError, mapImapError, noteAnswered } from './imap-errors.js';
import { encodeMailboxName } from './utf7.js';

/** "imap alice@old.example.com:993" — names the server and mailbox in every message. */
export function describe(server: ServerSpec, auth: AuthSpec): string {
  return `${auth.user} on ${server.host}:${server.port}`;
}

/** Per client: the last error imapflow logged for a command it reported as `false` (STATUS, STORE…). */
const refusals = new WeakMap<ImapFlow, { err?: Error }>();

/**
 * Run one command imapflow answers with `false` when the server says NO (STATUS, SEARCH, STORE…) and, on
 * `false`, return why: imapflow only logs that reason, so a `NO [UNAVAILABLE]` would otherwise look like any
 * refusal. The reason is cleared first, so an earlier command's error is never taken for this one's.
 */
export async function refusalOf<T>(
  client: ImapFlow,
  run: () => Promise<T | false>,
): Promise<{ value: T } | { refused: Error | undefined }> {
  const seen = refusals.get(client);
  if (seen) seen.err = undefined;
  const value = await run();
  return value === false ? { refused: seen?.err } : { value };
}

/** Connect and log in; every failure comes back as a typed CutoverError. */
export async function openImap(
  server: ServerSpec,
  auth: AuthSpec,
  signal?: AbortSignal,
): Promise<{ client: ImapFlow; login: MailLogin; where: string }> {
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

/**
 * LIST, as FolderInfo with decoded path segments in the personal namespace's own terms: its prefix taken off
 * (Cyrus and Courier list `INBOX.Sent` for the user's `Sent` where NAMESPACE says `INBOX.`), so a folder has
 * the same path whichever namespace layout a server uses. Folders outside the personal namespace (other
 * users', shared) are left out: they are not this mailbox's mail. Special uses come from the server's LIST
 * attributes only (imapflow also guesses them by name; the engine guesses itself, and only where the
 * server flags nothing).
 */
export async function listFolders(
  client: ImapFlow,
  where: string,
  /** With LIST-STATUS (RFC 5819): each selectable folder's counters come back with the listing, here. */
  states?: Map<string, FolderState>,
): Promise<FolderInfo[]> {
  let entries: Awaited<ReturnType<ImapFlow['list']>>;
  const withStatus = states !== undefined && client.capabilities.has('LIST-STATUS');
  try {
    entries = await client.list(
      withStatus
        ? {
            statusQuery: {
              messages: true,
              uidNext: true,
              uidValidity: true,
              highestModseq: client.capabilities.has('CONDSTORE'),
            },
          }
        : {},
    );
  } catch (err) {
    throw mapImapError(err, where);
  }
  const out: FolderInfo[] = [];
  for (const e of entries) {
    if (e.flags.has('\\NonExistent')) continue;
    const path = pathOf(client, e.path, e.delimiter);
    if (!path) continue;
    const uses = [...e.flags].map(specialUseFromAttribute).filter((u) => u !== undefined);
    out.push({
      path,
      specialUse: path.length === 1 && path[0] === 'INBOX' ? undefined : uses[0],
      selectable: !e.flags.has('\\Noselect'),
    });
    const st = e.status;
    if (withStatus && st?.uidValidity !== undefined && st.uidNext !== undefined)
      states.set(path.join('\u0000'), {
        uidValidity: String(st.uidValidity),
        uidNext: st.uidNext,
        messages: st.messages ?? 0,
        highestModseq: st.highestModseq !== undefined ? String(st.highestModseq) : undefined,
      });
  }
  return out;
}

/** The personal namespace: prefix (`INBOX.` on Cyrus and Courier, '' on Dovecot) and delimiter. */
function personal(client: ImapFlow): { prefix: string; delimiter: string } {
  const ns = client.namespace;
  return { prefix: ns?.prefix ?? '', delimiter: ns?.delimiter || '/' };
}

/** A listed (decoded) mailbox name as a path in the personal namespace; undefined outside it. */
export function pathOf(client: ImapFlow, name: string, delimiter: string | undefined): string[] | undefined {
  if (name.toUpperCase() === 'INBOX') return ['INBOX'];
  const { prefix } = personal(client);
  let rest = name;
  if (prefix) {
    if (!name.startsWith(prefix)) return undefined;
    rest = name.slice(prefix.length);
    if (rest === '') return undefined; // the namespace's own root, not a folder
  }
  return delimiter ? rest.split(delimiter) : [rest];
}

/**
 * One spelling per folder: where the personal namespace is `INBOX` + delimiter, `INBOX.x` is the user's
 * top-level `x`, so ['INBOX', 'x'] (a child of INBOX on a server without prefix) and ['x'] are the same folder.
 */
export function canonicalPath(client: ImapFlow, path: string[]): string[] {
  const { prefix, delimiter } = personal(client);
  const inboxPrefixed = prefix.toUpperCase() === `INBOX${delimiter}`;
  return inboxPrefixed && path.length > 1 && path[0]!.toUpperCase() === 'INBOX' ? path.slice(1) : path;
}

/** The server's hierarchy delimiter ('/' when the server has none). */
export function delimiterOf(client: ImapFlow): string {
  return personal(client).delimiter;
}

/** The full (decoded) mailbox name: segments joined by the delimiter, with the personal namespace prefix. */
export function fullName(client: ImapFlow, path: string[]): string {
  if (path.length === 1 && path[0]!.toUpperCase() === 'INBOX') return 'INBOX';
  const { prefix, delimiter } = personal(client);
  return prefix + canonicalPath(client, path).join(delimiter);
}

/** The mailbox name as sent on the wire: the full name with each segment in modified UTF-7. */
export function wireName(client: ImapFlow, path: string[]): string {
  if (path.length === 1 && path[0]!.toUpperCase() === 'INBOX') return 'INBOX';
  const { prefix, delimiter } = personal(client);
  return prefix + canonicalPath(client, path).map(encodeMailboxName).join(delimiter);
}
