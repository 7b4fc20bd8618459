/**
 * The data directory holds the store (sealed secrets, session hashes, every mailbox's ledger), the secret
 * key and the token caches: nobody but its owner may read any of it. New files are created 0600 and the
 * directory 0700; a directory that already existed with looser modes (copied, restored from a backup,
 * made by hand with the default umask) is tightened at start, and each change is reported so the
 * operator knows the files were exposed. Only Cutover's own files are touched, and the directory's mode
 * only when it holds nothing else: pointed at a shared directory by mistake, Cutover warns instead of
 * changing other people's files.
 */
import fs from 'node:fs';
import path from 'node:path';

/** The names Cutover writes in a data directory (store, WAL, SHM, key, lock, token caches, markers, zones). */
const OWN_FILE =
  /^(?:cutover\.sqlite(?:-wal|-shm|-journal)?|cutover\.lock|secret\.key|\.secret\.key\..+|graph-tokens-.+\.sealed(?:\..+\.tmp)?|project-file-[0-9a-f]+\.sha256|.+\.zone)$/;

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(3, '0');

/**
 * Create `dir` (0700) when missing; otherwise take group and other access away from it and from Cutover's
 * files in it. Returns one sentence per change or per thing it would not change.
 */
export function makePrivate(dir: string): string[] {
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return [];
  }
  if (process.platform === 'win32') return [];
  const notes: string[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  for (const e of entries) {
    if (!e.isFile() || !OWN_FILE.test(e.name)) continue; // never follows a symbolic link
    const file = path.join(dir, e.name);
    const mode = fs.lstatSync(file).mode;
    if ((mode & 0o077) === 0) continue;
    try {
      fs.chmodSync(file, mode & 0o700);
      notes.push(
        `${file} could be read by other users (mode ${octal(mode)}); it is now ${octal(mode & 0o700)}.`,
      );
    } catch (err) {
      notes.push(
        `${file} can be read by other users (mode ${octal(mode)}) and could not be changed: ${(err as Error).message}`,
      );
    }
  }
  const mode = fs.statSync(dir).mode;
  if ((mode & 0o077) !== 0) {
    const foreign = entries.filter((e) => !OWN_FILE.test(e.name)).map((e) => e.name);
    if (foreign.length > 0 || (mode & 0o1000) !== 0)
      notes.push(
        `The data directory ${dir} can be listed by other users (mode ${octal(mode)}) and holds files that are not Cutover's (${foreign.slice(0, 3).join(', ') || 'a shared directory'}), so its mode was left alone: give Cutover a directory of its own, or chmod 700 ${dir}.`,
      );
    else {
      fs.chmodSync(dir, 0o700);
      notes.push(
        `The data directory ${dir} could be listed by other users (mode ${octal(mode)}); it is now 700.`,
      );
    }
  }
  return notes;
}

/** Create `file` empty with mode 0600 when it does not exist yet (SQLite gives its WAL and SHM the same mode). */
export function createPrivateFile(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', 0o600));
}
