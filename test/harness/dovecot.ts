/** Throwaway Dovecot 2.3 servers for integration tests: private config, loopback ports, temp Maildir. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { ensurePackages } from './debian-packages.js';

const DOVECOT = '/usr/sbin/dovecot';
/** Pigeonhole: the ManageSieve service and the Sieve plugin (scripts stored per user). */
const SIEVE_PACKAGES = ['dovecot-managesieved', 'dovecot-sieve'];
type User = { user: string; password: string };

/** What a test server should look like; only `users` is required. */
export interface DovecotOptions {
  layout?: 'maildir++' | 'fs';
  users: User[];
  masterUser?: User;
  /** Bytes; advertised as APPENDLIMIT and enforced by the quota plugin (quota_max_mail_size). */
  maxMailSize?: number;
  /** Per-user storage quota in bytes (exact, no grace); adds the QUOTA capability (imap_quota). */
  quotaBytes?: number;
  /** Default 50 (Dovecot's own default of 10 is too low for parallel tests). */
  maxUserIpConnections?: number;
  /** IMAP hierarchy delimiter for maildir++ (default '/'; '.' is a stock Debian install). fs is always '/'. */
  delimiter?: '.' | '/';
  /**
   * TLS: a fresh self-signed certificate for `localhost`/127.0.0.1 (openssl, which dovecot-core depends on),
   * STARTTLS on the IMAP port and implicit TLS on `imapsPort`. Plain-text login stays allowed.
   */
  tls?: boolean;
  /**
   * OAuth 2.0 (SASL XOAUTH2 and OAUTHBEARER): Dovecot's oauth2 passdb validates bearer tokens by POSTing
   * them to this RFC 7662 introspection endpoint (the test runs it), which answers
   * `{"active": true, "username": "..."}` for a good token.
   */
  oauth2IntrospectionUrl?: string;
  /** The OAuth mechanisms offered (default both); Exchange Online offers only XOAUTH2. */
  oauth2Mechanisms?: Array<'xoauth2' | 'oauthbearer'>;
  /**
   * Folders the server flags with a SPECIAL-USE attribute (RFC 6154), e.g. `{ Archive: '\\Archive' }`;
   * the server then advertises SPECIAL-USE. Names use the server's delimiter.
   */
  specialUse?: Record<string, string>;
  /**
   * ManageSieve (RFC 5804) on `sievePort`, scripts in ~/sieve with the active one linked from
   * ~/.dovecot.sieve. `extensions` is Pigeonhole's `sieve_extensions` (e.g. '-imap4flags' for a server that
   * lacks one); `maxScriptSize` its `sieve_max_script_size` in bytes.
   */
  sieve?: { extensions?: string; maxScriptSize?: number };
}

/** A running server; stop() it in a `finally` or `after` hook. */
export interface DovecotServer {
  host: '127.0.0.1';
  imapPort: number;
  pop3Port: number;
  dir: string;
  delimiter: '.' | '/';
  /** Implicit-TLS IMAP port (0 unless started with `tls`). */
  imapsPort: number;
  /** ManageSieve port (0 unless started with `sieve`). */
  sievePort: number;
  /** The server's self-signed certificate, PEM (with `tls`): trust it via NODE_EXTRA_CA_CERTS. */
  certFile?: string;
  /** PID of the Dovecot master process. */
  pid: number;
  /** The Maildir root of a user, for tests that look at the files. */
  mailDir(user: string): string;
  /** SIGTERM, wait, SIGKILL after a timeout; removes the temp directory. */
  stop(): Promise<void>;
  /** SIGKILL the master and its children at once (a crash); stop() still cleans up afterwards. */
  kill(): void;
}

