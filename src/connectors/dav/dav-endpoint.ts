/**
 * A user's calendars, task lists and address books on a CalDAV/CardDAV server, open (GroupwareEndpoint).
 * Opening discovers the homes and lists the collections once, for the capabilities (the vCard version the
 * address books advertise, the largest item); each operation is one module of this folder.
 */
import { ErrorCode, PermanentError } from '../../errors.js';
import type {
  CollectionChanges,
  CollectionType,
  EnsuredCollection,
  GroupwareCapabilities,
  GroupwareCollection,
  GroupwareEndpoint,
  GroupwareItem,
  GroupwareItemRef,
  PutResult,
} from '../groupware-contract.js';
import {
  type DavCollection,
  listDavCollections,
  propfindCollections,
  readCollection,
} from './dav-collections.js';
import { type DavHomes, discoverHomes } from './dav-discovery.js';
import { ensureDavCollection } from './dav-ensure.js';
import type { DavHttp } from './dav-http.js';
import { deleteDavItem, putDavItem, readDavItems } from './dav-items.js';
import { davPath } from './dav-paths.js';
import { davChanges } from './dav-sync.js';

export class DavEndpoint implements GroupwareEndpoint {
  /** The collections by id, as last listed or created. */
  private readonly known = new Map<string, DavCollection>();

  private constructor(
    private readonly http: DavHttp,
    readonly homes: DavHomes,
    readonly capabilities: GroupwareCapabilities,
    listed: DavCollection[],
  ) {
    for (const c of listed) this.known.set(c.id, c);
  }

  /** Discover the homes from `path` (the URL's path) and list the collections once. */
  static async open(http: DavHttp, path: string, signal?: AbortSignal): Promise<DavEndpoint> {
    const homes = await discoverHomes(http, path, signal);
    const listed = await listDavCollections(http, homes, signal);
    const sizes = listed.map((c) => c.maxBytes).filter((n): n is number => n !== undefined);
    const capabilities: GroupwareCapabilities = {
      types: ['contacts', 'calendars', 'tasks'],
      vcardVersion: vcardVersion(listed),
      maxItemBytes: sizes.length ? Math.min(...sizes) : undefined,
    };
    return new DavEndpoint(http, homes, capabilities, listed);
  }

  async listCollections(signal?: AbortSignal): Promise<GroupwareCollection[]> {
    const listed = await listDavCollections(this.http, this.homes, signal);
    for (const c of listed) this.known.set(c.id, c);
    return listed.map(publicView);
  }

  changes(collectionId: string, token: string | undefined, signal?: AbortSignal): Promise<CollectionChanges> {
    return davChanges(this.http, davPath(collectionId, true), token, signal);
  }

  async *readItems(collectionId: string, keys: string[], signal?: AbortSignal): AsyncIterable<GroupwareItem> {
    const c = await this.collection(collectionId, signal);
    yield* readDavItems(this.http, c.id, c.type, keys, signal);
  }

  async ensureCollection(like: GroupwareCollection, signal?: AbortSignal): Promise<EnsuredCollection> {
    const existing = await listDavCollections(this.http, this.homes, signal);
    for (const c of existing) this.known.set(c.id, c);
    const { ensured, collection } = await ensureDavCollection(
      { http: this.http, ...this.homes, existing },
      like,
      signal,
    );
    if (collection) this.known.set(collection.id, collection);
    return ensured;
  }

  async putItem(
    collectionId: string,
    item: GroupwareItem,
    replace?: GroupwareItemRef,
    signal?: AbortSignal,
  ): Promise<PutResult> {
    const c = await this.collection(collectionId, signal);
    return putDavItem(this.http, c.id, c.type, item, replace, c.maxBytes, signal);
  }

  async deleteItem(_collectionId: string, ref: GroupwareItemRef, signal?: AbortSignal): Promise<void> {
    await deleteDavItem(this.http, ref, signal);
  }

  /** The DAV compliance classes the server announces (OPTIONS on a home), for the connection report. */
  async davClasses(signal?: AbortSignal): Promise<string[]> {
    const home = this.homes.calendarHome ?? this.homes.addressbookHome ?? '/';
    const a = await this.http.send('OPTIONS', home, {}, signal);
    const dav = a.headers.dav;
    return (Array.isArray(dav) ? dav.join(',') : (dav ?? ''))
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '');
  }

  /** Nothing to release: every request is its own exchange. */
  async close(): Promise<void> {}

  /** A collection's type and limits: as listed, else read (a collection made since by someone else). */
  private async collection(
    id: string,
    signal?: AbortSignal,
  ): Promise<{ id: string; type: CollectionType; maxBytes?: number }> {
    const path = davPath(id, true);
    const known = this.known.get(path);
    if (known) return known;
    const [r] = await propfindCollections(this.http, path, '0', signal);
    const c = r && readCollection(r, this.homes.principal);
    if (!c)
      throw new PermanentError(
        ErrorCode.NotFound,
        `${this.http.url(path).href} is not a calendar or address book on this server.`,
        'List the collections again: it may have been removed.',
      );
    this.known.set(c.id, c);
    return c;
  }
}

/**
 * The vCard version to write: 4.0 when an address book advertises it (supported-address-data), else 3.0 —
 * the CardDAV default (RFC 6352 §6.2.2) and what Xandikos advertises; Radicale advertises none and keeps
 * vCard 3.0 best (it rewrites vCard 4 values with commas through vobject).
 */
function vcardVersion(listed: DavCollection[]): '3.0' | '4.0' {
  return listed.some((c) => c.type === 'addressbook' && c.vcardVersions.includes('4.0')) ? '4.0' : '3.0';
}

/** A listed collection without the connector's own fields (sync token, CTag, vCard versions, size limit). */
function publicView(c: DavCollection): GroupwareCollection {
  const out: GroupwareCollection = {
    id: c.id,
    type: c.type,
    displayName: c.displayName,
    isDefault: c.isDefault,
  };
  if (c.components !== undefined) out.components = c.components;
  if (c.color !== undefined) out.color = c.color;
  if (c.description !== undefined) out.description = c.description;
  if (c.sharedFrom !== undefined) out.sharedFrom = c.sharedFrom;
  return out;
}
