/**
 * Where contacts, calendars and tasks sit in a file:// directory, without writing anything.
 *
 * Written by Cutover: `contacts/<name>/`, `calendars/<name>/` and `tasks/<name>/` (a task list is a calendar
 * that takes only VTODO), `<name>` the collection's display name escaped as folder names are (file-names.ts:
 * reversible, safe on every common file system; another spelling when a directory is held by another
 * collection). Each holds one `<UID>.vcf` or `<UID>.ics` per item (the UID escaped the same way; a UID too
 * long for a file name, or a card without a UID, is named by a hash) with the item's exact text, and
 * `groupware-manifest.jsonl` (groupware-manifest.ts). Such a collection's id is its path under the root
 * (`contacts/People`); an item's key is its file name.
 *
 * A plain export (any directory without a groupware manifest, anywhere under the root): a `.vcf` or `.ics`
 * file that holds several cards or calendar objects is a collection of its own named after the file (id: its
 * path, `export/Work.ics`); the files of a directory that hold one item each are together one collection
 * named after the directory (id: `export/*.ics`, `export/*.vcf`). Keys are the file name, followed by
 * `#UID` (or `#position` for an item without one) inside a file of several.
 */
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { splitCalendar } from '../../formats/icalendar.js';
import { splitVcards, vcardUid } from '../../formats/vcard.js';
import type { CalendarComponent, GroupwareCollection, GroupwareItem } from '../groupware-contract.js';
import { fileError } from './file-errors.js';
import { dirNameOf, MANIFEST, MAX_NAME_BYTES } from './file-names.js';
import { GROUPWARE_MANIFEST, readGroupwareManifest } from './groupware-manifest.js';

/** The directory under the root each kind of collection is written in. */
export type KindDir = 'contacts' | 'calendars' | 'tasks';
export const KIND_DIRS: readonly KindDir[] = ['contacts', 'calendars', 'tasks'];

/** The kind directory a collection is written in. */
export function kindDirOf(c: Pick<GroupwareCollection, 'type' | 'components'>): KindDir {
  if (c.type === 'addressbook') return 'contacts';
  return c.components?.length && c.components.every((x) => x === 'VTODO') ? 'tasks' : 'calendars';
}

/** SHA-256 of a text's UTF-8 bytes (an item's ETag), hex. */
export const etagOf = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** The file name of an item: its UID escaped (`spelling` as in dirNameOf), else a hash of `fallback`. */
export function itemFileName(uid: string | undefined, ext: '.vcf' | '.ics', fallback: string, spelling = 0) {
  if (uid !== undefined && uid !== '') {
    const name = dirNameOf(uid, spelling);
    if (Buffer.byteLength(name) + ext.length <= MAX_NAME_BYTES && !name.includes('%~')) return name + ext;
  }
  const hash = etagOf(uid || fallback).slice(0, 32);
  return `%~${hash}${spelling ? `-${spelling}` : ''}${ext}`;
}

/** A collection found under the root, with where its items are. */
export interface FoundCollection {
  collection: GroupwareCollection;
  /** Written by Cutover: its directory. */
  dir?: string;
  /** A plain export: the files that hold its items (absolute paths). */
  files?: string[];
}

const posix = (rel: string) => rel.split(path.sep).join('/');
const byName = new Intl.Collator('en', { numeric: true }).compare;
const EXT = /\.(vcf|ics)$/i;

/** Every collection under the root: those Cutover wrote and those of plain exports. */
export async function findCollections(root: string): Promise<FoundCollection[]> {
  const out: FoundCollection[] = [];
  const visit = async (dir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw fileError(err, `The directory ${dir}`);
    }
    const rel = posix(path.relative(root, dir));
    if (entries.some((e) => e.isFile() && e.name === GROUPWARE_MANIFEST)) {
      const m = await readGroupwareManifest(dir).catch((err: unknown) => {
        throw fileError(err, `The groupware manifest of ${dir}`);
      });
      if (m?.collection) {
        const { op: _op, ...props } = m.collection;
        out.push({ collection: { id: rel, ...props }, dir });
        return;
      }
    }
    out.push(...(await plainCollections(root, dir, entries)));
    const dirs = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
    for (const d of dirs.sort(byName)) await visit(path.join(dir, d));
  };
  await visit(root);
  return out;
}