/** Install Dovecot when missing (root only); otherwise say what to install. */
export async function ensureDovecot(): Promise<void> {
  if (existsSync(DOVECOT)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`${DOVECOT} is missing; run: sudo apt-get install dovecot-imapd dovecot-pop3d`);
  }
  for (const args of [['update'], ['install', '-y', 'dovecot-imapd', 'dovecot-pop3d']]) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const child = spawn('apt-get', args, { stdio: 'inherit', env });
    const code = await new Promise((resolve) => child.on('close', resolve).on('error', () => resolve(-1)));
    if (code !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${code})`);
  }
}

// Servers not yet stopped: a crashed or forgetful test run must not leave Dovecots behind.
const running = new Map<ChildProcess, string>();
process.on('exit', () => {
  for (const [child, dir] of running) {
    killTree(child);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Start a private Dovecot on free loopback ports; throws with the log tail if it does not come up. */
export async function startDovecot(opts: DovecotOptions): Promise<DovecotServer> {
  await ensureDovecot();
  if (opts.sieve) await ensurePackages(SIEVE_PACKAGES);
  // Not root: Dovecot's rootless mode needs its socket groups reworked too; not worth it for tests.
  if (process.getuid?.() !== 0) throw new Error('startDovecot needs root (mail processes run as `mail`)');
  for (const u of [...opts.users, ...(opts.masterUser ? [opts.masterUser] : [])]) {
    // passwd-file is colon-separated and %u lands in a path: keep names and passwords boring.
    if (!/^[A-Za-z0-9._@+-]+$/.test(u.user) || /[:\r\n]/.test(u.password)) {
      throw new Error(`unsupported test user name or password for ${JSON.stringify(u.user)}`);
    }
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cutover-dovecot-'));
  try {
    // Dovecot's imap/pop3 refuse root ("Mail access not allowed for root", even with first_valid_uid
    // = 0), so mail processes run as the system user `mail` (mail_uid/mail_gid for every virtual
    // user, first_valid_uid lowered to it). DIR is 0711 so `mail` can reach DIR/mail but not list DIR.
    const [uid, gid] = systemUser('mail');
    await chmod(dir, 0o711);
    await mkdir(path.join(dir, 'mail'), { mode: 0o700 });
    await chown(path.join(dir, 'mail'), uid, gid);
    // Plain-text passwords, 0600 root: the auth process is configured to run as root to read them.
    const line = (u: User) => `${u.user}:{PLAIN}${u.password}::::::\n`;
    await writeFile(path.join(dir, 'users'), opts.users.map(line).join(''), { mode: 0o600 });
    await writeFile(path.join(dir, 'masters'), opts.masterUser ? line(opts.masterUser) : '', { mode: 0o600 });
    const delimiter = opts.layout === 'fs' ? '/' : (opts.delimiter ?? '/');
    if (opts.tls) makeCertificate(dir);
    if (opts.oauth2IntrospectionUrl)
      await writeFile(
        path.join(dir, 'oauth2.conf'),
        [
          'introspection_mode = post',
          `introspection_url = ${opts.oauth2IntrospectionUrl}`,
          'username_attribute = username',
          'active_attribute = active',
          'active_value = true',
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
    for (let attempt = 1; ; attempt++) {
      const imapPort = await freePort();
      let pop3Port = await freePort();
      while (pop3Port === imapPort) pop3Port = await freePort();
      let imapsPort = 0;
      while (opts.tls && (imapsPort === 0 || imapsPort === imapPort || imapsPort === pop3Port))
        imapsPort = await freePort();
      let sievePort = 0;
      while (opts.sieve && (sievePort === 0 || [imapPort, pop3Port, imapsPort].includes(sievePort)))
        sievePort = await freePort();
      const conf = config(dir, opts, { delimiter, imapPort, pop3Port, imapsPort, sievePort, uid, gid });
      await writeFile(path.join(dir, 'dovecot.conf'), conf);
      const child = await launch(dir, imapPort, sievePort);
      // Another process may grab a probed port before Dovecot binds it: try other ports.
      if (child === 'EADDRINUSE' && attempt < 5) continue;
      if (child === 'EADDRINUSE') throw new Error(`Dovecot: ports kept being taken\n${await logTail(dir)}`);
      running.set(child, dir);
      const pid = child.pid!;
      const mailDir = (user: string) => path.join(dir, 'mail', user, 'Maildir');
      const stop = async () => {
        const kids = childPids(pid);
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM'); // the master stops its services first (about a second)
          if (!(await exited(child, 10_000))) killTree(child);
          await exited(child, 5_000);
        }
        for (let i = 0; i < 60 && kids.some(alive); i++) await sleep(50);
        killTree(child, kids);
        running.delete(child);
        await rm(dir, { recursive: true, force: true });
      };
      return {
        host: '127.0.0.1',
        imapPort,
        pop3Port,
        imapsPort,
        sievePort,
        certFile: opts.tls ? path.join(dir, 'cert.pem') : undefined,
        dir,
        delimiter,
        pid,
        mailDir,
        stop,
        kill: () => killTree(child),
      };
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

function systemUser(name: string): [number, number] {
  const f = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`))
    ?.split(':');
  if (!f) throw new Error(`no system user \`${name}\` to run Dovecot mail processes as`);
  return [Number(f[2]), Number(f[3])];
}

