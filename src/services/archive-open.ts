/**
 * Opening an archive directory for a run: a new (or empty) directory starts a chain; an existing chain is
 * added to only while it is as the last run left it — its links intact, the head file at (or behind) its end,
 * and its manifests exactly as long as the chain recorded them. Otherwise the run is refused: a file put into
 * a changed archive would be chained as if the archive had written it.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { ConflictError } from '../errors.js';
import { CHAIN_FILE, GENESIS, HEAD_FILE, readChain, readHead, type ChainLine } from './archive-chain.js';
import { checkLinks } from './archive-links.js';
import type { ChainTail } from './archive-seal.js';

/** An archive open for a run: where its chain ends, and what a person should know. */
export interface OpenedArchive {
  tail: ChainTail;
  warnings: string[];
}

const verifyHint = (dir: string) =>
  `Run \`cutover verify --archive ${dir}\` to see everything that changed. A changed archive is not added to: restore it from a copy, or archive into a new directory.`;

/** Check the archive directory (made when missing) and return where its chain ends. */
export async function openArchive(dir: string): Promise<OpenedArchive> {
  await fsp.mkdir(dir, { recursive: true });
  const read = await readChain(dir);
  if (!read) {
    const entries = await fsp.readdir(dir);
    if (entries.length)
      throw new ConflictError(
        `${dir} holds files (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}) but no ${CHAIN_FILE}: it is not an archive Cutover made.`,
        'Archive into a new or empty directory, or into the directory of an earlier `cutover archive`.',
      );
    return { tail: { head: GENESIS, n: 0, latest: new Map() }, warnings: [] };
  }
  const links = checkLinks(read);
  if (links.findings.length)
    throw new ConflictError(
      `The chain of ${dir} was changed after it was written: ${links.findings[0]!.detail}${links.findings.length > 1 ? ` (and ${links.findings.length - 1} more)` : ''}`,
      verifyHint(dir),
    );
  const warnings: string[] = [];
  const file = await readHead(dir);
  if (file?.head !== links.head) {
    const behind = file?.head === undefined ? undefined : links.hashes.get(file.head);
    if (file && behind === undefined)
      throw new ConflictError(
        `${HEAD_FILE} in ${dir} names a head that is not in its chain.`,
        verifyHint(dir),
      );
    warnings.push(
      `${file ? `${HEAD_FILE} names line n=${behind}, behind the end of the chain (n=${links.lines.at(-1)?.n ?? 0})` : `${HEAD_FILE} is missing`}: a run stopped before it wrote the head, or the file was changed. Check the chain against the head you kept: cutover verify --archive ${dir} --expect-head HEAD.`,
    );
  }
  const latest = new Map<string, ChainLine>();
  for (const line of links.lines) latest.set(line.path, line);
  for (const line of latest.values()) {
    if (!line.append) continue;
    const size = await fsp.stat(path.join(dir, line.path)).then(
      (s) => s.size,
      () => undefined,
    );
    if (size !== line.size)
      throw new ConflictError(
        size === undefined
          ? `${line.path} in ${dir} is gone.`
          : `${line.path} in ${dir} is ${size} bytes long; the chain recorded ${line.size}: it was written to outside an archive run.`,
        verifyHint(dir),
      );
  }
  const last = links.lines.at(-1);
  return { tail: { head: links.head, n: last?.n ?? 0, latest }, warnings };
}
