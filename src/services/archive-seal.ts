/**
 * Adding what a run wrote for a mailbox to the hash chain. What was written is read from the manifests
 * themselves: every manifest (`manifest.jsonl`, the file connector's per folder and the filters' one) only
 * grows, so the bytes past the size the chain last recorded for it are this run's lines, and each line that
 * names a `file` names a file this run added. Those files get a line each, then the manifest a line at its new
 * size. A file no manifest names (one a crash left, one put there by hand) is never chained: verify reports it.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { link, type ChainLine } from './archive-chain.js';
import { hashFile } from './archive-hash.js';
import { MANIFEST } from './archive-layout.js';

/** Where the chain ends: its head, its last n, and the latest line of each path. */
export interface ChainTail {
  head: string;
  n: number;
  latest: Map<string, ChainLine>;
}

/** Every manifest under `dir`, as paths relative to `root` (`/` between levels), in a stable order. */
async function manifests(root: string, dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries: import('node:fs').Dirent[];
  try {
    entries = await fsp.readdir(path.join(root, dir), { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return out;
    throw err;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const rel = `${dir}/${e.name}`;
    if (e.isFile() && e.name === MANIFEST) out.push(rel);
    else if (e.isDirectory()) out.push(...(await manifests(root, rel)));
  }
  return out;
}

/** The `file` each complete JSON line of `text` names, in order. */
function filesNamed(text: string): string[] {
  const out: string[] = [];
  for (const t of text.split('\n').slice(0, -1)) {
    try {
      const v = JSON.parse(t) as { file?: unknown };
      if (typeof v.file === 'string') out.push(v.file);
    } catch {
      /* a line cut by a crash names nothing that is there */
    }
  }
  return out;
}

/**
 * Link a line for every file the mailbox directory's manifests added since the chain last recorded them, and
 * for each grown manifest; `tail` moves along. Returns the new lines, to be appended in order.
 */
export async function sealMailbox(
  root: string,
  mailboxDir: string,
  mailbox: string,
  tail: ChainTail,
  now: Date,
): Promise<ChainLine[]> {
  const lines: ChainLine[] = [];
  const time = now.toISOString();
  const add = (p: string, size: number, sha256: string, append: boolean) => {
    const line = link(tail.head, {
      n: tail.n + 1,
      mailbox,
      path: p,
      size,
      sha256,
      time,
      ...(append ? { append: true as const } : {}),
    });
    lines.push(line);
    tail.latest.set(p, line);
    tail.head = line.hash;
    tail.n = line.n;
  };
  for (const rel of await manifests(root, mailboxDir)) {
    const file = path.join(root, rel);
    const from = tail.latest.get(rel)?.size ?? 0;
    const { size } = await fsp.stat(file);
    if (size <= from) continue;
    const h = await fsp.open(file, 'r');
    const grown = Buffer.alloc(size - from);
    try {
      await h.read(grown, 0, grown.length, from);
    } finally {
      await h.close();
    }
    for (const name of filesNamed(grown.toString('utf8'))) {
      const p = path.posix.join(path.posix.dirname(rel), name);
      if (tail.latest.has(p)) continue; // a line about a file already chained (a flags change, a new active script)
      const f = await hashFile(path.join(root, p)).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined; // named, but removed before it was chained: nothing left to prove
        throw err;
      });
      if (f) add(p, f.size, f.sha256, false);
    }
    const m = await hashFile(file, size);
    add(rel, m.size, m.sha256, true);
  }
  return lines;
}