type Runtime = {
  delimiter: string;
  imapPort: number;
  pop3Port: number;
  imapsPort: number;
  sievePort: number;
  uid: number;
  gid: number;
};

/** A throwaway self-signed certificate for localhost and 127.0.0.1 (cert.pem, key.pem in `dir`). */
function makeCertificate(dir: string): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ],
    { stdio: 'pipe' },
  );
}

function config(dir: string, o: DovecotOptions, r: Runtime): string {
  const quota = o.quotaBytes !== undefined || o.maxMailSize !== undefined;
  const lines = [
    `base_dir = ${dir}/run`,
    `state_dir = ${dir}/state`,
    `log_path = ${dir}/dovecot.log`,
    `info_log_path = ${dir}/dovecot.log`,
    'auth_verbose = yes',
    `protocols = imap pop3${o.sieve ? ' sieve' : ''}`,
    '# Loopback only; plaintext auth without TLS is acceptable here and nowhere else.',
    'listen = 127.0.0.1',
    ...(o.tls ? ['ssl = yes', `ssl_cert = <${dir}/cert.pem`, `ssl_key = <${dir}/key.pem`] : ['ssl = no']),
    'disable_plaintext_auth = no',
    `auth_mechanisms = plain login${o.oauth2IntrospectionUrl ? ` ${(o.oauth2Mechanisms ?? ['xoauth2', 'oauthbearer']).join(' ')}` : ''}`,
    'auth_failure_delay = 0',
    'auth_master_user_separator = *',
    `mail_location = maildir:${dir}/mail/%u/Maildir${o.layout === 'fs' ? ':LAYOUT=fs' : ''}`,
    `mail_uid = ${r.uid}`,
    `mail_gid = ${r.gid}`,
    `first_valid_uid = ${r.uid}`,
    `mail_max_userip_connections = ${o.maxUserIpConnections ?? 50}`,
    // listescape can never put the IMAP separator in a name; with '/' it stores '.' as \2e on disk,
    // with '.' it stores '/'. Hence the '/' default: folder names with dots are common.
    `mail_plugins = listescape${quota ? ' quota' : ''}`,
    `namespace inbox {\n  inbox = yes\n  separator = ${r.delimiter}\n${Object.entries(o.specialUse ?? {})
      .map(([name, use]) => `  mailbox "${name}" {\n    special_use = ${use}\n  }\n`)
      .join('')}}`,
    ...(o.oauth2IntrospectionUrl
      ? [
          `passdb {\n  driver = oauth2\n  mechanisms = ${(o.oauth2Mechanisms ?? ['xoauth2', 'oauthbearer']).join(' ')}\n  args = ${dir}/oauth2.conf\n}`,
        ]
      : []),
    // Master passdb first: "alice*admin" + admin's password (or SASL PLAIN authzid=alice) is alice.
    `passdb {\n  driver = passwd-file\n  master = yes\n  args = ${dir}/masters\n  pass = yes\n}`,
    `passdb {\n  driver = passwd-file\n  args = ${dir}/users\n}`,
    `userdb {\n  driver = passwd-file\n  args = ${dir}/users\n}`,
    'service/auth/user = root',
    // Otherwise every login from an IP is delayed (2 s, doubling) after one failed login.
    'service/anvil/unix_listener/anvil-auth-penalty/mode = 0',
    `service/imap-login/inet_listener/imap/port = ${r.imapPort}`,
    `service/imap-login/inet_listener/imaps/port = ${r.imapsPort}`,
    `service/pop3-login/inet_listener/pop3/port = ${r.pop3Port}`,
    'service/pop3-login/inet_listener/pop3s/port = 0',
  ];
  if (o.sieve) {
    // The user's home holds the scripts; mail_location stays absolute, so the mail does not move.
    lines.push(
      `mail_home = ${dir}/mail/%u`,
      `service/managesieve-login/inet_listener/sieve/port = ${r.sievePort}`,
      'plugin/sieve = file:~/sieve;active=~/.dovecot.sieve',
    );
    if (o.sieve.extensions) lines.push(`plugin/sieve_extensions = ${o.sieve.extensions}`);
    if (o.sieve.maxScriptSize !== undefined)
      lines.push(`plugin/sieve_max_script_size = ${o.sieve.maxScriptSize}`);
  }
  if (o.quotaBytes !== undefined) lines.push('protocol imap {\n  mail_plugins = $mail_plugins imap_quota\n}');
  if (quota)
    lines.push('plugin/quota = count:User quota', 'plugin/quota_vsizes = yes', 'plugin/quota_grace = 0');
  if (o.quotaBytes !== undefined) lines.push(`plugin/quota_rule = *:storage=${o.quotaBytes}B`);
  if (o.maxMailSize !== undefined) {
    // Dovecot 2.3 never advertises APPENDLIMIT itself; quota_max_mail_size does the rejecting ([LIMIT]).
    lines.push(`imap_capability = +APPENDLIMIT=${o.maxMailSize}`);
    lines.push(`plugin/quota_max_mail_size = ${o.maxMailSize}B`);
  }
  return `# Generated by test/harness/dovecot.ts (section/key lines set settings inside sections).\n${lines.join('\n')}\n`;
}

