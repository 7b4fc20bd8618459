/**
 * SHA-256 of archived files, streamed: a whole file, or for a file that only grows (a manifest) the hash of
 * each of several prefixes in one read.
 */
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';

/** Size and SHA-256 of a file's first `limit` bytes (default: all of it). */
export async function hashFile(file: string, limit?: number): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256');
  let size = 0;
  const input = fs.createReadStream(file, limit === undefined ? {} : { end: limit - 1 });
  if (limit !== 0)
    for await (const chunk of input) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  else input.destroy();
  return { size, sha256: hash.digest('hex') };
}

/**
 * The SHA-256 of the file's first `n` bytes for each `n` in `sizes`, and the file's whole size; a size beyond
 * the end of the file gets no hash.
 */
export async function prefixHashes(
  file: string,
  sizes: number[],
): Promise<{ size: number; hashes: Map<number, string> }> {
  const wanted = [...new Set(sizes)].sort((a, b) => a - b);
  const hashes = new Map<number, string>();
  const hash: Hash = createHash('sha256');
  let at = 0;
  let next = 0;
  const mark = () => {
    while (next < wanted.length && wanted[next] === at)
      hashes.set(wanted[next++]!, hash.copy().digest('hex'));
  };
  mark();
  for await (const chunk of fs.createReadStream(file)) {
    let buf = chunk as Buffer;
    while (buf.length) {
      const stop = next < wanted.length ? wanted[next]! - at : buf.length;
      const take = Math.min(stop, buf.length);
      hash.update(buf.subarray(0, take));
      at += take;
      buf = buf.subarray(take);
      mark();
    }
  }
  return { size: at, hashes };
}
