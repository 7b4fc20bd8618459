/**
 * The directory tree as folders: its root (from the server's `file:` settings), where each folder's directory
 * is, and which folders the tree holds.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ServerSpec } from '../../config/types.js';
import { ErrorCode, PermanentError } from '../../errors.js';
import type { FolderInfo } from '../contract.js';
import { fileError } from './file-errors.js';
import { readFolderHead } from './file-manifest.js';
import { dirNameOf, isShortened, nameOfDir } from './file-names.js';
import { isGroupwareDir } from './groupware-layout.js';

/** The file connector's settings block (`file:` in ServerSpec): the tree's absolute directory. */
export interface FileSettings {
  path: string;
}

/** The tree's root directory for this server, checked to be absolute. */
export function rootOf(server: ServerSpec): string {
  const dir = (server as ServerSpec & { file?: FileSettings }).file?.path;
  if (!dir || !path.isAbsolute(dir))
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      dir
        ? `The file directory '${dir}' is not an absolute path.`
        : 'No directory given for the file connector (a project file cannot name one yet).',
      'Use the one-off form with an absolute directory: --from or --to file:///srv/export/alice.',
    );
  return path.normalize(dir);
}

/** Check that `root` is an existing directory (for a source, and for `cutover test`). */
export async function checkRoot(root: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = await fsp.stat(root);
  } catch (err) {
    throw fileError(err, `The directory ${root}`);
  }
  if (!st.isDirectory())
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `${root} is a file, not a directory.`,
      'Name a directory in file:///ABS/DIR.',
    );
}

/**
 * The folder directories of one tree. A folder's directory is the one its listing found (a name another tool
 * wrote, or one the file system normalised — HFS+ stores names as NFD), else the one `dirNameOf` makes.
 */
export class FileTree {
  private readonly found = new Map<string, string>();

  constructor(readonly root: string) {}

  /**
   * The directory of a folder: the one a listing found, else level by level the first spelling of each name
   * (see dirNameOf) that is free or already this folder's; a directory another folder holds (its manifest
   * names another path) is never shared.
   */
  async dirOf(folder: string[]): Promise<string> {
    const key = JSON.stringify(folder);
    const known = this.found.get(key);
    if (known) return known;
    let dir = this.root;
    for (let d = 0; d < folder.length; d++) {
      const here = JSON.stringify(folder.slice(0, d + 1));
      const seen = this.found.get(here);
      if (seen) {
        dir = seen;
        continue;
      }
      const name = folder[d]!;
      const spellings = [...name].length || 1;
      let chosen = path.join(dir, dirNameOf(name));
      for (let k = 0; k <= spellings; k++) {
        const candidate = path.join(dir, dirNameOf(name, k));
        const head = await readFolderHead(candidate).catch(() => undefined);
        if (!head?.folder || JSON.stringify(head.folder) === here) {
          chosen = candidate;
          break;
        }
      }
      this.found.set(here, chosen);
      dir = chosen;
    }
    return dir;
  }

  /**
   * Every folder directory, depth first, parents before children. A directory is a mailbox folder unless it
   * only holds folders: its manifest says it was made as a container, or it has no manifest, no `.eml` file
   * and a subdirectory.
   */
  async walk(): Promise<FolderInfo[]> {
    const out: FolderInfo[] = [];
    const visit = async (dir: string, name: string | undefined, parent: string[]) => {
      let entries: fs.Dirent[];
      try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
      } catch (err) {
        throw fileError(err, `The directory ${dir}`);
      }
      // Contacts, calendars and tasks written beside the mail (groupware-layout.ts) are not mail folders.
      if (name !== undefined && (await isGroupwareDir(dir, entries))) return;
      let folder = parent;
      if (name !== undefined) {
        const head = await readFolderHead(dir).catch(() => undefined);
        const decoded = nameOfDir(name);
        let seg: string;
        if (decoded === undefined || isShortened(name)) {
          seg = head?.folder?.[parent.length] ?? name; // the full name of a shortened one is in the manifest
        } else if (decoded !== decoded.normalize('NFC') && dirNameOf(decoded) !== name) {
          seg = decoded.normalize('NFC'); // written as NFC, stored decomposed by the file system (HFS+)
        } else seg = decoded;
        folder = [...parent, seg];
        const selectable = head
          ? head.selectable
          : entries.some((e) => e.isFile() && /\.eml$/i.test(e.name)) ||
            !entries.some((e) => e.isDirectory());
        this.found.set(JSON.stringify(folder), dir);
        out.push({ path: folder, selectable });
      }
      const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name);
      for (const child of dirs.sort()) await visit(path.join(dir, child), child, folder);
    };
    await visit(this.root, undefined, []);
    return out;
  }
}
