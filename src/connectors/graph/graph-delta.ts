/**
 * A folder's message ids and change keys, kept current with delta queries: the first look at a folder
 * is a full delta round; every later look in this process follows the stored deltaLink and applies only
 * what changed (added, updated — a flag change gives a new changeKey — or removed). The folder state the
 * engine uses to skip unchanged folders is derived from this listing: any added, removed or changed
 * message changes it, so a skip never hides new mail.
 */
import { createHash } from 'node:crypto';
import type { FolderState } from '../contract.js';
import { ErrorCode, PermanentError, RateLimitError, throwIfAborted } from '../../errors.js';
import type { GraphClient } from './graph-client.js';
import { userPath } from './graph-config.js';
import { folderTag } from './graph-ids.js';
import { itemKey } from '../shared/item-key.js';

interface DeltaItem {
  id: string;
  changeKey?: string;
  '@removed'?: unknown;
}
interface DeltaPage {
  value: DeltaItem[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/** Folders remembered per process (each entry is ~100 bytes per message). */
const CACHE_FOLDERS = 256;
const cache = new Map<string, { deltaLink: string; entries: Map<string, string> }>();

async function round(
  client: GraphClient,
  url: string,
  entries: Map<string, string>,
  signal?: AbortSignal,
): Promise<string> {
  for (let next: string | undefined = url; ;) {
    throwIfAborted(signal);
    const page: DeltaPage = await client.json(
      'GET',
      next,
      { prefer: 'odata.maxpagesize=200', what: 'message delta' },
      signal,
    );
    for (const item of page.value) {
      if (item['@removed'] !== undefined) entries.delete(item.id);
      else entries.set(item.id, item.changeKey ?? '');
    }
    if (page['@odata.deltaLink']) return page['@odata.deltaLink'];
    next = page['@odata.nextLink'];
    if (!next)
      throw new PermanentError(
        ErrorCode.ProtocolError,
        `${client.target.where}: a delta round ended without a deltaLink.`,
      );
  }
}

/** The folder's current ids → change keys (a copy the caller owns). */
export async function deltaListing(
  client: GraphClient,
  folderId: string,
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const key = `${client.target.mailboxKey}|${folderId}`;
  const known = cache.get(key);
  let entries: Map<string, string>;
  let deltaLink: string;
  if (known) {
    entries = new Map(known.entries);
    try {
      deltaLink = await round(client, known.deltaLink, entries, signal);
    } catch (err) {
      if (err instanceof RateLimitError || signal?.aborted) throw err;
      // The sync state expired (410 SyncStateNotFound) or broke: start over with a full round.
      cache.delete(key);
      return deltaListing(client, folderId, signal);
    }
  } else {
    entries = new Map();
    deltaLink = await round(
      client,
      `${userPath(client.target)}/mailFolders/${folderId}/messages/delta?$select=id,changeKey`,
      entries,
      signal,
    );
  }
  cache.delete(key);
  cache.set(key, { deltaLink, entries: new Map(entries) });
  while (cache.size > CACHE_FOLDERS) cache.delete(cache.keys().next().value!);
  return entries;
}

/**
 * The listing, cross-checked against the folder's item count: a delta round that disagrees (a change
 * Graph's delta did not report) is thrown away and the folder listed from scratch, so a folder is never
 * taken for unchanged on a listing that misses mail.
 */
export async function checkedListing(
  client: GraphClient,
  folderId: string,
  signal?: AbortSignal,
): Promise<Map<string, string>> {
  const entries = await deltaListing(client, folderId, signal);
  const count = async () =>
    (
      await client.json<{ totalItemCount: number }>(
        'GET',
        `${userPath(client.target)}/mailFolders/${folderId}?$select=id,totalItemCount`,
        { what: 'folder count' },
        signal,
      )
    ).totalItemCount;
  if (entries.size === (await count())) return entries;
  cache.delete(`${client.target.mailboxKey}|${folderId}`);
  return deltaListing(client, folderId, signal);
}

/** The engine's folder state for a listing: generation = the folder's id, modseq = a digest of every (id, changeKey). */
export function stateOf(folderId: string, entries: Map<string, string>): FolderState {
  let max = 0;
  const lines: string[] = [];
  for (const [id, ck] of entries) {
    max = Math.max(max, itemKey(id));
    lines.push(`${id} ${ck}`);
  }
  lines.sort();
  return {
    uidValidity: folderTag(folderId),
    uidNext: max + 1,
    messages: entries.size,
    highestModseq: createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 20),
  };
}
