/**
 * Archiving a mailbox's filters (item type `filters`, connectors/filters-contract.ts) into its filters/
 * directory. A system that keeps Sieve scripts gives every script byte for byte (`scripts/<name>.sieve`);
 * any other gives its neutral FilterSet as JSON (`rules.json`). Files are never replaced: a script whose
 * bytes changed at the source gets a new version file beside the old one, and `manifest.jsonl` (append-only)
 * says which file is which script's latest version, which one is active and which left the source.
 */
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { FilterEndpoint } from '../connectors/filters-contract.js';
import { throwIfAborted } from '../errors.js';
import { MANIFEST, rulesFile, scriptFile } from './archive-layout.js';

/** A line of filters/manifest.jsonl. */
export type FiltersLine =
  | { op: 'script'; name: string; file: string; size: number; sha256: string; active: boolean; time: string }
  /** The script is no longer at the source (its files stay). */
  | { op: 'script-gone'; name: string; time: string }
  | { op: 'rules'; file: string; size: number; sha256: string; time: string };

/** What one run did with a mailbox's filters. */
export interface FiltersArchived {
  form: 'scripts' | 'rules';
  /** Files written (relative to filters/). */
  written: string[];
  /** Scripts (or the rule set) already archived as they are. */
  unchanged: number;
  /** Scripts that left the source since the last run. */
  gone: number;
}

interface State {
  scripts: Map<string, { file: string; sha256: string; active: boolean; gone: boolean }>;
  versions: Map<string, number>;
  rules?: { sha256: string };
  ruleVersions: number;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function readState(dir: string): Promise<State> {
  const state: State = { scripts: new Map(), versions: new Map(), ruleVersions: 0 };
  let text = '';
  try {
    text = await fsp.readFile(path.join(dir, MANIFEST), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  for (const t of text.split('\n')) {
    if (!t.trim()) continue;
    let l: FiltersLine;
    try {
      l = JSON.parse(t) as FiltersLine;
    } catch {
      continue; // a line cut by a crash: what it would have said is written again
    }
    if (l.op === 'script') {
      const known = state.scripts.get(l.name);
      if (known?.file !== l.file) state.versions.set(l.name, (state.versions.get(l.name) ?? 0) + 1);
      state.scripts.set(l.name, { file: l.file, sha256: l.sha256, active: l.active, gone: false });
    } else if (l.op === 'script-gone') {
      const known = state.scripts.get(l.name);
      if (known) known.gone = true;
    } else if (l.op === 'rules') {
      state.rules = { sha256: l.sha256 };
      state.ruleVersions++;
    }
  }
  return state;
}

/**
 * Write `content` as a new file under `dir` at the first free version from `version` on (a file a crash left
 * with the same bytes is taken as written). Returns the relative file name.
 */
async function writeNew(
  dir: string,
  name: (version: number) => string,
  version: number,
  content: Buffer,
): Promise<string> {
  for (let v = version; ; v++) {
    const rel = name(v);
    const file = path.join(dir, rel);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    let h: fsp.FileHandle;
    try {
      h = await fsp.open(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if ((await fsp.readFile(file)).equals(content)) return rel;
      continue;
    }
    try {
      await h.writeFile(content);
      await h.sync();
    } finally {
      await h.close();
    }
    return rel;
  }
}

async function appendLines(dir: string, lines: FiltersLine[]): Promise<void> {
  if (!lines.length) return;
  const h = await fsp.open(path.join(dir, MANIFEST), 'a');
  try {
    await h.appendFile(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Archive what `endpoint` holds into `dir` (the mailbox's filters/ directory); only what changed is written. */
export async function archiveFilters(
  endpoint: FilterEndpoint,
  dir: string,
  now: Date,
  signal?: AbortSignal,
): Promise<FiltersArchived> {
  await fsp.mkdir(dir, { recursive: true });
  const state = await readState(dir);
  const time = now.toISOString();
  const lines: FiltersLine[] = [];
  const written: string[] = [];
  let unchanged = 0;
  if (endpoint.capabilities.scripts && endpoint.listScripts && endpoint.readScript) {
    const listed = await endpoint.listScripts(signal);
    for (const { name, active } of listed) {
      throwIfAborted(signal);
      const content = await endpoint.readScript(name, signal);
      const hash = sha(content);
      const known = state.scripts.get(name);
      if (known && known.sha256 === hash && known.active === active && !known.gone) {
        unchanged++;
        continue;
      }
      let file = known?.sha256 === hash ? known.file : undefined;
      if (!file) {
        file = await writeNew(dir, (v) => scriptFile(name, v), (state.versions.get(name) ?? 0) + 1, content);
        written.push(file);
      }
      lines.push({ op: 'script', name, file, size: content.length, sha256: hash, active, time });
    }
    const names = new Set(listed.map((s) => s.name));
    const gone = [...state.scripts].filter(([name, s]) => !s.gone && !names.has(name));
    for (const [name] of gone) lines.push({ op: 'script-gone', name, time });
    await appendLines(dir, lines);
    return { form: 'scripts', written, unchanged, gone: gone.length };
  }
  const set = await endpoint.readRules(signal);
  const content = Buffer.from(`${JSON.stringify(set, null, 2)}\n`, 'utf8');
  const hash = sha(content);
  if (state.rules?.sha256 === hash) return { form: 'rules', written, unchanged: 1, gone: 0 };
  const file = await writeNew(dir, rulesFile, state.ruleVersions + 1, content);
  written.push(file);
  await appendLines(dir, [{ op: 'rules', file, size: content.length, sha256: hash, time }]);
  return { form: 'rules', written, unchanged, gone: 0 };
}