/** The collections of a plain export directory (see the header). */
async function plainCollections(root: string, dir: string, entries: Dirent[]): Promise<FoundCollection[]> {
  const files = entries
    .filter((e) => e.isFile() && EXT.test(e.name) && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort(byName);
  const rel = posix(path.relative(root, dir));
  const prefix = rel ? `${rel}/` : '';
  const dirName = path.basename(dir);
  const pooled: Record<'.vcf' | '.ics', { files: string[]; components: Set<CalendarComponent> }> = {
    '.vcf': { files: [], components: new Set() },
    '.ics': { files: [], components: new Set() },
  };
  const out: FoundCollection[] = [];
  for (const name of files) {
    const file = path.join(dir, name);
    const items = await itemsOfFile(file, name);
    if (items.length === 0) continue;
    const ext = name.slice(-4).toLowerCase() as '.vcf' | '.ics';
    const components = new Set(items.flatMap((i) => i.components));
    if (items.length > 1)
      out.push({ collection: plain(prefix + name, ext, name.slice(0, -4), components), files: [file] });
    else {
      pooled[ext].files.push(file);
      for (const c of components) pooled[ext].components.add(c);
    }
  }
  for (const ext of ['.vcf', '.ics'] as const)
    if (pooled[ext].files.length)
      out.push({
        collection: plain(`${prefix}*${ext}`, ext, dirName, pooled[ext].components),
        files: pooled[ext].files,
      });
  return out;
}

function plain(
  id: string,
  ext: '.vcf' | '.ics',
  displayName: string,
  components: Set<CalendarComponent>,
): GroupwareCollection {
  if (ext === '.vcf') return { id, type: 'addressbook', displayName, isDefault: false };
  return { id, type: 'calendar', displayName, isDefault: false, components: [...components] };
}

/** One item of a plain export file, with the components it holds. */
export interface PlainItem extends GroupwareItem {
  components: CalendarComponent[];
}

/** The items of one `.vcf`/`.ics` file (`name`: its file name, the start of each key). */
export async function itemsOfFile(file: string, name: string): Promise<PlainItem[]> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    throw fileError(err, `The file ${file}`);
  }
  const parts: Array<{ uid: string | undefined; data: string; components: CalendarComponent[] }> =
    /\.vcf$/i.test(name)
      ? splitVcards(text).map((data) => ({ uid: vcardUid(data), data, components: [] }))
      : splitCalendar(text).map((r) => ({ uid: r.uid, data: r.text, components: [r.type] }));
  const contentType = /\.vcf$/i.test(name) ? 'text/vcard' : 'text/calendar';
  const seen = new Set<string>();
  return parts.map((p, i) => {
    let key = name;
    if (parts.length > 1) {
      key = `${name}#${p.uid ?? i + 1}`;
      if (seen.has(key)) key = `${name}#${i + 1}`;
    }
    seen.add(key);
    const item: PlainItem = {
      key,
      etag: etagOf(p.data),
      contentType,
      data: p.data,
      components: p.components,
    };
    if (p.uid !== undefined) item.uid = p.uid;
    return item;
  });
}

/**
 * Whether a directory of the tree is groupware rather than a mail folder, for the mail side's listing: it
 * holds a groupware manifest, or it is a plain holder (no mail manifest, no `.eml`) of subdirectories that
 * all do (`contacts/`, `calendars/`, `tasks/`).
 */
export async function isGroupwareDir(dir: string, entries: Dirent[]): Promise<boolean> {
  if (entries.some((e) => e.isFile() && e.name === GROUPWARE_MANIFEST)) return true;
  if (entries.some((e) => e.isFile() && (e.name === MANIFEST || /\.eml$/i.test(e.name)))) return false;
  const dirs = entries.filter((e) => e.isDirectory());
  if (!dirs.length) return false;
  for (const d of dirs) {
    const has = await fsp.access(path.join(dir, d.name, GROUPWARE_MANIFEST)).then(
      () => true,
      () => false,
    );
    if (!has) return false;
  }
  return true;
}
