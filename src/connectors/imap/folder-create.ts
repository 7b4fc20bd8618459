/**
 * Creating destination folders: an existing folder is never created again, a name is created as it is,
 * and only a name the server refuses is renamed — along a deterministic ladder of look-alikes, so every
 * connection and every pass arrives at the same folder. A name a server may silently rewrite (spaces at
 * the ends, control characters) is read back with LIST to learn what it became.
 *
 * A refusal is a tagged NO/BAD with the connection intact and no "try later" code; anything else (a
 * dropped connection, `* BYE`, `NO [UNAVAILABLE]`) is mapped as a transient error for the engine to retry,
 * never reported as a naming problem.
 */
import type { ImapFlow } from 'imapflow';
import type { FolderInfo } from '../contract.js';
import { ErrorCode, PermanentError, throwIfAborted } from '../../errors.js';
import type { EnsuredFolder } from '../contract.js';
import { mayBeRewritten, renameLadder } from '../shared/folder-names.js';
import { mapImapError } from './imap-errors.js';
import { canonicalPath, listFolders, wireName } from './imap-session.js';
import type { Tagged } from './imap-wire.js';

/** Response codes that mean "not now", not "not this name" (RFC 5530 and common server practice). */
const NOT_NOW = new Set([
  'UNAVAILABLE',
  'THROTTLED',
  'INUSE',
  'SERVERBUG',
  'LIMIT',
  'OVERQUOTA',
  'EXPUNGEISSUED',
]);

/** Sends CREATE for a wire name and returns the tagged answer; throws (mapped) when the connection fails. */
export type CreateCommand = (wireName: string) => Promise<Tagged>;

const keyOf = (p: string[]): string => p.join('\u0000');
const q = (p: string[]): string => `"${p.join('/')}"`;

/** The folders of one destination connection, created on demand. */
export class FolderCreator {
  /** Canonical path key → path, as the server lists it. */
  private readonly known = new Map<string, string[]>();
  /** Asked-for prefix → the folder it became (renamed or rewritten), so each name is resolved once. */
  private readonly resolved = new Map<string, { path: string[]; note?: string }>();
  private listed = false;
  private listing: Promise<void> | undefined;

  constructor(
    private readonly client: ImapFlow,
    private readonly create: CreateCommand,
    private readonly where: string,
  ) {}

  /** LIST again and remember what exists. */
  async refresh(): Promise<void> {
    this.learn(await listFolders(this.client, this.where));
  }

  /** Remember what exists from a listing just taken (the destination's own `listFolders`). */
  learn(list: FolderInfo[]): void {
    this.known.clear();
    for (const f of list) this.known.set(keyOf(canonicalPath(this.client, f.path)), f.path);
    this.listed = true;
  }

  /** LIST once if nothing is known yet; concurrent callers share that LIST. */
  private ensureListed(): Promise<void> {
    if (this.listed) return Promise.resolve();
    this.listing ??= this.refresh().finally(() => (this.listing = undefined));
    return this.listing;
  }

  /** Start the first LIST now, ahead of the first folder (a failure surfaces at that folder). */
  warmUp(): void {
    this.ensureListed().catch(() => undefined);
  }

  /** Whether the folder exists, as far as the last LIST (and this connection's creations) know. */
  async exists(path: string[]): Promise<boolean> {
    if (path.length === 1 && path[0]!.toUpperCase() === 'INBOX') return true;
    await this.ensureListed();
    return this.known.has(keyOf(canonicalPath(this.client, path)));
  }

