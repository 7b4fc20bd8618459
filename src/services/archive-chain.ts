/**
 * The hash chain of a compliance archive (`DIR/archive-chain.jsonl`), one JSON line per archived file:
 *
 *   {"n":1,"mailbox":"alice","path":"alice/mail/INBOX/1.eml","size":812,"sha256":"…","time":"…","prev":"…","hash":"…"}
 *
 * - `n` counts lines from 1; `path` is relative to DIR with `/` between levels; `sha256` is the file's.
 * - `append: true` marks a file that only ever grows (a manifest): `size` and `sha256` then cover its first
 *   `size` bytes, and a later line for the same path records it longer. Every other file has one line.
 * - `hash` = SHA-256 (hex) of `prev`, a newline, and the line's canonical content: the JSON of n, mailbox,
 *   path, size, sha256, time (and append) in that order, without spaces. `prev` is the previous line's
 *   `hash`; the first line's is GENESIS. A line is written exactly as `serialize` makes it.
 * - The head is the last line's `hash` (GENESIS for an empty chain), also written to `DIR/archive-head.txt`.
 *   A chain can show that a line was changed, removed or moved, but not that its last lines were cut off:
 *   only a head kept elsewhere can.
 */
import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** The chain file's name in the archive directory. */
export const CHAIN_FILE = 'archive-chain.jsonl';
/** The file holding the head after each run. */
export const HEAD_FILE = 'archive-head.txt';
/** What the first line's `prev` is: 64 zeros. */
export const GENESIS = '0'.repeat(64);

/** What one line says about one file (everything but the links). */
export interface ChainEntry {
  n: number;
  /** The mailbox (source login) the file belongs to. */
  mailbox: string;
  /** Relative to the archive directory, `/` between levels. */
  path: string;
  size: number;
  sha256: string;
  /** When the line was written, ISO 8601. */
  time: string;
  /** The file only grows: size and sha256 cover its first `size` bytes. */
  append?: true;
}

/** A line as stored: the entry and its links. */
export interface ChainLine extends ChainEntry {
  prev: string;
  hash: string;
}

/** The canonical content a line's hash covers. */
export function canonical(e: ChainEntry): string {
  const { n, mailbox, path: p, size, sha256, time } = e;
  return JSON.stringify({ n, mailbox, path: p, size, sha256, time, ...(e.append ? { append: true } : {}) });
}

/** SHA-256 over the previous hash, a newline and the canonical content. */
export function linkHash(prev: string, e: ChainEntry): string {
  return createHash('sha256')
    .update(`${prev}\n${canonical(e)}`, 'utf8')
    .digest('hex');
}

/** The entry linked after `prev`. */
export function link(prev: string, e: ChainEntry): ChainLine {
  return { ...entryOf(e), prev, hash: linkHash(prev, e) };
}

/** The text of a line (no newline): the canonical content with prev and hash added at the end. */
export function serialize(line: ChainLine): string {
  return `${canonical(line).slice(0, -1)},"prev":${JSON.stringify(line.prev)},"hash":${JSON.stringify(line.hash)}}`;
}

function entryOf(e: ChainEntry): ChainEntry {
  const { n, mailbox, path: p, size, sha256, time } = e;
  return { n, mailbox, path: p, size, sha256, time, ...(e.append ? { append: true as const } : {}) };
}

const HEX64 = /^[0-9a-f]{64}$/;

/** A line of the chain file read back: its line number, text, and the line when it is one. */
export interface ReadLine {
  /** 1-based line number in the file. */
  at: number;
  text: string;
  line?: ChainLine;
  /** Why the text is not a chain line. */
  problem?: string;
}

/** Parse one line's text; a line that parses but is not exactly as serialize writes it is a problem too. */
export function parseLine(text: string, at: number): ReadLine {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { at, text, problem: 'is not JSON' };
  }
  const o = v as Partial<Record<keyof ChainLine, unknown>>;
  const ok =
    typeof v === 'object' &&
    v !== null &&
    Number.isSafeInteger(o.n) &&
    typeof o.mailbox === 'string' &&
    typeof o.path === 'string' &&
    Number.isSafeInteger(o.size) &&
    typeof o.sha256 === 'string' &&
    typeof o.time === 'string' &&
    (o.append === undefined || o.append === true) &&
    typeof o.prev === 'string' &&
    HEX64.test(o.prev) &&
    typeof o.hash === 'string' &&
    HEX64.test(o.hash);
  if (!ok) return { at, text, problem: 'lacks a field of a chain line or has one of the wrong type' };
  const line = { ...entryOf(o as ChainEntry), prev: o.prev as string, hash: o.hash as string };
  if (serialize(line) !== text) return { at, text, line, problem: 'is not in the canonical form' };
  return { at, text, line };
}

/** Every line of the chain file (empty lines left out); undefined when the directory has no chain file. */
export async function readChain(dir: string): Promise<ReadLine[] | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(dir, CHAIN_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const out: ReadLine[] = [];
  text.split('\n').forEach((t, i) => {
    if (t.trim() !== '') out.push(parseLine(t, i + 1));
  });
  return out;
}

/** Append lines to the chain file and fsync (the file is made on the first run). */
export async function appendChain(dir: string, lines: ChainLine[]): Promise<void> {
  if (!lines.length) return;
  const file = await fsp.open(path.join(dir, CHAIN_FILE), 'a');
  try {
    await file.appendFile(lines.map((l) => `${serialize(l)}\n`).join(''));
    await file.sync();
  } finally {
    await file.close();
  }
}

/** Replace the head file (temporary file, fsync, rename). */
export async function writeHead(dir: string, head: string): Promise<void> {
  const tmp = path.join(dir, `.${HEAD_FILE}.tmp`);
  const file = await fsp.open(tmp, 'w');
  try {
    await file.writeFile(`${head}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await fsp.rename(tmp, path.join(dir, HEAD_FILE));
}

/** The head the head file names, its text when it is not a hash, or undefined when there is no head file. */
export async function readHead(dir: string): Promise<{ head?: string; text: string } | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(dir, HEAD_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const head = text.trim().toLowerCase();
  return HEX64.test(head) ? { head, text } : { text };
}

/** Whether a string is a head (64 hex digits). */
export const isHash = (s: string): boolean => HEX64.test(s);
