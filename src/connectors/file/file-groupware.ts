/**
 * Contacts, calendars and tasks as files (GroupwareEndpoint on a file:// directory; the layout and a plain
 * export's reading are in groupware-layout.ts). As a destination each item is written with its exact text,
 * durably (file-durable.ts), and only then named in its collection's manifest; a rerun writes only an item
 * whose bytes changed, replacing its file only while it still has the ETag Cutover wrote; nothing is ever
 * deleted. ETags are the SHA-256 of the bytes, read from the files at each listing, so an edit made by hand
 * counts as a change. There are no sync tokens: every listing is full and the engine compares ETags.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { ConflictError, ErrorCode, PermanentError, throwIfAborted } from '../../errors.js';
import type {
  CollectionChanges,
  EnsuredCollection,
  GroupwareCapabilities,
  GroupwareCollection,
  GroupwareEndpoint,
  GroupwareItem,
  GroupwareItemRef,
} from '../groupware-contract.js';
import { writeDurably } from './file-durable.js';
import { fileError } from './file-errors.js';
import { dirNameOf } from './file-names.js';
import {
  etagOf,
  findCollections,
  itemFileName,
  itemsOfFile,
  kindDirOf,
  type FoundCollection,
} from './groupware-layout.js';
import {
  appendGroupwareManifest,
  readGroupwareManifest,
  type CollectionLine,
  type GroupwareManifest,
} from './groupware-manifest.js';

/** The bytes of a file, or undefined when it is not there. */
async function bytesOf(file: string): Promise<Buffer | undefined> {
  try {
    return await fsp.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw fileError(err, `The file ${file}`);
  }
}

export class FileGroupware implements GroupwareEndpoint {
  readonly capabilities: GroupwareCapabilities = {
    types: ['contacts', 'calendars', 'tasks'],
    // The contract has no "as it comes": 3.0 is the version other programs import most widely.
    vcardVersion: '3.0',
  };
  /** The collections by id, as last listed or made. */
  private readonly known = new Map<string, FoundCollection>();

  constructor(private readonly root: string) {}

  async listCollections(signal?: AbortSignal): Promise<GroupwareCollection[]> {
    throwIfAborted(signal);
    const found = await findCollections(this.root);
    for (const f of found) this.known.set(f.collection.id, f);
    return found.map((f) => f.collection);
  }

  async changes(collectionId: string, _token?: string, signal?: AbortSignal): Promise<CollectionChanges> {
    const changed: GroupwareItemRef[] = [];
    for await (const item of this.items(collectionId, undefined, signal))
      changed.push({ key: item.key, etag: item.etag });
    return { changed, deleted: [], full: true };
  }

  async *readItems(collectionId: string, keys: string[], signal?: AbortSignal): AsyncIterable<GroupwareItem> {
    yield* this.items(collectionId, new Set(keys), signal);
  }

  /** The items of a collection (those of `keys` only, when given). */
  private async *items(
    collectionId: string,
    keys: Set<string> | undefined,
    signal?: AbortSignal,
  ): AsyncIterable<GroupwareItem> {
    const found = await this.find(collectionId);
    if (found.dir) {
      const m = await this.manifest(found.dir);
      for (const line of m.items.values()) {
        if (keys && !keys.has(line.file)) continue;
        throwIfAborted(signal);
        const bytes = await bytesOf(path.join(found.dir, line.file));
        if (!bytes) continue; // removed by hand: gone from the collection
        const item: GroupwareItem = {
          key: line.file,
          etag: etagOf(bytes),
          contentType: line.file.endsWith('.vcf') ? 'text/vcard' : 'text/calendar',
          data: bytes.toString('utf8'),
        };
        if (line.uid !== undefined) item.uid = line.uid;
        yield item;
      }
      return;
    }
    for (const file of found.files ?? []) {
      throwIfAborted(signal);
      const name = path.basename(file);
      if (keys && ![...keys].some((k) => k === name || k.startsWith(`${name}#`))) continue;
      for (const { components: _c, ...item } of await itemsOfFile(file, name))
        if (!keys || keys.has(item.key)) yield item;
    }
  }

