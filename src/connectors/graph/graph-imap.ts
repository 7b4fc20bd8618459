/**
 * The IMAP write path into Exchange Online: the whole MIME message by IMAP APPEND, so what Graph's JSON form
 * cannot keep (every header field, the MIME structure, the bytes) stays — what imapsync-style tools do.
 * Exchange Online's IMAP endpoint takes OAuth 2.0 tokens of the client-credentials flow ("Authenticate an IMAP,
 * POP or SMTP connection using OAuth": scope https://outlook.office365.com/.default; the app has the
 * application permission IMAP.AccessAsApp, its service principal is registered in Exchange with
 * New-ServicePrincipal and given FullAccess to the mailbox with Add-MailboxPermission), sent with SASL
 * XOAUTH2 for the mailbox's address. The IMAP connector does the APPEND; this file gets the token and opens a
 * new session before the token expires (Exchange ends a session whose token expired: "* BYE Session
 * invalidated - AccessTokenExpired", as imapsync users report).
 *
 * Keys, listings and flags stay Graph's: after the APPEND the message is found through Graph (its
 * Message-ID, else its received time, and no Cutover identity yet) and stamped with Cutover's identity and the
 * flags IMAP cannot set (categories, the last verb), so later passes recognise it like any other copy.
 */
import { Readable } from 'node:stream';
import type { ServerSpec } from '../../config/types.js';
import type { AppendItem, DestinationCapabilities, MailDestination } from '../contract.js';
import { ErrorCode, PermanentError, TransientError } from '../../errors.js';
import { ImapConnector } from '../imap/imap-connector.js';
import { AppTokenSource } from './graph-auth.js';
import type { TokenCacheHome } from './graph-token-cache.js';
import type { GraphClient } from './graph-client.js';
import type { GraphTarget } from './graph-config.js';
import { userPath } from './graph-config.js';
import { extValue, flagPatch, PROP, type FlagFacts } from './graph-flags.js';
import { splitHead } from './mime-parse.js';
import { sourceIdentity, type SourceIdentity } from './mime-to-graph.js';

/** The resource Exchange Online's IMAP endpoint takes tokens for. */
export const EXCHANGE_SCOPE = 'https://outlook.office365.com/.default';
/** A session is renewed this long before its token expires. */
const RENEW_BEFORE_MS = 5 * 60_000;
/** Header blocks longer than this are not looked for further (the identity then hashes what was seen). */
const HEAD_MAX = 1024 * 1024;

/** The app registration the IMAP tokens are asked for. */
export interface ImapApp {
  clientId: string;
  clientSecret: string;
}

/**
 * An item with its header block read ahead (a stream body is replayed whole), and what Cutover's fingerprints
 * see of it: the identity is known before anything is written.
 */
