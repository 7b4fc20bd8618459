/** MIME → Graph message conversion (the destination write path's input): headers, bodies, attachments. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { decodeWords, parseAddresses, parseParams } from '../../src/connectors/graph/mime-parse.js';
import {
  readGraphMessage,
  toGraphMessage,
  type Converted,
} from '../../src/connectors/graph/mime-to-graph.js';
import type { SpooledPart } from '../../src/connectors/graph/part-spool.js';

const crlf = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'latin1');

test('encoded words, RFC 2231 parameters and address lists', () => {
  assert.equal(decodeWords('=?UTF-8?B?R3LDvMOfZQ==?= =?ISO-8859-1?Q?und_m=FCde?='), 'Grüßeund müde');
  assert.equal(
    parseParams("attachment; filename*=UTF-8''%C3%BCbersicht%20Q1.pdf").params.filename,
    'übersicht Q1.pdf',
  );
  assert.equal(parseParams('text/plain; charset="iso-8859-1"').params.charset, 'iso-8859-1');
  assert.deepEqual(
    parseAddresses('"Doe, Jane" <jane@x.test>, bob@y.test, Team: a@z.test, b@z.test;, (comment) undisclosed'),
    [
      { name: 'Doe, Jane', address: 'jane@x.test' },
      { address: 'bob@y.test' },
      { address: 'a@z.test' },
      { address: 'b@z.test' },
    ],
  );
});

test('multipart/alternative gives the HTML body; inline image keeps its Content-ID; attachments named', () => {
  const raw = crlf(`From: =?UTF-8?Q?J=C3=BCrgen?= <j@x.test>
To: a@x.test, "B, C" <bc@x.test>
Cc: cc@x.test
Subject: =?UTF-8?B?UHLDvGZ1bmc=?=
Date: Tue, 04 Mar 2025 09:05:00 +0100
Message-ID: <abc@x.test>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/related; boundary="rel"

--rel
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Gr=FC=DFe
--alt
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: base64

PHA+R3LDvMOfZTxpbWcgc3JjPSJjaWQ6bG9nbyI+PC9wPg==
--alt--
--rel
Content-Type: image/png
Content-ID: <logo>
Content-Disposition: inline
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--rel--
--outer
Content-Type: application/pdf; name="report.pdf"
Content-Disposition: attachment; filename="report.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQK
--outer--
`);
  const c = toGraphMessage(raw);
  assert.equal(c.message.subject, 'Prüfung');
  assert.deepEqual(c.message.body, { contentType: 'html', content: '<p>Grüße<img src="cid:logo"></p>' });
  assert.deepEqual(c.message.from, { emailAddress: { name: 'Jürgen', address: 'j@x.test' } });
  assert.equal((c.message.toRecipients as unknown[]).length, 2);
  assert.equal(c.message.internetMessageId, '<abc@x.test>');
  assert.deepEqual(
    c.attachments.map((a) => [a.name, a.contentType, a.isInline, a.contentId ?? null, a.size]),
    [
      ['part-1.png', 'image/png', true, 'logo', 8],
      ['report.pdf', 'application/pdf', false, null, 9],
    ],
  );
  assert.deepEqual(c.identity, {
    size: raw.length,
    id: 'abc@x.test',
    date: 'Tue, 04 Mar 2025 09:05:00 +0100',
  });
  assert.equal(c.sent?.toISOString(), '2025-03-04T08:05:00.000Z');
});

test('no Message-ID: the identity carries the header-block hash the IMAP source computes', () => {
  const raw = crlf('From: a@x.test\nSubject: plain\n\nbody line\n');
  const c = toGraphMessage(raw);
  const head = raw.subarray(0, raw.indexOf('\r\n\r\n') + 4);
  assert.equal(c.identity.hh, createHash('sha256').update(head).digest('hex'));
  assert.equal(c.identity.id, undefined);
  assert.deepEqual(c.message.body, { contentType: 'text', content: 'body line\r\n' });
  assert.equal(c.attachments.length, 0);
});

test('a broken multipart (no closing delimiter) keeps every part', () => {
  const raw = crlf(
    'Subject: cut\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhello\n--b\nContent-Type: application/zip; name=a.zip\nContent-Transfer-Encoding: base64\n\nUEsDBA==\n',
  );
  const c = toGraphMessage(raw);
  assert.equal(c.message.body && (c.message.body as { content: string }).content, 'hello');
  assert.equal(c.attachments[0]!.name, 'a.zip');
  assert.equal((c.attachments[0]!.content as Buffer).toString('latin1'), 'PK\x03\x04');
});

/** The same bytes as a stream cut into `size`-byte pieces. */
async function* pieces(raw: Buffer, size: number): AsyncIterable<Buffer> {
  for (let at = 0; at < raw.length; at += size) yield raw.subarray(at, at + size);
}
const plain = (c: Converted) => ({
  ...c,
  attachments: c.attachments.map((a) => ({ ...a, content: Buffer.isBuffer(a.content) ? a.content : null })),
});