  /** Create `path` and its parents where missing; returns where the folder really is. */
  async ensure(path: string[], signal?: AbortSignal): Promise<EnsuredFolder> {
    if (path.length === 1 && path[0]!.toUpperCase() === 'INBOX') return { path: ['INBOX'] };
    await this.ensureListed();
    let actual: string[] = [];
    const notes: string[] = [];
    for (let depth = 1; depth <= path.length; depth++) {
      throwIfAborted(signal);
      const asked = path.slice(0, depth);
      const seg = path[depth - 1]!;
      const done = this.resolved.get(keyOf(asked));
      if (done) {
        actual = done.path;
        if (done.note) notes.push(done.note);
        continue;
      }
      if (depth === 1 && seg.toUpperCase() === 'INBOX') {
        actual = ['INBOX'];
        continue;
      }
      const wanted = [...actual, seg];
      if (await this.exists(wanted)) {
        actual = wanted;
        continue;
      }
      const made = await this.createSegment(actual, seg);
      actual = made.path;
      if (made.note) notes.push(made.note);
      if (made.note || keyOf(made.path) !== keyOf(asked)) this.resolved.set(keyOf(asked), made);
    }
    return notes.length ? { path: actual, renamed: notes.join('. ') } : { path: actual };
  }

  /** Create `parent/seg`, renaming only on refusal. */
  private async createSegment(parent: string[], seg: string): Promise<{ path: string[]; note?: string }> {
    const wanted = [...parent, seg];
    const said = await this.tryCreate(wanted);
    if (said === undefined) return this.readBack(parent, seg);
    // Refused: maybe because it exists (another connection made it; Courier answers "Cannot create this
    // folder." for an existing one). An existing folder is never created again.
    await this.refresh();
    if (await this.exists(wanted)) return { path: wanted };
    for (const c of renameLadder(seg)) {
      const candidate = [...parent, c.name];
      const note = `${q(wanted)} was refused by the destination (${said}); created as ${q(candidate)}: ${c.change}`;
      if (await this.exists(candidate)) return { path: candidate, note };
      const again = await this.tryCreate(candidate);
      if (again === undefined) {
        this.known.set(keyOf(canonicalPath(this.client, candidate)), candidate);
        return { path: candidate, note };
      }
    }
    throw new PermanentError(
      ErrorCode.FolderCreateFailed,
      `${this.where}: the destination refused the folder ${q(wanted)} and every look-alike name for it: ${said}`,
      'Give it a name the destination accepts with a folder mapping rule (folders.map, or --folder-map "Old=New").',
    );
  }

  /** CREATE; undefined when it worked (or the folder already existed), the server's words on a refusal. */
  private async tryCreate(path: string[]): Promise<string | undefined> {
    const t = await this.create(wireName(this.client, path));
    const code = (t.code ?? '').split(' ')[0]!.toUpperCase();
    if (t.status === 'OK' || code === 'ALREADYEXISTS') return undefined;
    const said = `${t.status} ${t.code ? `[${t.code}] ` : ''}${t.text}`.trim();
    // "Not now" is not "not this name": the engine retries it later, it never renames for it.
    if (NOT_NOW.has(code) || /\[(THROTTLED|UNAVAILABLE)\]/i.test(t.text))
      throw mapImapError(
        Object.assign(new Error(said), { responseText: said, serverResponseCode: code }),
        `${this.where}: creating folder ${q(path)}`,
      );
    return said;
  }

  /** After a successful CREATE: learn the name the folder really has where the server may have changed it. */
  private async readBack(parent: string[], seg: string): Promise<{ path: string[]; note?: string }> {
    const wanted = [...parent, seg];
    if (!mayBeRewritten(seg)) {
      this.known.set(keyOf(canonicalPath(this.client, wanted)), wanted);
      return { path: wanted };
    }
    const before = new Set(this.known.keys());
    await this.refresh();
    if (await this.exists(wanted)) return { path: wanted };
    const canon = (p: string[]) => canonicalPath(this.client, p);
    const fresh = [...this.known.entries()]
      .filter(([k, p]) => !before.has(k) && keyOf(canon(p).slice(0, -1)) === keyOf(canon(parent)))
      .map(([, p]) => p);
    if (fresh.length === 1)
      return {
        path: fresh[0]!,
        note: `the destination stored the folder ${q(wanted)} as ${q(fresh[0]!)}`,
      };
    throw new PermanentError(
      ErrorCode.FolderCreateFailed,
      `${this.where}: the destination accepted the folder ${q(wanted)} but does not list it afterwards.`,
      'Give it a plainer name with a folder mapping rule (folders.map, or --folder-map "Old=New").',
    );
  }
}