export async function withIdentity(
  item: AppendItem,
): Promise<{ item: AppendItem; identity: SourceIdentity }> {
  if (Buffer.isBuffer(item.body))
    return { item, identity: sourceIdentity(splitHead(item.body).head, item.size) };
  const source = item.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const seen: Buffer[] = [];
  let length = 0;
  let head: Buffer | undefined;
  while (!head) {
    const r = await source.next();
    if (r.done) break;
    seen.push(r.value);
    length += r.value.length;
    const sofar = Buffer.concat(seen);
    if (/\r?\n\r?\n/.test(sofar.toString('latin1')) || length > HEAD_MAX) head = splitHead(sofar).head;
  }
  head ??= splitHead(Buffer.concat(seen)).head;
  async function* replay(): AsyncIterable<Buffer> {
    yield* seen;
    for (;;) {
      const r = await source.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return {
    item: { ...item, body: Readable.from(replay(), { objectMode: false }) },
    identity: sourceIdentity(Buffer.from(head), item.size),
  };
}

/**
 * Messages APPENDed whose stamp failed (Graph did not show them yet, or throttled the stamp), per mailbox:
 * the next attempt at the same message stamps the copy that is there instead of APPENDing another.
 */
const unstamped = new Map<string, Map<string, number>>();

/** The unstamped APPENDs of one mailbox, by folder and identity. */
export function unstampedFor(mailboxKey: string): Map<string, number> {
  let m = unstamped.get(mailboxKey);
  if (!m) unstamped.set(mailboxKey, (m = new Map<string, number>()));
  return m;
}

/** The IMAP server of a Graph destination: Exchange Online's endpoint, implicit TLS. */
export function imapServerOf(server: ServerSpec, target: GraphTarget): ServerSpec {
  return {
    kind: 'imap',
    host: target.imap.host,
    port: target.imap.port,
    tls: 'tls',
    allowInvalidCertificates: server.allowInvalidCertificates,
    maxConnections: server.maxConnections,
  };
}

/** One mailbox's IMAP session for APPEND, renewed before its token expires. */
export class ImapLane {
  private dest: MailDestination | undefined;
  private expires = 0;
  private readonly tokens: AppTokenSource;
  private readonly made = new Set<string>();

  constructor(
    private readonly target: GraphTarget,
    private readonly server: ServerSpec,
    app: ImapApp,
    /** Where the token cache is kept across restarts (ConnectorContext: data directory or store). */
    cache: TokenCacheHome = {},
  ) {
    this.tokens = new AppTokenSource(target, app.clientId, app.clientSecret, EXCHANGE_SCOPE, cache);
  }

  /** The capabilities of the IMAP session (opened now if need be). */
  async capabilities(signal?: AbortSignal): Promise<DestinationCapabilities> {
    return (await this.open(signal)).capabilities;
  }

  /** APPEND these items to `path` (created first when the IMAP side does not list it yet). */
  async append(path: string[], items: AppendItem[], signal?: AbortSignal) {
    const dest = await this.open(signal);
    const key = path.join('\u0000');
    if (!this.made.has(key)) {
      await dest.ensureFolder(path, signal);
      this.made.add(key);
    }
    return dest.append(path, items, signal);
  }

  async close(): Promise<void> {
    const d = this.dest;
    this.dest = undefined;
    await d?.close();
  }

  private async open(signal?: AbortSignal): Promise<MailDestination> {
    if (this.dest && Date.now() < this.expires - RENEW_BEFORE_MS) return this.dest;
    await this.close();
    const { token, expiresOn } = await this.tokens.acquire(this.dest !== undefined);
    try {
      this.dest = await new ImapConnector().openDestination(
        imapServerOf(this.server, this.target),
        { kind: 'xoauth2', user: this.target.user, accessToken: { value: token } },
        signal,
      );
    } catch (err) {
      if (err instanceof PermanentError && err.code === ErrorCode.AuthFailed)
        throw new PermanentError(
          ErrorCode.AuthFailed,
          `${this.target.where}: Exchange Online's IMAP endpoint (${this.target.imap.host}) refused the app's token: ${err.message}`,
          'Grant the app the IMAP.AccessAsApp application permission (Office 365 Exchange Online) with admin consent, register its service principal in Exchange (New-ServicePrincipal) and give it FullAccess to the mailbox (Add-MailboxPermission); or use graph.writePath: json.',
          { cause: err },
        );
      throw err;
    }
    this.expires = expiresOn;
    return this.dest;
  }
}

interface Found extends FlagFacts {
  id: string;
  receivedDateTime?: string;
}

/**
 * Find the message just APPENDed to `folderId` (same Message-ID — else the same received second — and no
 * Cutover identity yet) and stamp it with `identity` and the flags Graph keeps; returns its immutable id.
 */
export async function stampAppended(
  client: GraphClient,
  folderId: string,
  identity: SourceIdentity,
  item: Pick<AppendItem, 'flags' | 'internalDate'>,
  signal?: AbortSignal,
): Promise<string> {
  const base = userPath(client.target);
  const second = Math.floor(item.internalDate.getTime() / 1000) * 1000;
  const from = new Date(second).toISOString().replace('.000Z', 'Z');
  const to = new Date(second + 1000).toISOString().replace('.000Z', 'Z');
  const filter = identity.id
    ? `internetMessageId eq '${`<${identity.id}>`.replace(/'/g, "''")}'`
    : `receivedDateTime ge ${from} and receivedDateTime lt ${to}`;
  const url =
    `${base}/mailFolders/${folderId}/messages?$filter=${encodeURIComponent(filter)}` +
    `&$select=id,receivedDateTime&$expand=singleValueExtendedProperties($filter=id eq '${PROP.source}')&$top=50`;
  let found: Found | undefined;
  for await (const page of client.pages<Found>(url, signal)) {
    found = page.find((m) => extValue(m, PROP.source) === undefined);
    if (found) break;
  }
  if (!found)
    throw new TransientError(
      ErrorCode.ProtocolError,
      `${client.target.where}: the message APPENDed by IMAP (${identity.id ? `<${identity.id}>` : `received ${from}`}) is not visible through Graph yet.`,
      'Cutover retries on its own; the copy is recognised then.',
    );
  const flags = flagPatch(item.flags);
  await client.json(
    'PATCH',
    `${base}/messages/${found.id}`,
    {
      body: {
        ...flags,
        singleValueExtendedProperties: [
          ...(flags.singleValueExtendedProperties as unknown[]),
          { id: PROP.source, value: JSON.stringify(identity) },
        ],
      },
      what: 'stamp the IMAP copy',
    },
    signal,
  );
  return found.id;
}
