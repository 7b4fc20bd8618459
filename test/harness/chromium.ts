/**
 * Debian's Chromium driven by playwright-core for browser tests (`npx playwright install` cannot work here).
 * Installs the `chromium` package when missing and the tests run as root; otherwise says what to install.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Where Debian puts the browser. */
export const CHROMIUM = '/usr/bin/chromium';

/** Flags that keep a headless Chromium quiet, offline and runnable as root in a container. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Where browser tests save their screenshots (gitignored). */
export const SCREENSHOT_DIR = path.resolve('test-output', 'screenshots');

/** Install Chromium when missing (root only); otherwise say what to install. */
export async function ensureChromium(): Promise<void> {
  if (existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) throw new Error(`${CHROMIUM} is missing; run: sudo apt-get install chromium`);
  for (const args of [['update'], ['install', '-y', 'chromium']]) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const child = spawn('apt-get', args, { stdio: 'inherit', env });
    const code = await new Promise((resolve) => child.on('close', resolve).on('error', () => resolve(-1)));
    if (code !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${code})`);
  }
}

/** Launch a headless Chromium; close() it in an `after` hook. */
export async function launchChromium(): Promise<Browser> {
  await ensureChromium();
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: 60_000 });
}

/** A fresh context (own cookies) with downloads allowed and a desktop-sized viewport. */
export async function newContext(browser: Browser, baseURL?: string): Promise<BrowserContext> {
  return browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 860 }, baseURL });
}

/** Save a full-page screenshot as test-output/screenshots/<name>.png and return its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
