/**
 * A mailbox's folder tree: display-name paths from the root, well-known folders recognised by asking for
 * them by name (v1.0 folders do not carry their well-known name), Inbox spelled `INBOX` as the engine
 * expects. Creating a path makes each missing level; a folder made meanwhile by another lane (409) is found.
 */
import type { FolderInfo } from '../contract.js';
import type { SpecialUse } from '../special-use.js';
import { ErrorCode, PermanentError, RateLimitError, throwIfAborted } from '../../errors.js';
import type { GraphClient } from './graph-client.js';
import { userPath } from './graph-config.js';

/** Graph's well-known folder names and the special uses they play. */
export const WELL_KNOWN: Array<[string, SpecialUse]> = [
  ['inbox', 'inbox'],
  ['sentitems', 'sent'],
  ['drafts', 'drafts'],
  ['deleteditems', 'trash'],
  ['junkemail', 'junk'],
  ['archive', 'archive'],
];

/** One folder of the tree. */
export interface GraphFolder {
  id: string;
  path: string[];
  specialUse?: SpecialUse;
  totalItemCount: number;
}

interface RawFolder {
  id: string;
  displayName: string;
  childFolderCount?: number;
  totalItemCount?: number;
}

const SELECT = '$select=id,displayName,childFolderCount,totalItemCount&$top=100';
const norm = (s: string) => s.normalize('NFC').toLowerCase();

/** The folder tree of one mailbox, cached per connection and re-read when a path is not found. */
export class FolderTree {
  private byPath = new Map<string, GraphFolder>();
  private loaded = false;

  constructor(private readonly client: GraphClient) {}

  /** Every folder (re-read from Graph). */
  async list(signal?: AbortSignal): Promise<GraphFolder[]> {
    const base = userPath(this.client.target);
    const special = new Map<string, SpecialUse>();
    // Six look-ups by well-known name in two round trips. A name the mailbox lacks (no Archive yet) is skipped.
    for (let i = 0; i < WELL_KNOWN.length; i += 4) {
      const part = WELL_KNOWN.slice(i, i + 4);
      const answers = await this.client.batch(
        part.map(([wk]) => ({ method: 'GET', url: `${base}/mailFolders/${wk}?$select=id` })),
        signal,
      );
      answers.forEach((a, j) => {
        if (a.status === 200) special.set((a.body as { id: string }).id, part[j]![1]);
        else if (a.status === 429 || a.status >= 500)
          throw this.client.batchFailure(a, `GET mailFolders/${part[j]![0]}`);
      });
    }
    const out: GraphFolder[] = [];
    const walk = async (url: string, parent: string[]) => {
      for await (const page of this.client.pages<RawFolder>(url, signal))
        for (const f of page) {
          throwIfAborted(signal);
          const use = special.get(f.id);
          const path = use === 'inbox' && parent.length === 0 ? ['INBOX'] : [...parent, f.displayName];
          out.push({ id: f.id, path, specialUse: use, totalItemCount: f.totalItemCount ?? 0 });
          if (f.childFolderCount) await walk(`${base}/mailFolders/${f.id}/childFolders?${SELECT}`, path);
        }
    };
    await walk(`${base}/mailFolders?${SELECT}`, []);
    this.byPath = new Map(out.map((f) => [key(f.path), f]));
    this.loaded = true;
    return out;
  }

  /** As the contract lists them. */
  async infos(signal?: AbortSignal): Promise<FolderInfo[]> {
    return (await this.list(signal)).map((f) => ({
      path: f.path,
      selectable: true,
      ...(f.specialUse ? { specialUse: f.specialUse } : {}),
    }));
  }

  /** The folder at a path, or undefined. */
  async find(path: string[], signal?: AbortSignal): Promise<GraphFolder | undefined> {
    if (!this.loaded) await this.list(signal);
    return this.byPath.get(key(path)) ?? (await this.list(signal)).find((f) => key(f.path) === key(path));
  }

  /** The folder at a path, created level by level when missing. */
  async ensure(path: string[], signal?: AbortSignal): Promise<GraphFolder> {
    if (!this.loaded) await this.list(signal);
    let parent: GraphFolder | undefined;
    for (let d = 1; d <= path.length; d++) {
      const sub = path.slice(0, d);
      let f = this.byPath.get(key(sub));
      if (!f) f = await this.create(parent, sub, signal);
      parent = f;
    }
    if (!parent)
      throw new PermanentError(
        ErrorCode.FolderCreateFailed,
        `${this.client.target.where}: an empty folder path.`,
      );
    return parent;
  }

  private async create(
    parent: GraphFolder | undefined,
    path: string[],
    signal?: AbortSignal,
  ): Promise<GraphFolder> {
    const base = userPath(this.client.target);
    const url = parent ? `${base}/mailFolders/${parent.id}/childFolders` : `${base}/mailFolders`;
    const name = path.at(-1)!;
    try {
      const made = await this.client.json<RawFolder>(
        'POST',
        url,
        { body: { displayName: name }, what: `create folder "${path.join('/')}"` },
        signal,
      );
      const f = { id: made.id, path, totalItemCount: 0 };
      this.byPath.set(key(path), f);
      return f;
    } catch (err) {
      if (err instanceof RateLimitError) throw err;
      // Made meanwhile by another lane (409 ErrorFolderExists): find it.
      const found = (await this.list(signal)).find((f) => key(f.path) === key(path));
      if (found) return found;
      throw new PermanentError(
        ErrorCode.FolderCreateFailed,
        `${this.client.target.where}: cannot create folder "${path.join('/')}": ${(err as Error).message}`,
        'Check the name against Exchange folder-name rules, or map the folder to another name.',
        { cause: err },
      );
    }
  }
}

const key = (path: string[]) =>
  path.map((s, i) => (i === 0 && /^inbox$/i.test(s) ? 'INBOX' : norm(s))).join('\u0000');