/** Run `dovecot -F` and wait for the IMAP (and ManageSieve) greeting; 'EADDRINUSE' means retry on other ports. */
async function launch(
  dir: string,
  imapPort: number,
  sievePort: number,
): Promise<ChildProcess | 'EADDRINUSE'> {
  await rm(path.join(dir, 'dovecot.log'), { force: true });
  const child = spawn(DOVECOT, ['-F', '-c', path.join(dir, 'dovecot.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  child.on('error', (e) => (stderr += `\n${e.message}`));
  // A forgotten server must not keep the test process alive; the exit handler kills it.
  child.unref();
  (child.stderr as net.Socket).unref();
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(50)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = `${stderr}\n${await logTail(dir)}`;
      if (log.includes('Address already in use')) return 'EADDRINUSE';
      throw new Error(`Dovecot exited during start-up (${child.exitCode ?? child.signalCode}):\n${log}`);
    }
    if (
      (await greets(imapPort, '* OK')) &&
      (sievePort === 0 || (await greets(sievePort, '"IMPLEMENTATION"')))
    )
      return child;
  }
  killTree(child);
  throw new Error(`Dovecot did not greet on port ${imapPort} within 20 s:\n${stderr}\n${await logTail(dir)}`);
}

/** True when the port's greeting starts with `start` (IMAP `* OK`, ManageSieve `"IMPLEMENTATION"`). */
function greets(port: number, start: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    const done = (ok: boolean) => (sock.destroy(), resolve(ok));
    sock.setTimeout(1000, () => done(false));
    sock.on('error', () => done(false));
    sock.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) done(buf.startsWith(start));
    });
  });
}

async function logTail(dir: string): Promise<string> {
  const log = await readFile(path.join(dir, 'dovecot.log'), 'utf8').catch(() => '(no log file)');
  return log.split('\n').slice(-30).join('\n');
}

