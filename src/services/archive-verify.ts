/**
 * `cutover verify --archive DIR`: re-hash every file the chain names, check every link, find files the
 * chain does not name, and compare the head with the one expected (`--expect-head`, else the head file).
 * The archive holds only when nothing is found.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { InvalidInputError, NotFoundError, throwIfAborted } from '../errors.js';
import {
  CHAIN_FILE,
  GENESIS,
  HEAD_FILE,
  isHash,
  readChain,
  readHead,
  type ChainLine,
} from './archive-chain.js';
import { hashFile, prefixHashes } from './archive-hash.js';
import { checkLinks, type LinkFinding } from './archive-links.js';

/** One thing that does not hold. */
export interface ArchiveFinding {
  kind:
    | LinkFinding['kind']
    | 'file-changed'
    | 'file-missing'
    | 'file-grown'
    | 'not-in-chain'
    | 'head-mismatch'
    | 'head-missing';
  /** The file, relative to the archive directory. */
  path?: string;
  /** The chain file's line number. */
  line?: number;
  detail: string;
}

/** What verification found. */
export interface ArchiveVerification {
  archive: string;
  holds: boolean;
  /** Chain lines read, and distinct files they name. */
  lines: number;
  files: number;
  /** The head the chain ends in. */
  head: string;
  /** The head it was checked against, and where that came from. */
  expectedHead?: string;
  expectedFrom: 'expect-head' | 'head-file' | 'none';
  /** Lines after the expected head (a head kept from an earlier run: later runs added them). */
  linesAfterExpected?: number;
  findings: ArchiveFinding[];
}

const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** The value, or undefined when the file is not there; any other failure is thrown. */
async function unlessMissing<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (missing(err)) return undefined;
    throw err;
  }
}

/** Check one file against the chain lines that name it. */
async function checkFile(dir: string, p: string, lines: ChainLine[]): Promise<ArchiveFinding[]> {
  const file = path.join(dir, p);
  const last = lines.at(-1)!;
  const gone = {
    kind: 'file-missing' as const,
    path: p,
    detail: `${p} is missing (chain line n=${last.n}).`,
  };
  if (!last.append) {
    const got = await unlessMissing(hashFile(file));
    if (!got) return [gone];
    return lines
      .filter((l) => l.size !== got.size || l.sha256 !== got.sha256)
      .map((l) => ({
        kind: 'file-changed' as const,
        path: p,
        detail:
          l.size !== got.size
            ? `${p} is ${got.size} bytes; chain line n=${l.n} recorded ${l.size}.`
            : `${p} does not have the SHA-256 chain line n=${l.n} recorded: its content was changed.`,
      }));
  }
  const got = await unlessMissing(
    prefixHashes(
      file,
      lines.map((l) => l.size),
    ),
  );
  if (!got) return [gone];
  for (const l of lines) {
    const h = got.hashes.get(l.size);
    if (h === l.sha256) continue;
    return [
      {
        kind: 'file-changed',
        path: p,
        detail:
          h === undefined
            ? `${p} is ${got.size} bytes, shorter than the ${l.size} chain line n=${l.n} recorded: it was cut.`
            : `The first ${l.size} bytes of ${p} are not those chain line n=${l.n} recorded: earlier lines of it were changed.`,
      },
    ];
  }
  if (got.size > last.size)
    return [
      {
        kind: 'file-grown',
        path: p,
        detail: `${p} has ${got.size - last.size} bytes after the ${last.size} the chain recorded (line n=${last.n}): written outside an archive run.`,
      },
    ];
  return [];
}

/** Every file under `dir` (symbolic links included, not followed), relative with `/`. */
async function filesUnder(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  const entries = await fsp.readdir(path.join(root, rel), { withFileTypes: true });
  for (const e of entries) {
    const p = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(root, p)));
    else out.push(p);
  }
  return out;
}

/** Run `fn` over `items`, `width` at a time, results in order. */
async function pooled<T, R>(items: T[], width: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/** Verify the archive in `dir`; `expectHead` is the head kept elsewhere (else the head file is used). */
export async function verifyArchive(
  dir: string,
  opts: { expectHead?: string; signal?: AbortSignal } = {},
): Promise<ArchiveVerification> {
  const expect = opts.expectHead?.trim().toLowerCase();
  if (expect !== undefined && !isHash(expect))
    throw new InvalidInputError(
      `--expect-head ${opts.expectHead} is not a head: a head is 64 hexadecimal digits.`,
      'Give the head `cutover archive` printed (also in archive-head.txt after the run).',
    );
  const read = await unlessMissing(readChain(dir));
  if (!read)
    throw new NotFoundError(
      `${dir} has no ${CHAIN_FILE}: it is not an archive, or its chain was removed.`,
      'Name the directory `cutover archive --archive-dir` wrote; if the chain was removed, restore the archive from a copy.',
    );
  const links = checkLinks(read);
  const findings: ArchiveFinding[] = [...links.findings];

  const byPath = new Map<string, ChainLine[]>();
  for (const l of links.lines) byPath.set(l.path, [...(byPath.get(l.path) ?? []), l]);
  const checked = await pooled([...byPath], 4, async ([p, lines]) => {
    throwIfAborted(opts.signal);
    return checkFile(dir, p, lines);
  });
  findings.push(...checked.flat());

  for (const p of await filesUnder(dir))
    if (!byPath.has(p) && p !== CHAIN_FILE && p !== HEAD_FILE)
      findings.push({
        kind: 'not-in-chain',
        path: p,
        detail: `${p} is in the archive but not in its chain: it was added outside an archive run, or its line was removed.`,
      });

  const file = await readHead(dir);
  if (!file)
    findings.push({
      kind: 'head-missing',
      path: HEAD_FILE,
      detail: `${HEAD_FILE} is missing: the chain's end (${links.head}) cannot be compared with it.`,
    });
  else if (file.head !== links.head)
    findings.push({
      kind: 'head-mismatch',
      path: HEAD_FILE,
      detail:
        file.head && links.hashes.has(file.head)
          ? `${HEAD_FILE} names line n=${links.hashes.get(file.head)}, but the chain goes on to n=${links.lines.at(-1)?.n}: a run stopped before it wrote the head, or lines were added to the chain.`
          : `${HEAD_FILE} names ${file.head ?? JSON.stringify(file.text.trim())}, which is not in the chain: lines at its end were removed, or the chain was rewritten.`,
    });

  const result: ArchiveVerification = {
    archive: dir,
    holds: false,
    lines: read.length,
    files: byPath.size,
    head: links.head,
    expectedFrom: expect ? 'expect-head' : file?.head ? 'head-file' : 'none',
    findings,
  };
  if (expect) {
    result.expectedHead = expect;
    const at = expect === GENESIS ? 0 : links.hashes.get(expect);
    if (at === undefined)
      findings.push({
        kind: 'head-mismatch',
        detail: `The head you expect (${expect}) is not in the chain, which ends in ${links.head}: lines at its end were removed, or the chain was rewritten.`,
      });
    else result.linesAfterExpected = (links.lines.at(-1)?.n ?? 0) - at;
  } else if (file?.head) result.expectedHead = file.head;
  result.holds = findings.length === 0;
  return result;
}
