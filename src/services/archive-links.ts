/**
 * Checking the links of an archive's hash chain (archive-chain.ts): which lines were changed, removed or
 * moved, and the head the chain ends in. Used before an archive run adds to a chain, and by verify.
 */
import { CHAIN_FILE, GENESIS, linkHash, type ChainLine, type ReadLine } from './archive-chain.js';

/** Something wrong with the chain itself. */
export interface LinkFinding {
  kind: 'line-unreadable' | 'line-altered' | 'lines-removed' | 'lines-reordered';
  /** The line number in the chain file. */
  line: number;
  detail: string;
}

/** What the links say. */
export interface LinkCheck {
  findings: LinkFinding[];
  /** The last readable line's hash (GENESIS for an empty chain). */
  head: string;
  /** The readable lines, in file order. */
  lines: ChainLine[];
  /** Each readable line's hash → its number n. */
  hashes: Map<string, number>;
}

/**
 * Check every line's own hash, its link to the line numbered before it, and the order of the numbers: a line
 * changed, a line whose predecessor was changed, lines missing from the numbering, lines out of place.
 */
export function checkLinks(read: ReadLine[]): LinkCheck {
  const findings: LinkFinding[] = [];
  const lines: ChainLine[] = [];
  const hashes = new Map<string, number>();
  const byN = new Map<number, ChainLine>();
  for (const r of read) if (r.line && !byN.has(r.line.n)) byN.set(r.line.n, r.line);
  let highest = 0;
  let afterUnreadable = false;
  for (const r of read) {
    const at = `Line ${r.at} of ${CHAIN_FILE}`;
    if (!r.line) {
      findings.push({
        kind: 'line-unreadable',
        line: r.at,
        detail: `${at} ${r.problem ?? 'is unreadable'}.`,
      });
      afterUnreadable = true;
      continue;
    }
    const line = r.line;
    if (r.problem)
      findings.push({ kind: 'line-altered', line: r.at, detail: `${at} (n=${line.n}) ${r.problem}.` });
    else if (linkHash(line.prev, line) !== line.hash)
      findings.push({
        kind: 'line-altered',
        line: r.at,
        detail: `${at} (n=${line.n}, ${line.path}) no longer matches its own hash: it was changed after it was written.`,
      });
    const before = line.n === 1 ? GENESIS : byN.get(line.n - 1)?.hash;
    if (before !== undefined && line.prev !== before)
      findings.push({
        kind: 'line-altered',
        line: r.at,
        detail: `${at} (n=${line.n}) does not link to line n=${line.n - 1}: that line's hash or this line's prev was changed.`,
      });
    if (line.n <= highest)
      findings.push({
        kind: 'lines-reordered',
        line: r.at,
        detail: `${at} (n=${line.n}) stands after n=${highest}: lines were moved (or copied).`,
      });
    else if (line.n > highest + 1) {
      const gone = Array.from({ length: line.n - highest - 1 }, (_, i) => highest + 1 + i).filter(
        (n) => !byN.has(n),
      );
      if (gone.length && !(afterUnreadable && gone.length === 1))
        findings.push({
          kind: 'lines-removed',
          line: r.at,
          detail: `${at} (n=${line.n}) follows n=${highest}: ${gone.length === 1 ? `line n=${gone[0]} was` : `${gone.length} lines (n=${gone[0]}…${gone.at(-1)}) were`} removed.`,
        });
    }
    afterUnreadable = false;
    lines.push(line);
    hashes.set(line.hash, line.n);
    highest = Math.max(highest, line.n);
  }
  return { findings, head: byN.get(highest)?.hash ?? GENESIS, lines, hashes };
}
