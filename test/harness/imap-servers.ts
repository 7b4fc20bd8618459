/**
 * One face for the three real IMAP servers the integration tests migrate between — Dovecot, Cyrus and
 * Courier — so a test can loop over pairs (Dovecot ↔ Cyrus, Dovecot → Courier) without knowing whose
 * namespace is "INBOX." and whose separator is '/'. Folder paths here are segment arrays relative to the
 * server's personal namespace (['INBOX'] is the inbox), as the migration engine sees them.
 */
import { createHash } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { startCourier } from './courier.js';
import { startCyrus } from './cyrus.js';
import { startDovecot } from './dovecot.js';

/** The servers the harness can start. */
export type ImapServerKind = 'dovecot' | 'cyrus' | 'courier';

/** Every kind, for loops over servers. */
export const IMAP_SERVER_KINDS: readonly ImapServerKind[] = ['dovecot', 'cyrus', 'courier'];

type User = { user: string; password: string };

/** A running test server of any kind; stop() it in a `finally` or `after` hook. */
export interface ImapTestServer {
  kind: ImapServerKind;
  host: '127.0.0.1';
  imapPort: number;
  /** PID of the server's master process (Dovecot master, Cyrus master, couriertcpd). */
  pid: number;
  /** The server's private temp directory (config, state, mail), removed by stop(). */
  dir: string;
  /** Hierarchy separator of the personal namespace: Dovecot '/', Cyrus and Courier '.'. */
  delimiter: string;
  /** Personal namespace prefix as NAMESPACE reports it: Dovecot '', Cyrus and Courier 'INBOX.'. */
  namespacePrefix: string;
  /** Graceful stop (SIGTERM, then SIGKILL), then the directory is removed. */
  stop(): Promise<void>;
  /** SIGKILL at once (a crash); stop() still cleans up afterwards. */
  kill(): void;
}

/** Start a server of `kind` with these users (Dovecot with its harness defaults: Maildir++, '/'). */
export async function startImapServer(
  kind: ImapServerKind,
  opts: { users: User[] },
): Promise<ImapTestServer> {
  if (kind === 'cyrus') {
    const s = await startCyrus(opts);
    return { ...pick(s), kind, namespacePrefix: s.namespacePrefix };
  }
  if (kind === 'courier') {
    const s = await startCourier(opts);
    return { ...pick(s), kind, namespacePrefix: s.namespacePrefix };
  }
  const s = await startDovecot(opts);
  return { ...pick(s), kind, namespacePrefix: '' };
}

function pick(s: Omit<ImapTestServer, 'kind' | 'namespacePrefix'>) {
  return {
    host: s.host,
    imapPort: s.imapPort,
    pid: s.pid,
    dir: s.dir,
    delimiter: s.delimiter,
    stop: s.stop,
    kill: s.kill,
  };
}

/** Full server-side name of a relative folder path: ['A','B'] → 'INBOX.A.B' on Cyrus, 'A/B' on Dovecot. */
export function serverPath(server: ImapTestServer, folder: string[]): string {
  if (folder.length === 1 && folder[0]!.toUpperCase() === 'INBOX') return 'INBOX';
  for (const seg of folder) {
    if (seg === '' || seg.includes(server.delimiter)) {
      throw new Error(
        `folder segment ${JSON.stringify(seg)} cannot exist on ${server.kind} (separator '${server.delimiter}')`,
      );
    }
  }
  return server.namespacePrefix + folder.join(server.delimiter);
}

/** A logged-in imapflow client (plain text on loopback); logout() or close() it. */
export async function imapLogin(server: ImapTestServer, user: string, password: string): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: server.host,
    port: server.imapPort,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass: password },
    logger: false,
  });
  client.on('error', () => undefined); // socket errors after connect would otherwise crash the process
  try {
    await client.connect();
  } catch (err) {
    client.close(); // imapflow keeps the socket after a failed login
    throw err;
  }
  return client;
}

async function withClient<T>(
  s: ImapTestServer,
  user: string,
  pw: string,
  fn: (c: ImapFlow) => Promise<T>,
): Promise<T> {
  const client = await imapLogin(s, user, pw);
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** A message to seed: raw RFC 5322 bytes, optional flags and internal date. */
export type SeedMessage = { raw: Buffer | string; flags?: string[]; internalDate?: Date };

/**
 * Create `folder` (relative path; missing ancestors too) under the personal namespace if needed and
 * APPEND the messages in order, one APPEND each (Courier has no MULTIAPPEND).
 */
export async function seedImapMessages(
  server: ImapTestServer,
  user: string,
  password: string,
  folder: string[],
  messages: SeedMessage[],
): Promise<void> {
  const full = serverPath(server, folder);
  await withClient(server, user, password, async (client) => {
    if (full !== 'INBOX') {
      const existing = new Set(
        (await client.list())
          .filter((b) => !b.flags.has('\\Noselect') && !b.flags.has('\\NonExistent'))
          .map((b) => b.path),
      );
      // Every ancestor is created as a real folder, so all three servers end up with the same selectable
      // folders: on its own Cyrus makes the parent a mailbox, Courier and Dovecot leave it \Noselect.
      for (let i = 1; i <= folder.length; i++) {
        const p = serverPath(server, folder.slice(0, i));
        if (!existing.has(p)) await client.mailboxCreate(p);
      }
    }
    for (const [i, m] of messages.entries()) {
      // imapflow's append() can resolve to false instead of throwing.
      if (!(await client.append(full, m.raw, m.flags ?? [], m.internalDate))) {
        throw new Error(`APPEND of message ${i} to ${full} on ${server.kind} failed`);
      }
    }
  });
}

/** One message as listed: its bytes' digest, flags (without \Recent), internal date and size. */
export type ListedImapMessage = {
  uid: number;
  flags: string[];
  internalDate: Date;
  size: number;
  sha256: string;
};

/**
 * Every selectable folder of the personal namespace (relative paths, sorted) with every message by UID,
 * for byte-exact comparisons of a migration's source and destination.
 */
export async function listImapMessages(
  server: ImapTestServer,
  user: string,
  password: string,
): Promise<Array<{ path: string[]; messages: ListedImapMessage[] }>> {
  return withClient(server, user, password, async (client) => {
    const inPersonal = (p: string) => p === 'INBOX' || p.startsWith(server.namespacePrefix);
    const names = (await client.list())
      .filter((b) => !b.flags.has('\\Noselect') && !b.flags.has('\\NonExistent') && inPersonal(b.path))
      .map((b) => b.path);
    const out = [];
    for (const name of names) {
      const messages: ListedImapMessage[] = [];
      if ((await client.mailboxOpen(name, { readOnly: true })).exists > 0) {
        const query = { uid: true, flags: true, internalDate: true, size: true, source: true };
        // No IMAP command inside this loop (imapflow deadlocks, docs/pitfalls.md); only collect.
        for await (const m of client.fetch('1:*', query)) {
          const source = m.source ?? Buffer.alloc(0);
          messages.push({
            uid: m.uid,
            flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(),
            internalDate: new Date(m.internalDate ?? 0),
            size: m.size ?? source.length,
            sha256: createHash('sha256').update(source).digest('hex'),
          });
        }
      }
      const rel =
        name === 'INBOX' ? ['INBOX'] : name.slice(server.namespacePrefix.length).split(server.delimiter);
      out.push({ path: rel, messages: messages.sort((a, b) => a.uid - b.uid) });
    }
    return out.sort((a, b) => (a.path.join('\0') < b.path.join('\0') ? -1 : 1));
  });
}