  async ensureCollection(like: GroupwareCollection, signal?: AbortSignal): Promise<EnsuredCollection> {
    throwIfAborted(signal);
    const kind = kindDirOf(like);
    // A destination: the directory is made on the first collection written.
    await fsp.mkdir(this.root, { recursive: true }).catch((err: unknown) => {
      throw fileError(err, `The directory ${this.root}`);
    });
    const mine = (await this.listCollections(signal)).filter(
      (c) =>
        this.known.get(c.id)?.dir &&
        c.id.startsWith(`${kind}/`) &&
        !c.id.slice(kind.length + 1).includes('/'),
    );
    const same =
      (like.isDefault ? mine.find((c) => c.isDefault) : undefined) ??
      mine.find((c) => c.displayName === like.displayName);
    const line = collectionLine(like);
    if (same) {
      const dir = this.known.get(same.id)!.dir!;
      // Keep the name and default the directory was made with; take the other properties as they are now.
      const now: CollectionLine = { ...line, displayName: same.displayName, isDefault: same.isDefault };
      const was = (await this.manifest(dir)).collection;
      if (JSON.stringify(was) !== JSON.stringify(now))
        await appendGroupwareManifest(dir, [now]).catch((err: unknown) => {
          throw fileError(err, `The groupware manifest of ${dir}`);
        });
      return { id: same.id, existed: true, notKept: [] };
    }
    const base = path.join(this.root, kind);
    const spellings = [...like.displayName].length || 1;
    for (let k = 0; k <= spellings; k++) {
      const name = dirNameOf(like.displayName, k);
      const dir = path.join(base, name);
      try {
        await fsp.mkdir(dir, { recursive: true });
        const held = (await readGroupwareManifest(dir))?.collection;
        // A directory another collection holds (a name the file system folds together): the next spelling.
        if (held && held.displayName !== like.displayName) continue;
        if (!held) await appendGroupwareManifest(dir, [line]);
      } catch (err) {
        throw fileError(err, `The collection directory ${dir}`);
      }
      const id = `${kind}/${name}`;
      this.known.set(id, { collection: { ...like, id }, dir });
      return { id, existed: false, notKept: [] };
    }
    throw new PermanentError(
      ErrorCode.FolderCreateFailed,
      `No directory name left for the collection '${like.displayName}' under ${base}.`,
      'Rename the collection at the source, or move the directories that hold its names away.',
    );
  }

  async putItem(
    collectionId: string,
    item: GroupwareItem,
    replace?: GroupwareItemRef,
    signal?: AbortSignal,
  ): Promise<GroupwareItemRef> {
    throwIfAborted(signal);
    const found = await this.find(collectionId);
    if (!found.dir)
      throw new PermanentError(
        ErrorCode.MessageRejected,
        `${collectionId} is a plain export file or directory; Cutover writes only into collections it made.`,
        'Write to a fresh directory, or to one Cutover wrote before.',
      );
    const dir = found.dir;
    const m = await this.manifest(dir);
    const etag = etagOf(item.data);
    const file = replace?.key ?? this.nameFor(m, item);
    const target = path.join(dir, file);
    const current = await bytesOf(target);
    const have = current && etagOf(current);
    const listed = m.items.get(file);
    if (have === etag) {
      // Already there with these bytes (a rerun, or a crash after the rename): only the manifest may lack it.
      if (!listed || listed.etag !== etag) await this.record(dir, file, item, etag);
      return { key: file, etag };
    }
    if (replace && current && have !== replace.etag)
      throw new ConflictError(
        `${target} was changed since Cutover wrote it (its SHA-256 is not the one Cutover recorded).`,
        'Compare the file with the source item and keep the right one by hand; Cutover does not overwrite it.',
      );
    if (!replace && current && listed)
      throw new PermanentError(
        ErrorCode.MessageRejected,
        `${collectionId} already holds an item with UID ${item.uid ?? '(none)'} (${file}), with other content.`,
        'Two source items share a UID, or the directory was written by another run: keep one item, or write to a fresh directory.',
      );
    try {
      await writeDurably(target, item.data);
    } catch (err) {
      throw fileError(err, `The item file ${target}`);
    }
    await this.record(dir, file, item, etag);
    return { key: file, etag };
  }

  async close(): Promise<void> {}

  /** A free file name for a new item: its UID's, or another spelling of it when the manifest holds a fold. */
  private nameFor(m: GroupwareManifest, item: GroupwareItem): string {
    const ext = item.contentType === 'text/vcard' ? '.vcf' : '.ics';
    for (let k = 0; ; k++) {
      const name = itemFileName(item.uid, ext, item.key, k);
      const held = [...m.items.values()].find((l) => l.file.toLowerCase() === name.toLowerCase());
      if (!held || (held.file === name && held.uid === item.uid)) return name;
    }
  }

  private async record(dir: string, file: string, item: GroupwareItem, etag: string): Promise<void> {
    await appendGroupwareManifest(dir, [
      { op: 'item', file, etag, ...(item.uid !== undefined ? { uid: item.uid } : {}) },
    ]).catch((err: unknown) => {
      throw fileError(err, `The groupware manifest of ${dir}`);
    });
  }

  private async manifest(dir: string): Promise<GroupwareManifest> {
    try {
      return (await readGroupwareManifest(dir)) ?? { items: new Map() };
    } catch (err) {
      throw fileError(err, `The groupware manifest of ${dir}`);
    }
  }

  private async find(collectionId: string): Promise<FoundCollection> {
    if (!this.known.has(collectionId)) await this.listCollections();
    const found = this.known.get(collectionId);
    if (!found)
      throw new PermanentError(
        ErrorCode.NotFound,
        `No collection ${collectionId} under ${this.root}.`,
        'It was moved or removed since it was listed; run again to list the directory afresh.',
      );
    return found;
  }
}

/** The manifest line of a collection's properties. */
function collectionLine(c: GroupwareCollection): CollectionLine {
  return {
    op: 'collection',
    type: c.type,
    displayName: c.displayName,
    ...(c.color !== undefined ? { color: c.color } : {}),
    ...(c.description !== undefined ? { description: c.description } : {}),
    ...(c.components !== undefined ? { components: c.components } : {}),
    isDefault: c.isDefault,
  };
}
