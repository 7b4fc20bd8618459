/**
 * The archive's hash chain as a format (no server): the canonical line and its hash, the genesis value, and
 * what the link check names when a line is changed, relinked, removed or moved; prefix hashes of a file that
 * only grows.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  GENESIS,
  link,
  parseLine,
  serialize,
  type ChainEntry,
  type ChainLine,
} from '../../src/services/archive-chain.js';
import { prefixHashes } from '../../src/services/archive-hash.js';
import { checkLinks } from '../../src/services/archive-links.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const entry = (n: number): ChainEntry => ({
  n,
  mailbox: 'alice',
  path: `alice/mail/INBOX/${n}.eml`,
  size: 100 + n,
  sha256: sha(String(n)),
  time: '2026-01-02T03:04:05.000Z',
});
function chain(count: number): ChainLine[] {
  const out: ChainLine[] = [];
  for (let n = 1; n <= count; n++) out.push(link(out.at(-1)?.hash ?? GENESIS, entry(n)));
  return out;
}
const read = (lines: ChainLine[]) => lines.map((l, i) => parseLine(serialize(l), i + 1));

describe('archive chain', () => {
  test('a line is its canonical JSON plus prev and hash; the hash covers prev, a newline and the canonical JSON', () => {
    const [first] = chain(1);
    const text = serialize(first!);
    assert.equal(
      text,
      `{"n":1,"mailbox":"alice","path":"alice/mail/INBOX/1.eml","size":101,"sha256":"${sha('1')}","time":"2026-01-02T03:04:05.000Z","prev":"${GENESIS}","hash":"${first!.hash}"}`,
    );
    const content = text.slice(0, text.indexOf(',"prev"')) + '}';
    assert.equal(first!.hash, sha(`${GENESIS}\n${content}`));
    assert.deepEqual(parseLine(text, 1), { at: 1, text, line: first });
    const appended = link(first!.hash, { ...entry(2), append: true });
    assert.match(serialize(appended), /"append":true,"prev":/);
    assert.equal(parseLine(serialize(appended), 2).problem, undefined);
  });

  test('an intact chain has no findings and ends in its last hash', () => {
    const lines = chain(5);
    const c = checkLinks(read(lines));
    assert.deepEqual(c.findings, []);
    assert.equal(c.head, lines[4]!.hash);
    assert.equal(checkLinks([]).head, GENESIS);
  });

  test('a changed field, a relinked line, a spacing change: each named at its line', () => {
    const lines = chain(5);
    const r = read(lines);
    r[1] = parseLine(serialize({ ...lines[1]!, size: 999 }), 2);
    assert.deepEqual(
      checkLinks(r).findings.map((f) => [f.kind, f.line]),
      [['line-altered', 2]],
    );
    // The same change with its hash recomputed: the next line no longer links to it.
    const rehashed = link(lines[0]!.hash, { ...entry(2), size: 999 });
    const r2 = read(lines);
    r2[1] = parseLine(serialize(rehashed), 2);
    assert.deepEqual(
      checkLinks(r2).findings.map((f) => [f.kind, f.line]),
      [['line-altered', 3]],
    );
    const spaced = serialize(lines[2]!).replace('"n":3,', '"n": 3,');
    const r3 = read(lines);
    r3[2] = parseLine(spaced, 3);
    assert.deepEqual(
      checkLinks(r3).findings.map((f) => [f.kind, f.line]),
      [['line-altered', 3]],
    );
    const r4 = read(lines);
    r4[3] = parseLine('not json', 4);
    assert.deepEqual(
      checkLinks(r4).findings.map((f) => f.kind),
      ['line-unreadable'],
    );
  });

  test('removed lines and moved lines, each said once', () => {
    const lines = chain(8);
    const removed = read(lines).filter((_, i) => i !== 2 && i !== 3);
    const f = checkLinks(removed).findings;
    assert.deepEqual(
      f.map((x) => x.kind),
      ['lines-removed'],
    );
    assert.match(f[0]!.detail, /2 lines \(n=3…4\) were removed/);
    const moved = read(lines);
    [moved[4], moved[5]] = [moved[5]!, moved[4]!];
    assert.deepEqual(
      checkLinks(moved).findings.map((x) => x.kind),
      ['lines-reordered'],
    );
    // Cutting the end off leaves a chain that holds: only a head kept elsewhere shows it.
    const cut = checkLinks(read(lines.slice(0, 6)));
    assert.deepEqual(cut.findings, []);
    assert.notEqual(cut.head, lines[7]!.hash);
    assert.equal(cut.hashes.has(lines[7]!.hash), false);
  });

  test('prefix hashes of a growing file, in one read', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-prefix-')), 'manifest.jsonl');
    const text = 'a'.repeat(70_000) + 'b'.repeat(10);
    fs.writeFileSync(file, text);
    const { size, hashes } = await prefixHashes(file, [0, 5, 70_000, 70_010, 80_000]);
    assert.equal(size, 70_010);
    assert.equal(hashes.get(0), sha(''));
    assert.equal(hashes.get(5), sha('aaaaa'));
    assert.equal(hashes.get(70_000), sha(text.slice(0, 70_000)));
    assert.equal(hashes.get(70_010), sha(text));
    assert.equal(hashes.has(80_000), false);
  });
});
