/**
 * The app-only token cache survives a restart, sealed: two processes in turn reach a mailbox of the LOCAL
 * EMULATOR of Microsoft Graph and Entra ID (test code: the real services cannot be reached from here) with
 * a data directory handed to the connector. The first asks for a token and leaves a 0600 file that
 * does not hold the token in clear; the second asks for none. Without a data directory nothing is written.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { appLogin, emulatorServer } from '../emulators/graph/graph-project.js';
import { tempDataDir } from './helpers.js';

const U = 'cache@contoso.test';
let emu: GraphEmulator;
before(async () => {
  emu = await startGraphEmulator();
  emu.store.addUser(U);
});
after(() => emu?.stop());

/** One child run; resolves when it has listed the mailbox's folders. */
function run(env: Record<string, string | undefined>): Promise<void> {
  const job = JSON.stringify({ server: emulatorServer(emu), auth: appLogin(emu, U) });
  const all: Record<string, string | undefined> = { ...process.env, CUTOVER_SECRET_KEY: '', ...env };
  for (const k of Object.keys(all)) if (all[k] === undefined) delete all[k];
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, 'graph-token-cache-child.ts')],
      { env: { ...all, GRAPH_CACHE_JOB: job } },
      (err, out, errOut) =>
        err ? reject(new Error(`${err.message}\n${errOut}`)) : (assert.ok(Number(out) > 0), resolve()),
    ),
  );
}
const cacheFiles = (dir: string) => fs.readdirSync(dir).filter((f) => /^graph-tokens-.*\.sealed$/.test(f));

test('a restarted process reuses the sealed token cache: no second token request', async () => {
  const data = tempDataDir();
  const t0 = emu.stats.tokenRequests;
  await run({ GRAPH_CACHE_DIR: data });
  assert.equal(emu.stats.tokenRequests - t0, 1, 'the first run asks Entra ID once');

  const [file] = cacheFiles(data);
  assert.ok(file, 'the cache file exists');
  const full = path.join(data, file);
  assert.equal(fs.statSync(full).mode & 0o777, 0o600);
  const stored = fs.readFileSync(full, 'utf8');
  assert.match(stored, /^v1\./, 'sealed by the secret box');
  assert.doesNotMatch(stored, /emu-app-|accessToken|AccessToken|secret/i, 'no token or cache field in clear');

  await run({ GRAPH_CACHE_DIR: data });
  assert.equal(emu.stats.tokenRequests - t0, 1, 'the second run asks for no token');

  // Another key cannot open the file: the run asks Entra ID again instead of failing.
  await run({ GRAPH_CACHE_DIR: data, CUTOVER_SECRET_KEY: Buffer.alloc(32, 7).toString('base64') });
  assert.equal(emu.stats.tokenRequests - t0, 2);
});

test('without a data directory every process asks for its token and writes nothing', async () => {
  const data = tempDataDir();
  const t0 = emu.stats.tokenRequests;
  await run({ GRAPH_CACHE_DIR: undefined });
  await run({ GRAPH_CACHE_DIR: undefined });
  assert.equal(emu.stats.tokenRequests - t0, 2);
  assert.deepEqual(cacheFiles(data), []);
});