test('read as a stream in pieces of any size, a message converts exactly as read whole', async () => {
  const samples = [
    crlf('From: a@x.test\nSubject: plain\n\nbody line\nsecond =3D line=\n joined\n'),
    crlf(
      'Subject: alt\nMessage-ID: <m@x>\nContent-Type: multipart/mixed; boundary="o"\n\npre\n--o\nContent-Type: multipart/alternative; boundary=i\n\n--i\nContent-Type: text/plain\n\nplain\n--i\nContent-Type: text/html; charset=iso-8859-1\nContent-Transfer-Encoding: quoted-printable\n\n<p>Gr=FC=DFe=\n und mehr</p>\n--i--\n--o\nContent-Type: image/png\nContent-ID: <logo>\nContent-Disposition: inline\nContent-Transfer-Encoding: base64\n\niVBORw0K\nGgo=\n--o\nContent-Type: application/pdf; name="r.pdf"\n\n%PDF-1.4\n\n--o--\nepilogue\n',
    ),
    crlf(
      'Subject: cut\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhello\n--b\nContent-Type: application/zip; name=a.zip\nContent-Transfer-Encoding: base64\n\nUEsDBA==\n',
    ),
    Buffer.from('Subject: lf only\nContent-Type: text/plain\n\nline\n\nend\n', 'latin1'),
    crlf('Subject: no body'),
  ];
  for (const raw of samples)
    for (const size of [1, 3, 64, raw.length]) {
      const streamed = await readGraphMessage(pieces(raw, size));
      await streamed.dispose();
      const { size: n, dispose: _d, ...rest } = streamed;
      assert.equal(n, raw.length);
      assert.deepEqual(plain(rest), plain(toGraphMessage(raw)), `pieces of ${size}`);
    }
});

test('large attachments are decoded into private temporary files, removed by dispose', async () => {
  const big = randomBytes(1536 * 1024);
  const text = 'Grüße = Zeile\t'.repeat(120_000);
  const qp = Buffer.from(text, 'utf8')
    .toString('latin1')
    .replace(/[=\u0080-\u00ff\t]/g, (c) => `=${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
    .replace(/.{70}/g, '$&=\r\n');
  const raw = Buffer.concat([
    crlf(
      'Subject: big\nContent-Type: multipart/mixed; boundary=z\n\n--z\nContent-Type: text/plain\n\nsee\n--z\nContent-Type: application/octet-stream; name=big.bin\nContent-Transfer-Encoding: base64\n\n',
    ),
    Buffer.from(big.toString('base64').replace(/.{76}/g, '$&\r\n'), 'latin1'),
    crlf('\n--z\nContent-Type: text/csv; name=t.csv\nContent-Transfer-Encoding: quoted-printable\n\n'),
    Buffer.from(qp, 'latin1'),
    crlf('\n--z--\n'),
  ]);
  const c = await readGraphMessage(pieces(raw, 65536));
  const files = c.attachments.map((a) => a.content as SpooledPart);
  try {
    assert.deepEqual(c.message.body, { contentType: 'text', content: 'see' });
    assert.deepEqual(
      c.attachments.map((a) => [a.name, a.size]),
      [
        ['big.bin', big.length],
        ['t.csv', Buffer.byteLength(text)],
      ],
    );
    for (const f of files) {
      assert.ok(!Buffer.isBuffer(f), 'spooled to a file');
      assert.equal(fs.statSync(f.path).mode & 0o777, 0o600);
    }
    assert.ok(fs.readFileSync(files[0]!.path).equals(big));
    assert.equal(fs.readFileSync(files[1]!.path, 'utf8'), text);
  } finally {
    await c.dispose();
  }
  for (const f of files) assert.equal(fs.existsSync(f.path), false);
});

test('a stream that fails half way through a large attachment leaves no temporary file behind', async () => {
  const mine = () => fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith(`cutover-graph-${process.pid}-`));
  const before = mine();
  async function* broken(): AsyncIterable<Buffer> {
    yield crlf(
      'Subject: cut\nContent-Type: multipart/mixed; boundary=z\n\n--z\nContent-Type: application/zip; name=a.zip\nContent-Transfer-Encoding: base64\n\n',
    );
    for (let i = 0; i < 40; i++)
      yield Buffer.from(
        randomBytes(57 * 1000)
          .toString('base64')
          .replace(/.{76}/g, '$&\r\n'),
      );
    throw new Error('connection reset');
  }
  await assert.rejects(readGraphMessage(broken()), /connection reset/);
  assert.deepEqual(mine(), before);
});
