/**
 * Which folders an mbox path holds. A file is one folder (INBOX unless a folder name is given). A directory
 * is a profile's tree: Thunderbird (`Inbox` files without extension, `.msf` indexes ignored, `Name.sbd/`
 * for a folder's children), Apple Mail exports (`Name.mbox/mbox`, bundles nested in bundles), or a plain
 * directory of `*.mbox` files (subdirectories are parent folders). A file without extension is a folder
 * only if it is an mbox (starts with `From `, or is empty — Thunderbird's empty folders); other files
 * (`.msf`, `.dat`, `.plist`, Apple's `table_of_contents`) are not mail.
 */
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, PermanentError } from '../../errors.js';
import { guessSpecialUse, type SpecialUse } from '../special-use.js';
import { mapFsError } from './mbox-errors.js';
import { notMbox } from './mbox-scan.js';

/** A folder of the tree: its path, and its mbox file (absent for a folder that only holds folders). */
export interface MboxFolder {
  path: string[];
  file?: string;
  specialUse?: SpecialUse;
}

/** Whether `file` starts like an mbox (or is empty). */
async function looksLikeMbox(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(5);
    const { bytesRead } = await fh.read(buf, 0, 5, 0);
    return bytesRead === 0 || buf.toString('latin1', 0, bytesRead) === 'From ';
  } finally {
    await fh.close();
  }
}

/** The folders below `dir`, under `prefix`, into `out` (path key → folder). */
async function walk(
  dir: string,
  prefix: string[],
  out: Map<string, MboxFolder>,
  inBundle: boolean,
): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  const add = (p: string[], file?: string) => {
    const key = JSON.stringify(p);
    const had = out.get(key);
    if (!had) out.set(key, { path: p, file });
    else if (file) had.file = file;
  };
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      const sbd = /^(.+)\.sbd$/.exec(e.name);
      const bundle = /^(.+)\.mbox$/i.exec(e.name);
      if (sbd) await walk(full, [...prefix, sbd[1]!], out, false);
      else if (bundle) {
        const inner = path.join(full, 'mbox');
        const isFile = await stat(inner).then(
          (s) => s.isFile(),
          () => false,
        );
        if (isFile) add([...prefix, bundle[1]!], inner);
        await walk(full, [...prefix, bundle[1]!], out, true);
      } else await walk(full, [...prefix, e.name], out, false);
    } else if (e.isFile()) {
      if (inBundle && e.name === 'mbox') continue; // the bundle's own messages, added above
      const dotted = /^(.+)\.mbox$/i.exec(e.name);
      if (dotted) add([...prefix, dotted[1]!], full);
      else if (!e.name.includes('.') && (await looksLikeMbox(full))) add([...prefix, e.name], full);
    }
  }
}

/**
 * The folders at `root` (a file or a directory), each under `under` (the folder name given with the URL, or
 * nothing). Parents of nested folders are listed too (without a file when they hold no mail of their own).
 */
export async function discoverMbox(root: string, under: string[]): Promise<MboxFolder[]> {
  try {
    const s = await stat(root);
    if (s.isFile()) {
      if (!(await looksLikeMbox(root))) throw notMbox(root);
      const p = under.length ? under : ['INBOX'];
      return [...parents(p), { path: p, file: root, specialUse: guessSpecialUse(p) }];
    }
    if (!s.isDirectory())
      throw new PermanentError(
        ErrorCode.SourceReadFailed,
        `${root} is neither a file nor a directory.`,
        'Point mbox:// at an mbox file or a directory of them.',
      );
    const found = new Map<string, MboxFolder>();
    await walk(root, under, found, false);
    const withMail = [...found.values()].filter((f) => f.file);
    if (!withMail.length)
      throw new PermanentError(
        ErrorCode.SourceReadFailed,
        `${root} holds no mbox file.`,
        'Point mbox:// at a directory with mbox files: Thunderbird\'s "Mail/Local Folders" (or an account folder under "Mail/"), an Apple Mail export (Name.mbox folders), or a directory of .mbox files.',
      );
    // Every parent of a folder with mail is listed; other directories (no mail below) are left out.
    const keep = new Map<string, MboxFolder>();
    for (const f of withMail)
      for (const p of [...parents(f.path), f])
        if (!keep.has(JSON.stringify(p.path))) keep.set(JSON.stringify(p.path), p);
    for (const f of keep.values()) {
      f.file = found.get(JSON.stringify(f.path))?.file;
      f.specialUse = f.file ? guessSpecialUse(f.path) : undefined;
    }
    return [...keep.values()].sort((a, b) => (a.path.join('\0') < b.path.join('\0') ? -1 : 1));
  } catch (err) {
    throw mapFsError(err, root);
  }
}

/** The folders above `p`, outermost first, without a file. */
function parents(p: string[]): MboxFolder[] {
  return p.slice(0, -1).map((_, i) => ({ path: p.slice(0, i + 1) }));
}
