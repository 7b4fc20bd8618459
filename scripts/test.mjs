#!/usr/bin/env node
// `npm test [-- filter...]`: installs the test servers (Dovecot, Cyrus, Courier, Knot, poppler, Radicale, Xandikos) if needed, then runs every *.test.ts under test/ and src/
// (or those whose path contains one of the filters) with node:test through tsx.
// Node 20's `--test` does not expand globs and `tsx --test` without files runs nothing, hence the walk.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// (a) The servers and tools the tests start or call, from Debian: the binary each provides → its packages.
// Each harness also installs its own when run alone; doing it here costs one `apt-get update` for all.
// Cyrus and Courier IMAP conflict with dovecot-imapd: only their libraries (and courier-authlib) are installed,
// checked with dpkg (null: no one file proves them); the harness unpacks the daemons into its own cache.
const SERVER_PKGS = JSON.parse(readFileSync(path.join(root, 'test/harness/debian-packages.json'), 'utf8'));
const NEEDS = [
  ['/usr/sbin/dovecot', ['dovecot-imapd', 'dovecot-pop3d']], // IMAP/POP3 pairs (test/harness/dovecot.ts)
  [null, ['dovecot-managesieved', 'dovecot-sieve']], // ManageSieve + Sieve (test/harness/dovecot.ts, sieve option)
  ['/usr/sbin/knotd', ['knot']], // authoritative DNS with TSIG updates (test/harness/dns-server.ts)
  ['/usr/bin/pdftotext', ['poppler-utils']], // reading back the PDF reports (test/reports/poppler.ts)
  ['/usr/bin/chromium', ['chromium']], // browser tests with playwright-core (test/harness/chromium.ts)
  ['/usr/bin/radicale', ['radicale']], // CalDAV/CardDAV with htpasswd logins (test/harness/radicale.ts)
  ['/usr/bin/xandikos', ['xandikos']], // CalDAV/CardDAV without logins of its own (test/harness/xandikos.ts)
  [null, SERVER_PKGS.cyrus.install], // Cyrus IMAP 3.6 (test/harness/cyrus.ts)
  [null, SERVER_PKGS.courier.install], // Courier-IMAP 5.0 (test/harness/courier.ts)
];
function notInstalled(pkgs) {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Package}\t${db:Status-Abbrev}\n', ...pkgs], {
    encoding: 'utf8',
  });
  const ok = new Set(
    (r.stdout ?? '')
      .split('\n')
      .map((l) => l.split('\t'))
      .filter(([, status]) => status?.startsWith('ii'))
      .map(([pkg]) => pkg),
  );
  return pkgs.filter((p) => !ok.has(p));
}
const missing = [
  ...new Set(
    NEEDS.flatMap(([bin, pkgs]) => (bin === null ? notInstalled(pkgs) : existsSync(bin) ? [] : pkgs)),
  ),
];
if (missing.length) {
  if (process.getuid?.() !== 0) {
    console.error(`Missing test servers/tools. Install them with: sudo apt-get install ${missing.join(' ')}`);
    process.exit(1);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update'], ['install', '-y', ...missing]]) {
    console.error(`+ apt-get ${args.join(' ')}`);
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed; install ${missing.join(' ')} by hand.`);
      process.exit(1);
    }
  }
}

// (b) Collect test files; symlinks are not followed, so a linked directory cannot loop the walk.
function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, out);
    else if (entry.isFile() && entry.name.endsWith('.test.ts')) out.push(path.relative(root, full));
  }
  return out;
}

const filters = process.argv.slice(2);
const files = [...walk(path.join(root, 'test'), []), ...walk(path.join(root, 'src'), [])]
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error(
    `No test files found${filters.length ? ` matching ${filters.map((f) => `"${f}"`).join(', ')}` : ''}.`,
  );
  process.exit(1);
}

// (c) Build first: the CLI tests run bin/cutover.js, the bundle users run, not the sources.
console.log('Building the CLI (tsc + bundle)…');
const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (built.status !== 0) {
  console.error('The build failed; fix the errors above (npm run build).');
  process.exit(1);
}

// (d) Run them; the exit code is node's (non-zero when any test failed).
const args = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', ...files];
const child = spawn(process.execPath, args, {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, CUTOVER_TEST: '1' },
});
// Ctrl-C reaches the child through the terminal's process group: don't die before it does (its
// 'exit' handlers stop the Dovecots). A SIGTERM aimed at us alone (CI timeout) is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('error', (err) => {
  console.error(`could not start node: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
