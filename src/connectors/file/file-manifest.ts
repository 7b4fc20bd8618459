/**
 * The manifest of one folder directory (`manifest.jsonl`, JSON lines, append-only): a `folder` line when
 * the folder is made (its full path, which a shortened directory name cannot carry), an `add` line per
 * message once its `.eml` is in place, and a `flags` line when its flags are replaced. One manifest per folder
 * rather than one for the tree: a folder is listed by reading its own manifest only, folders written in
 * parallel never append to the same file, and a folder directory moved elsewhere keeps its manifest.
 * A message is present only when its `add` line is: a file without one (a crash between the rename and the
 * append) is never counted.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import readline from 'node:readline';
import { MANIFEST } from './file-names.js';

/** The line written when a folder is made. */
export interface FolderLine {
  op: 'folder';
  folder: string[];
  /** False for a parent made only to hold a child (an IMAP \Noselect container); a later line may say true. */
  selectable?: boolean;
}

/** The line written once a message's file is in place. */
export interface AddLine {
  op: 'add';
  folder: string[];
  uid: number;
  /** The file name inside the folder directory. */
  file: string;
  flags: string[];
  /** ISO 8601. */
  internalDate: string;
  size: number;
  sha256: string;
  messageId?: string;
  dateHeader?: string;
  /** SHA-256 of the header block, when there is no Message-ID (the fingerprint's fallback). */
  headerHash?: string;
}

/** The line written when a message's flags are replaced. */
export interface FlagsLine {
  op: 'flags';
  uid: number;
  flags: string[];
}

export type ManifestLine = FolderLine | AddLine | FlagsLine;

/** What a folder's manifest says: its path as written, and each present message with its current flags. */
export interface ManifestState {
  folder?: string[];
  messages: Map<number, AddLine>;
  /** Lines read (moves with every write, flags included: the folder's modification sequence). */
  lines: number;
}

/** The manifest file of a folder directory. */
export const manifestPath = (dir: string) => path.join(dir, MANIFEST);

/** Read a folder's manifest, line by line; undefined when the folder has none (a plain EML folder). */
export async function readManifest(dir: string): Promise<ManifestState | undefined> {
  let input: fs.ReadStream;
  try {
    await fsp.access(manifestPath(dir));
    input = fs.createReadStream(manifestPath(dir));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const state: ManifestState = { messages: new Map(), lines: 0 };
  for await (const text of readline.createInterface({ input, crlfDelay: Infinity })) {
    if (text.trim() === '') continue;
    let line: ManifestLine;
    try {
      line = JSON.parse(text) as ManifestLine;
    } catch {
      continue; // a line cut by a crash mid-append: what it would have added is not present
    }
    state.lines++;
    if (line.op === 'folder') state.folder ??= line.folder;
    else if (line.op === 'add') state.messages.set(line.uid, line);
    else if (line.op === 'flags') {
      const m = state.messages.get(line.uid);
      if (m) state.messages.set(line.uid, { ...m, flags: line.flags });
    }
  }
  return state;
}

/**
 * What the folder lines at the head of a manifest say, read only up to the first message line: the folder's
 * full path, and whether it is a mailbox folder (a container made for a child that has had no message and no
 * folder line of its own). Undefined when the directory has no manifest.
 */
export async function readFolderHead(
  dir: string,
): Promise<{ folder?: string[]; selectable: boolean } | undefined> {
  let input: fs.ReadStream;
  try {
    await fsp.access(manifestPath(dir));
    input = fs.createReadStream(manifestPath(dir), { highWaterMark: 16 * 1024 });
  } catch {
    return undefined;
  }
  const head: { folder?: string[]; selectable: boolean } = { selectable: true };
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const text of lines) {
      let line: ManifestLine;
      try {
        line = JSON.parse(text) as ManifestLine;
      } catch {
        continue;
      }
      if (line.op !== 'folder') {
        head.selectable = true;
        break;
      }
      head.folder ??= line.folder;
      head.selectable = line.selectable !== false;
    }
  } finally {
    lines.close();
    input.destroy();
  }
  return head;
}

/**
 * Append lines and fsync. A line is written whole with one write; a line cut by a crash is skipped on read,
 * and a newline goes first when the file does not end in one, so a cut line never swallows the next.
 */
export async function appendManifest(dir: string, lines: ManifestLine[]): Promise<void> {
  await appendLines(manifestPath(dir), lines);
}

/** Append JSON lines to a file and fsync it, as appendManifest does (the groupware manifest uses it too). */
export async function appendLines(target: string, lines: readonly object[]): Promise<void> {
  const file = await fsp.open(target, 'a+');
  try {
    const { size } = await file.stat();
    let lead = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await file.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) lead = '\n';
    }
    await file.appendFile(lead + lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    await file.sync();
  } finally {
    await file.close();
  }
}