/** A port that was free a moment ago (bind 0, close); the race that remains is why start retries. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer().on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Direct children of `pid` (Linux /proc): Dovecot's services are all children of the master. */
function childPids(pid: number): number[] {
  const all = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  return all.map(Number).filter((p) => Number(procStat(p)?.[1]) === pid);
}

/** Fields after "pid (comm)": [state, ppid, ...]; undefined once the process is gone. */
function procStat(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

// Orphaned services go to PID 1, which on some machines (this VM) never reaps: a zombie counts as gone.
const alive = (pid: number) => (procStat(pid)?.[0] ?? 'Z') !== 'Z';

/** SIGKILL the master and its services, by PID only (never by name). */
function killTree(child: ChildProcess, kids = child.pid ? childPids(child.pid) : []): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const pid of kids.filter(alive)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* exited meanwhile */
    }
  }
}

/** Resolves true once `child` has exited, false after `ms` (a ref'd timer: the child itself is unref'd). */
function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => (clearTimeout(timer), resolve(true)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withClient<T>(
  s: DovecotServer,
  user: string,
  pass: string,
  fn: (c: ImapFlow) => Promise<T>,
): Promise<T> {
  const client = new ImapFlow({
    host: s.host,
    port: s.imapPort,
    secure: false,
    doSTARTTLS: false, // loopback test servers: plain text even where TLS is offered
    auth: { user, pass },
    logger: false,
  });
  client.on('error', () => undefined); // socket errors after connect would otherwise crash the process
  try {
    await client.connect();
  } catch (err) {
    client.close(); // imapflow keeps the socket after a failed login; open ones slow Dovecot's stop
    throw err;
  }
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Create `folder` (delimiter-joined path) if needed and APPEND the messages in order. */
export async function seedMessages(
  server: DovecotServer,
  user: string,
  password: string,
  folder: string,
  messages: Array<{ raw: Buffer | string; flags?: string[]; internalDate?: Date }>,
): Promise<void> {
  await withClient(server, user, password, async (client) => {
    if (folder.toUpperCase() !== 'INBOX') await client.mailboxCreate(folder.split(server.delimiter));
    for (const [i, m] of messages.entries()) {
      // imapflow's append() can resolve to false instead of throwing.
      if (!(await client.append(folder, m.raw, m.flags ?? [], m.internalDate))) {
        throw new Error(`APPEND of message ${i} to ${folder} failed`);
      }
    }
  });
}

/** One message as listAll reports it. */
export type ListedMessage = {
  uid: number;
  flags: string[];
  internalDate: Date;
  size: number;
  sha256: string;
};

/** Every selectable folder (sorted by path) with every message (by UID), for byte-exact comparisons. */
export async function listAll(
  server: DovecotServer,
  user: string,
  password: string,
): Promise<Array<{ path: string; messages: ListedMessage[] }>> {
  return withClient(server, user, password, async (client) => {
    const paths = (await client.list())
      .filter((b) => !b.flags.has('\\Noselect') && !b.flags.has('\\NonExistent'))
      .map((b) => b.path)
      .sort();
    const out = [];
    for (const p of paths) {
      const messages: ListedMessage[] = [];
      if ((await client.mailboxOpen(p, { readOnly: true })).exists > 0) {
        const query = { uid: true, flags: true, internalDate: true, size: true, source: true };
        // No IMAP command inside this loop (imapflow deadlocks, docs/pitfalls.md); only collect.
        for await (const m of client.fetch('1:*', query)) {
          const source = m.source ?? Buffer.alloc(0);
          messages.push({
            uid: m.uid,
            // \Recent is per-session state, not a stored flag: it would make comparisons flaky.
            flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort(),
            internalDate: new Date(m.internalDate ?? 0),
            size: m.size ?? source.length,
            sha256: createHash('sha256').update(source).digest('hex'),
          });
        }
      }
      out.push({ path: p, messages: messages.sort((a, b) => a.uid - b.uid) });
    }
    return out;
  });
}
