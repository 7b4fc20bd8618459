/**
 * The file connector without a server: the file:// URL form and its errors, crash safety (a file without its
 * manifest line is not present and never overwritten; a cut manifest line is skipped), a shortened folder
 * name read back from the manifest, and clear errors for a missing or unwritable directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseServerUrl } from '../../src/config/server-url.js';
import type { MailDestination, MessageMeta } from '../../src/connectors/contract.js';
import { FileConnector } from '../../src/connectors/file/file-connector.js';
import { countBareLf, crlf, CrlfStream } from '../../src/connectors/file/file-crlf.js';
import { CutoverError, ErrorCode } from '../../src/errors.js';
import { makeMessage } from '../harness/messages.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'cutover-file-unit-'));
const open = (dir: string) => {
  const { server, auth } = parseServerUrl(`file://${dir}`);
  return { server, auth, c: new FileConnector() };
};
async function list(dst: MailDestination, folder: string[]): Promise<MessageMeta[]> {
  const out: MessageMeta[] = [];
  for await (const page of dst.listMessages(folder)) out.push(...page);
  return out;
}

test('file:///ABS/DIR parses to the directory; a relative or missing path is refused with a hint', () => {
  const { server, auth } = parseServerUrl('file:///srv/export/al%20ice/');
  assert.equal(server.kind, 'file');
  assert.deepEqual((server as unknown as { file: { path: string } }).file, { path: '/srv/export/al ice' });
  assert.equal(auth.user, '/srv/export/al ice');
  for (const [bad, why] of [
    ['file://relative/dir', /absolute directory/],
    ['file://', /absolute directory/],
    ['file:///', /usable directory/],
    ['file:///srv/x?max-connections=2', /parameters/],
  ] as const)
    assert.throws(
      () => parseServerUrl(bad),
      (e: unknown) =>
        e instanceof CutoverError && e.code === ErrorCode.UrlInvalid && why.test(e.message) && !!e.hint,
      bad,
    );
});

test('a crash between the rename and the manifest line: the file is not present and its key is never reused', async () => {
  const dir = tmp();
  const { server, auth, c } = open(dir);
  const dst = await c.openDestination(server, auth);
  await dst.ensureFolder(['F']);
  const raw = makeMessage({ subject: 'one' });
  fs.writeFileSync(path.join(dir, 'F', '1.eml'), raw); // as if renamed, then the process died
  fs.writeFileSync(path.join(dir, 'F', '.2.eml.tmp'), raw.subarray(0, 10)); // a half-written one
  fs.appendFileSync(path.join(dir, 'F', 'manifest.jsonl'), '{"op":"add","folder":["F"],"uid":9,'); // cut line
  assert.equal((await list(dst, ['F'])).length, 0, 'nothing counted as present');
  assert.equal((await dst.folderState(['F']))?.messages, 0);
  const [r] = await dst.append(
    ['F'],
    [{ size: raw.length, body: raw, flags: ['\\Seen'], internalDate: new Date(0) }],
  );
  assert.equal(r!.uid, 3, 'above every file name in the folder');
  assert.deepEqual(fs.readFileSync(path.join(dir, 'F', '1.eml')), raw, 'the earlier file is left alone');
  const listed = await list(dst, ['F']);
  assert.deepEqual(
    listed.map((m) => [m.uid, m.flags]),
    [[3, ['\\Seen']]],
  );
  await dst.close();
});

test('a body that ends short fails the write and leaves nothing behind', async () => {
  const dir = tmp();
  const { server, auth, c } = open(dir);
  const dst = await c.openDestination(server, auth);
  const raw = makeMessage({ subject: 'short' });
  await assert.rejects(
    dst.append(['INBOX'], [{ size: raw.length + 5, body: raw, flags: [], internalDate: new Date() }]),
    (e: unknown) => e instanceof CutoverError && e.code === ErrorCode.ConnectionLost,
  );
  assert.deepEqual(
    fs.readdirSync(path.join(dir, 'INBOX')).filter((f) => f !== 'manifest.jsonl'),
    [],
  );
});

test('a folder name over 255 bytes is shortened on disk and listed with its full name', async () => {
  const dir = tmp();
  const { server, auth, c } = open(dir);
  const dst = await c.openDestination(server, auth);
  const long = 'Ü'.repeat(200);
  await dst.ensureFolder([long, 'child']);
  const src = await c.openSource(server, auth);
  const listed = (await src.listFolders()).map((f) => f.path);
  assert.ok(
    listed.some((p) => p.length === 2 && p[0] === long && p[1] === 'child'),
    JSON.stringify(listed),
  );
  for (const name of fs.readdirSync(dir)) assert.ok(Buffer.byteLength(name) <= 255);
});

test('a missing source directory and an unwritable destination say what is wrong', async () => {
  const dir = tmp();
  const gone = open(path.join(dir, 'nothing-here'));
  await assert.rejects(gone.c.openSource(gone.server, gone.auth), (e: unknown) => {
    return e instanceof CutoverError && e.code === ErrorCode.NotFound && /nothing-here/.test(e.message);
  });
  if (process.getuid?.() === 0) return; // root writes anywhere
  const locked = path.join(dir, 'locked');
  fs.mkdirSync(locked, 0o500);
  const ro = open(path.join(locked, 'out'));
  await assert.rejects(ro.c.openDestination(ro.server, ro.auth), (e: unknown) => {
    return e instanceof CutoverError && /No permission/.test(e.message) && /write access/.test(e.hint ?? '');
  });
});

test('two folders a case-insensitive file system folds together stay two folders', async () => {
  const dir = tmp();
  const { server, auth, c } = open(dir);
  const dst = await c.openDestination(server, auth);
  await dst.ensureFolder(['Foo']);
  fs.symlinkSync(path.join(dir, 'Foo'), path.join(dir, 'foo')); // what NTFS or APFS shows for "foo"
  const raw = (s: string) => makeMessage({ subject: s });
  for (const name of ['Foo', 'foo']) {
    const fresh = await c.openDestination(server, auth); // no listing: it must find its way alone
    const made = await fresh.ensureFolder([name]);
    assert.deepEqual(made.path, [name]);
    const body = raw(name);
    await fresh.append([name], [{ size: body.length, body, flags: [], internalDate: new Date(0) }]);
  }
  assert.ok(fs.existsSync(path.join(dir, '%66oo', '1.eml')), fs.readdirSync(dir).join(', '));
  const src = await c.openSource(server, auth);
  const listed = (await src.listFolders()).map((f) => f.path.join('/')).sort();
  assert.deepEqual(listed, ['Foo', 'INBOX', 'foo']);
  for (const name of ['Foo', 'foo']) assert.equal((await src.folderState([name])).messages, 1, name);
});

test('bare LF line endings become CRLF, across chunk boundaries, and are counted the same way', async () => {
  const text = Buffer.from('a\nb\r\nc\n\nd\r\n\n');
  const want = Buffer.from('a\r\nb\r\nc\r\n\r\nd\r\n\r\n');
  assert.deepEqual(crlf(text), want);
  for (let cut = 0; cut <= text.length; cut++) {
    const s = new CrlfStream();
    const out: Buffer[] = [];
    s.on('data', (b: Buffer) => out.push(b));
    s.write(text.subarray(0, cut));
    s.end(text.subarray(cut));
    await new Promise((r) => s.on('end', r));
    assert.deepEqual(Buffer.concat(out), want, `cut at ${cut}`);
  }
  const file = path.join(tmp(), 'lf.eml');
  fs.writeFileSync(file, text);
  assert.equal(await countBareLf(file), want.length - text.length);
});

test('cutover test: a missing directory under a writable one passes and says it will be made; under a file it is refused', async () => {
  const base = tmp();
  const missing = parseServerUrl(`file://${base}/exports/alice`).server;
  const report = await new FileConnector().testLogin(missing);
  assert.equal(report.folders, 0);
  assert.match(report.capabilities.join(' '), new RegExp(`made in ${base} on the first write`));
  assert.equal(fs.existsSync(path.join(base, 'exports')), false, 'a test writes nothing');

  fs.writeFileSync(path.join(base, 'plain'), 'x');
  const underFile = parseServerUrl(`file://${base}/plain/alice`).server;
  await assert.rejects(
    new FileConnector().testLogin(underFile),
    (e: unknown) => e instanceof CutoverError && /is a file, not a directory/.test(e.message) && !!e.hint,
  );
});
