/**
 * Streams the `raw` field (base64url RFC 5322 bytes) out of a messages.get?format=raw answer without holding
 * the JSON as one string: the bytes of the raw value are decoded as they arrive and handed on; the other
 * fields (id, labelIds, internalDate...) are kept and parsed at the end. A small JSON tokenizer tells the
 * top-level "raw" key from the same text inside a string value.
 */
import type { Readable } from 'node:stream';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Receives decoded bytes; may return a promise to apply backpressure. */
export type PartSink = (part: Buffer) => void | Promise<void>;

/** Read a format=raw answer: decoded message bytes go to `sink`; resolves with the other fields. */
export async function readRawAnswer(
  res: Readable,
  sink: PartSink,
): Promise<Record<string, unknown> & { rawBytes: number }> {
  const rest: number[] = [];
  let depth = 0;
  let inString = false;
  let escape = false;
  let key: number[] | undefined; // bytes of a top-level key being read
  let expectKey = false;
  let state: 'json' | 'colon' | 'open' | 'raw' = 'json';
  let carry = '';
  let rawBytes = 0;
  const emit = async (text: string, final: boolean) => {
    carry += text;
    const usable = final ? carry.length : carry.length - (carry.length % 4);
    if (usable === 0) return;
    const part = Buffer.from(carry.slice(0, usable), 'base64url');
    carry = carry.slice(usable);
    rawBytes += part.length;
    if (part.length) await sink(part);
  };
  for await (const chunk of res as AsyncIterable<Buffer>) {
    let i = 0;
    while (i < chunk.length) {
      if (state === 'raw') {
        const end = chunk.indexOf(QUOTE, i);
        await emit(chunk.toString('latin1', i, end < 0 ? chunk.length : end), end >= 0);
        if (end < 0) break;
        state = 'json';
        i = end + 1;
        continue;
      }
      const c = chunk[i++]!;
      if (state === 'colon' || state === 'open') {
        if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
        if (state === 'colon' && c === 0x3a) {
          state = 'open';
          continue;
        }
        if (state === 'open' && c === QUOTE) {
          rest.push(0x3a, QUOTE, QUOTE); // keep the key with an empty value: `"raw":""`
          state = 'raw';
          continue;
        }
        throw new Error('the raw field is not a string');
      }
      rest.push(c);
      if (inString) {
        if (escape) escape = false;
        else if (c === BACKSLASH) escape = true;
        else if (c === QUOTE) {
          inString = false;
          if (key && String.fromCharCode(...key) === 'raw') state = 'colon';
          key = undefined;
        } else key?.push(c);
        continue;
      }
      if (c === QUOTE) {
        inString = true;
        if (depth === 1 && expectKey) key = [];
        expectKey = false;
      } else if (c === 0x7b || c === 0x5b) {
        depth++;
        expectKey = c === 0x7b && depth === 1;
      } else if (c === 0x7d || c === 0x5d) depth--;
      else if (c === 0x2c && depth === 1) expectKey = true;
    }
  }
  if (state === 'raw') throw new Error('the answer ended inside the raw field');
  const meta = JSON.parse(Buffer.from(rest).toString('utf8')) as Record<string, unknown>;
  return { ...meta, rawBytes };
}
