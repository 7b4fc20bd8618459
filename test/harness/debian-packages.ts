/**
 * Debian packages for the test servers: install libraries with apt-get, and unpack the IMAP daemons that
 * conflict with `dovecot-imapd` (cyrus-imapd, courier-imap: both `Conflicts: imap-server`) into a private
 * prefix instead of installing them. The prefix is a cache under /var/cache/cutover-test (override:
 * CUTOVER_TEST_CACHE) shared by runs and by parallel test processes; delete it to fetch fresh packages.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
// Parallel test processes may install at once: wait for dpkg's lock instead of failing on it.
const LOCK_WAIT = ['-o', 'DPkg::Lock::Timeout=300'];

/** Where unpacked packages are kept between runs. */
export const CACHE_ROOT = process.env.CUTOVER_TEST_CACHE ?? '/var/cache/cutover-test';

type Run = { code: number; output: string };

function run(cmd: string, args: string[], cwd?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env: APT_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-8000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => resolve({ code: -1, output: `${output}\n${e.message}` }));
    child.on('close', (code) => resolve({ code: code ?? -1, output }));
  });
}

/** Packages of `names` that dpkg does not report as installed. */
async function notInstalled(names: string[]): Promise<string[]> {
  // Unknown names go to stderr ("no packages found matching"); the status of known ones is "ii " once installed.
  const r = await run('dpkg-query', ['-W', '-f', '${Package}\\t${db:Status-Abbrev}\\n', ...names]);
  const ok = new Set(
    r.output
      .split('\n')
      .map((l) => l.split('\t'))
      .filter(([, status]) => status?.startsWith('ii'))
      .map(([pkg]) => pkg),
  );
  return names.filter((n) => !ok.has(n));
}

/** Run an apt-get command; on failure refresh the package lists once (a fresh machine has none) and retry. */
async function aptGet(args: string[], cwd?: string): Promise<void> {
  let r = await run('apt-get', [...LOCK_WAIT, ...args], cwd);
  if (r.code === 0) return;
  const update = await run('apt-get', [...LOCK_WAIT, 'update']);
  if (update.code !== 0) throw new Error(`apt-get update failed (${update.code}):\n${update.output}`);
  r = await run('apt-get', [...LOCK_WAIT, ...args], cwd);
  if (r.code !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${r.code}):\n${r.output}`);
}

const installs = new Map<string, Promise<void>>();

/** Install the Debian packages that are missing (root only; otherwise say what to install). */
export function ensurePackages(names: string[]): Promise<void> {
  const key = names.join(' ');
  let p = installs.get(key);
  if (!p) {
    p = (async () => {
      const missing = await notInstalled(names);
      if (missing.length === 0) return;
      if (process.getuid?.() !== 0) {
        throw new Error(`missing Debian packages; run: sudo apt-get install ${missing.join(' ')}`);
      }
      await aptGet(['install', '-y', '--no-install-recommends', ...missing]);
    })();
    installs.set(key, p);
    p.catch(() => installs.delete(key));
  }
  return p;
}

const prefixes = new Map<string, Promise<string>>();

/**
 * A directory with `debs` unpacked into it (`dpkg-deb -x`, no maintainer scripts run, nothing
 * installed): CACHE_ROOT/`name`-HASH (of the list). Downloaded once with `apt-get download`; a half-made prefix never
 * becomes visible (built beside it, then renamed), so concurrent first runs are safe.
 */
export function unpackedPrefix(name: string, debs: string[]): Promise<string> {
  let p = prefixes.get(name);
  if (!p) {
    p = makePrefix(name, debs);
    prefixes.set(name, p);
    p.catch(() => prefixes.delete(name));
  }
  return p;
}

async function makePrefix(name: string, debs: string[]): Promise<string> {
  // A changed package list gets a directory of its own instead of an old prefix that lacks a package.
  const final = path.join(
    CACHE_ROOT,
    `${name}-${createHash('sha256').update(debs.join(' ')).digest('hex').slice(0, 8)}`,
  );
  if (existsSync(path.join(final, '.complete'))) return final;
  if (process.getuid?.() !== 0) {
    throw new Error(`${final} is missing; run the tests as root once so they can unpack ${debs.join(' ')}`);
  }
  await mkdir(CACHE_ROOT, { recursive: true });
  const work = await mkdtemp(path.join(CACHE_ROOT, `.${name}-`));
  try {
    // As root, apt downloads as _apt unless told otherwise, and _apt cannot write this directory.
    await aptGet(['-o', 'APT::Sandbox::User=root', 'download', ...debs], work);
    const files = (await readdir(work)).filter((f) => f.endsWith('.deb')).sort();
    const root = path.join(work, 'root');
    for (const f of files) {
      const r = await run('dpkg-deb', ['-x', path.join(work, f), root]);
      if (r.code !== 0) throw new Error(`dpkg-deb -x ${f} failed:\n${r.output}`);
    }
    await writeFile(path.join(root, '.complete'), `${files.join('\n')}\n`);
    try {
      await rename(root, final);
    } catch (err) {
      // Another process finished first: use its copy.
      if (!existsSync(path.join(final, '.complete'))) throw err;
    }
    return final;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
