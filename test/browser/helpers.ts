/**
 * Browser-test set-up: the web UI built from web/ when its bundle is missing or older than its sources, a
 * real server (`buildServer`) listening on a free loopback port, and small page helpers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { buildServer, type ServerOptions } from '../../src/server/app.js';
import { freePort } from '../harness/server-process.js';
import { defaultWebRoot } from '../../src/server/web-ui.js';

/** The operator the browser tests create on first run. */
export const ADMIN = { user: 'admin', password: 'correct horse battery' };

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return t;
}

/**
 * Build dist/web (scripts/build-web.mjs, about a second) unless it is newer than every file under web/. A lock
 * directory keeps two test files from rebuilding it at once (a rebuild removes the files a server is serving).
 */
export function ensureWebBuilt(): void {
  const lock = path.join(os.tmpdir(), 'cutover-build-web.lock');
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than a minute was left by a killed run.
      if (Date.now() - started > 60_000) break;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    const index = path.join(defaultWebRoot(), 'index.html');
    if (existsSync(index) && statSync(index).mtimeMs > newest(path.resolve('web'))) return;
    const r = spawnSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'inherit' });
    if (r.status !== 0) throw new Error('scripts/build-web.mjs failed');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * A real server over `dataDir` on a free loopback port (`serve --project FILE` with `projectFile`); close() the
 * app when done. `more` adds server options (SMTP…); `publicUrl: true` makes the server's own address its public
 * URL, as personal links in messages need.
 */
export async function startUi(
  dataDir: string,
  projectFile?: string,
  more: Omit<Partial<ServerOptions>, 'publicUrl'> & { publicUrl?: boolean } = {},
): Promise<{ app: FastifyInstance; baseUrl: string }> {
  ensureWebBuilt();
  const wanted = more.publicUrl ? await freePort() : 0;
  const app = await buildServer({
    ...more,
    dataDir,
    projectFile,
    publicUrl: more.publicUrl ? `http://127.0.0.1:${wanted}` : undefined,
  });
  await app.listen({ host: '127.0.0.1', port: wanted });
  const { port } = app.server.address() as AddressInfo;
  return { app, baseUrl: `http://127.0.0.1:${port}` };
}

/** Fill a labelled field (by its visible label text). */
export async function fill(page: Page, label: string | RegExp, value: string): Promise<void> {
  await page.getByLabel(label, { exact: typeof label === 'string' }).fill(value);
}

/** Collect uncaught page errors and failed console errors, to assert none happened. */
export function watchErrors(page: Page): string[] {
  const seen: string[] = [];
  page.on('pageerror', (err) => seen.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // A refused request is logged by the browser itself; the UI shows those to the user on purpose.
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text()))
      seen.push(`console: ${msg.text()}`);
  });
  return seen;
}

/** A fresh install's first visit: the set-up form creates the admin (ADMIN) and logs in. */
export async function createAdmin(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByLabel('Name').fill(ADMIN.user);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByLabel('Password again').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Create admin and log in' }).click();
}

/** Click the download link named `name`; the file's suggested name and its bytes. */
export async function download(page: Page, name: string): Promise<{ file: string; body: Buffer }> {
  const [d] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name, exact: true }).click(),
  ]);
  return { file: d.suggestedFilename(), body: readFileSync(await d.path()) };
}
