/**
 * The POP3 multi-line decoder under adversarial chunkings: every split of the input into two and three
 * pieces, byte by byte, and random 1–3 byte pieces — stuffed dots, a body line that is just "..", and the
 * terminator split anywhere. Also the header sink and the body spool (memory and temp file).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { DotDecoder } from '../../src/connectors/pop3/dot-decoder.js';
import { HeaderSink } from '../../src/connectors/shared/header-sink.js';
import { BodySpool } from '../../src/connectors/shared/body-spool.js';

/** What a server sends for `body`: dot-stuffed, then the terminator. */
function encode(body: string): Buffer {
  const stuffed = body.replace(/(^|\n)\./g, '$1..');
  return Buffer.from(`${stuffed}.\r\n`, 'latin1');
}

/** Decode `wire` fed in pieces of these sizes; returns the data and the bytes after the terminator. */
function decode(wire: Buffer, sizes: number[]): { data: string; rest: string | undefined } {
  const d = new DotDecoder();
  const out: Buffer[] = [];
  let pos = 0;
  let rest: Buffer | undefined;
  for (const n of sizes) {
    const piece = wire.subarray(pos, pos + n);
    pos += n;
    if (rest) {
      rest = Buffer.concat([rest, piece]);
      continue;
    }
    rest = d.push(piece, (p) => out.push(Buffer.from(p)));
  }
  return { data: Buffer.concat(out).toString('latin1'), rest: rest?.toString('latin1') };
}

/** Every way to cut `len` bytes into pieces at up to two cut points, plus 1-byte and random 1–3-byte pieces. */
function* chunkings(len: number, seed = 7): Generator<number[]> {
  yield [len];
  yield Array.from({ length: len }, () => 1);
  for (let a = 1; a < len; a++) {
    yield [a, len - a];
    for (let b = a + 1; b < len; b++) yield [a, b - a, len - b];
  }
  let x = seed;
  for (let r = 0; r < 50; r++) {
    const sizes: number[] = [];
    for (let left = len; left > 0;) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      const n = Math.min(left, 1 + (x % 3));
      sizes.push(n);
      left -= n;
    }
    yield sizes;
  }
}

const BODIES: Array<[string, string]> = [
  ['empty', ''],
  ['one line', 'hello\r\n'],
  ['a line that is one dot', '.\r\n'],
  ['a line that is two dots', '..\r\n'],
  ['dots everywhere', '.first\r\nmid.dle\r\n.\r\n..\r\n...\r\nend.\r\n.'.concat('\r\n')],
  ['terminator-like text inside', 'a\r\n.\r\nb\r\n'],
  ['a dot right after the headers', 'Subject: x\r\n\r\n.body\r\n'],
];

describe('DotDecoder', () => {
  for (const [name, body] of BODIES) {
    test(`${name}: exact under every chunking, next reply kept`, () => {
      const wire = Buffer.concat([encode(body), Buffer.from('+OK next\r\n')]);
      let runs = 0;
      for (const sizes of chunkings(wire.length)) {
        const got = decode(wire, sizes);
        assert.equal(got.data, body, `chunking ${sizes.join(',')}`);
        assert.equal(got.rest, '+OK next\r\n', `chunking ${sizes.join(',')}`);
        runs++;
      }
      assert.ok(runs > wire.length);
    });
  }

  test('waits for more while the terminator is incomplete', () => {
    const d = new DotDecoder();
    const out: string[] = [];
    const emit = (p: Buffer) => out.push(p.toString('latin1'));
    assert.equal(d.push(Buffer.from('x\r\n'), emit), undefined);
    assert.equal(d.push(Buffer.from('.'), emit), undefined);
    assert.equal(d.push(Buffer.from('\r'), emit), undefined);
    assert.equal(d.done, false);
    assert.equal(d.push(Buffer.from('\n'), emit)?.length, 0);
    assert.equal(d.done, true);
    assert.equal(out.join(''), 'x\r\n');
  });

  test('".\\r" without "\\n" is data, not an end', () => {
    const got = decode(Buffer.from('.\rX\r\n.\r\n', 'latin1'), [1, 1, 1, 6]);
    assert.equal(got.data, '\rX\r\n');
    assert.equal(got.rest, '');
  });

  test('hands on slices of the input, not copies, for long runs', () => {
    const line = Buffer.alloc(70_000, 0x41);
    const wire = Buffer.concat([line, Buffer.from('\r\n.\r\n')]);
    const parts: Buffer[] = [];
    new DotDecoder().push(wire, (p) => parts.push(p));
    assert.equal(parts.length, 1);
    assert.equal(parts[0]!.buffer, wire.buffer);
  });
});

describe('HeaderSink', () => {
  test('keeps the header block through the empty line, however it is cut', () => {
    const headers = 'From: a\r\nSubject: b\r\n\r\n';
    const all = Buffer.from(`${headers}body line\r\n\r\nmore\r\n`);
    for (const sizes of chunkings(all.length)) {
      const s = new HeaderSink();
      let pos = 0;
      for (const n of sizes) s.write(all.subarray(pos, (pos += n)));
      assert.equal(s.header().toString(), headers, `chunking ${sizes.join(',')}`);
    }
  });
});

describe('BodySpool', () => {
  const read = async (body: Buffer | Readable) => {
    if (Buffer.isBuffer(body)) return body;
    const parts: Buffer[] = [];
    for await (const p of body) parts.push(p as Buffer);
    return Buffer.concat(parts);
  };

  test('small bodies stay in memory; large ones go to a private file that is gone once opened', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-spool-test-'));
    try {
      const small = new BodySpool(1000, dir);
      small.write(Buffer.from('abc'));
      small.write(Buffer.from('def'));
      const s = await small.finish();
      assert.equal(s.size, 6);
      assert.ok(Buffer.isBuffer(s.body));

      const big = new BodySpool(1000, dir);
      const data = Buffer.alloc(50_000, 0x42);
      for (let i = 0; i < data.length; i += 999) big.write(data.subarray(i, i + 999));
      for (let i = 0; i < 100 && fs.readdirSync(dir).length === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.equal(fs.readdirSync(dir).length, 1, 'spooled to a file');
      assert.equal(fs.statSync(path.join(dir, fs.readdirSync(dir)[0]!)).mode & 0o777, 0o600);
      const b = await big.finish();
      assert.equal(b.size, data.length);
      assert.ok(!Buffer.isBuffer(b.body));
      assert.deepEqual(fs.readdirSync(dir), [], 'unlinked once reopened for reading');
      assert.ok((await read(b.body)).equals(data));

      const dropped = new BodySpool(10, dir);
      dropped.write(Buffer.alloc(100));
      await dropped.discard();
      assert.deepEqual(fs.readdirSync(dir), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
