/**
 * The manifest of one written groupware collection (`groupware-manifest.jsonl` in its directory, JSON lines,
 * append-only): a `collection` line with its properties when it is made (another one, which wins, when they
 * change), then an `item` line per item once its file is in place (another one, which wins, when the item
 * is replaced). An item is present only when it has a line: a file without one (a crash between the rename
 * and the append) is not listed, and the next write of that item finds it by its bytes.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { CalendarComponent, CollectionType } from '../groupware-contract.js';
import { appendLines } from './file-manifest.js';

/** The file name of a collection's manifest. */
export const GROUPWARE_MANIFEST = 'groupware-manifest.jsonl';

/** A collection's properties. */
export interface CollectionLine {
  op: 'collection';
  type: CollectionType;
  displayName: string;
  color?: string;
  description?: string;
  components?: CalendarComponent[];
  isDefault: boolean;
}

/** One item, once its file is in place. */
export interface ItemLine {
  op: 'item';
  /** The file name inside the collection directory (the item's key is the collection id + '/' + it). */
  file: string;
  uid?: string;
  /** SHA-256 of the file's bytes, hex. */
  etag: string;
}

export type GroupwareLine = CollectionLine | ItemLine;

/** What a collection's manifest says: its last properties and its items by file name. */
export interface GroupwareManifest {
  collection?: CollectionLine;
  items: Map<string, ItemLine>;
}

/** The manifest path of a collection directory. */
export const groupwareManifestPath = (dir: string) => path.join(dir, GROUPWARE_MANIFEST);

/** Read a collection's manifest; undefined when the directory has none. */
export async function readGroupwareManifest(dir: string): Promise<GroupwareManifest | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(groupwareManifestPath(dir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR')
      return undefined;
    throw err;
  }
  const out: GroupwareManifest = { items: new Map() };
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue;
    let line: GroupwareLine;
    try {
      line = JSON.parse(raw) as GroupwareLine;
    } catch {
      continue; // a line cut by a crash mid-append: what it would have said did not happen
    }
    if (line.op === 'collection') out.collection = line;
    else if (line.op === 'item' && typeof line.file === 'string') out.items.set(line.file, line);
  }
  return out;
}

/** Append lines to a collection's manifest and fsync it. */
export function appendGroupwareManifest(dir: string, lines: GroupwareLine[]): Promise<void> {
  return appendLines(groupwareManifestPath(dir), lines);
}
