/**
 * Private files: whatever `cutover serve` writes in its data directory (store, WAL, SHM, key, token cache,
 * zone files) is 0600 and the directory 0700 — also when the directory already existed with looser modes,
 * which are fixed at start and reported on stderr. A directory that also holds files that are not Cutover's
 * is reported and left alone, as are those files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { tempDataDir } from '../integration/helpers.js';
import { projectBody } from '../server/helpers.js';
import { operator, request, serve } from './serve.js';

const modeOf = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);

/** Every file under `dir` with its mode, e.g. { 'cutover.sqlite': '600' }. */
function modes(dir: string): Record<string, string> {
  return Object.fromEntries(fs.readdirSync(dir).map((f) => [f, modeOf(path.join(dir, f))]));
}

/** Use the server the way an operator does, so that it writes what it writes. */
async function work(base: string): Promise<void> {
  const admin = await operator(base);
  const project = await request(base, {
    method: 'POST',
    path: '/api/projects',
    headers: admin,
    body: projectBody('files'),
  });
  assert.equal(project.status, 201, project.body);
  const id = project.json<{ id: number }>().id;
  const mb = await request(base, {
    method: 'POST',
    path: `/api/projects/${id}/mailboxes`,
    headers: admin,
    body: { sourceUser: 'alice@old.example' },
  });
  assert.equal(mb.status, 201, mb.body);
  const links = await request(base, { path: '/api/credentials/links', headers: admin });
  assert.equal(links.status, 200);
}

test('a data directory that existed with loose modes is made private at start, and said so', async (t) => {
  const dir = tempDataDir();
  fs.chmodSync(dir, 0o755);
  const loose = {
    'cutover.sqlite': '',
    'secret.key': `${randomBytes(32).toString('base64')}\n`,
    'graph-tokens-contoso.sealed': 'v1.sealed',
    'old.example.zone': '$ORIGIN old.example.\n',
  };
  for (const [name, text] of Object.entries(loose))
    fs.writeFileSync(path.join(dir, name), text, { mode: 0o644 });
  const s = await serve(['--data-dir', dir]);
  t.after(() => s.stop());
  for (const name of Object.keys(loose))
    assert.match(
      s.err(),
      new RegExp(`${name.replace(/\./g, '\\.')} could be read by other users \\(mode 644\\); it is now 600`),
    );
  assert.match(s.err(), /data directory .* could be listed by other users \(mode 755\); it is now 700/);

  await work(s.base);
  const running = modes(dir);
  assert.ok('cutover.sqlite-wal' in running && 'cutover.sqlite-shm' in running, JSON.stringify(running));
  assert.equal(modeOf(dir), '700');
  for (const [f, m] of Object.entries(running)) assert.equal(m, '600', `${f} while running`);
  await s.stop();
  for (const [f, m] of Object.entries(modes(dir))) assert.equal(m, '600', `${f} after stopping`);
});

test('a new data directory is 0700 and every file in it 0600, with nothing to report', async (t) => {
  const dir = path.join(tempDataDir(), 'nested', 'data');
  const s = await serve(['--data-dir', dir]);
  t.after(() => s.stop());
  await work(s.base);
  assert.equal(modeOf(dir), '700');
  assert.equal(modeOf(path.dirname(dir)), '700', 'a parent it created too');
  const files = modes(dir);
  assert.ok(
    ['cutover.sqlite', 'cutover.sqlite-wal', 'cutover.sqlite-shm', 'secret.key'].every((f) => f in files),
    JSON.stringify(files),
  );
  for (const [f, m] of Object.entries(files)) assert.equal(m, '600', f);
  assert.doesNotMatch(s.err(), /could be (read|listed)/);
});

test("a shared directory: Cutover's files are tightened, the directory and other files are not", async (t) => {
  const dir = tempDataDir();
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine', { mode: 0o644 });
  fs.writeFileSync(path.join(dir, 'cutover.sqlite'), '', { mode: 0o644 });
  const s = await serve(['--data-dir', dir]);
  t.after(() => s.stop());
  assert.match(s.err(), /holds files that are not Cutover's \(notes\.txt\), so its mode was left alone/);
  assert.equal(modeOf(dir), '755');
  assert.equal(modeOf(path.join(dir, 'notes.txt')), '644');
  assert.equal(modeOf(path.join(dir, 'cutover.sqlite')), '600');
});
