/**
 * Throwaway Cyrus IMAP 3.6.1 servers (Debian 12's cyrus-imapd) for integration tests: a second IMAP dialect
 * beside Dovecot.
 *
 * Install: cyrus-imapd conflicts with dovecot-imapd (both provide imap-server) and cyrus-common depends on
 * an MTA (default-mta: exim4, a system service) and ships its own service, so neither is installed. Only the
 * libraries come from apt (debian-packages.json); `apt-get download cyrus-common cyrus-imapd sasl2-bin` +
 * `dpkg-deb -x` fill a cached prefix (debian-packages.ts), libcyrus*.so found through LD_LIBRARY_PATH.
 * Config: Debian's shipped imapd.conf with every path moved into a temp directory, plus servername (unique
 * per server: the SASL realm of its users), admins, cyrus_user/group `mail` (no `cyrus` user
 * exists), a private sasldb (saslpasswd2 -f), sasl_mech_list PLAIN LOGIN and failedloginpause 0. cyrus.conf
 * runs only imapd on a free loopback port. INBOX is created at first login (Debian's autocreate_quota: 0).
 * Start-up: about 0.1 s (master + greeting); the first use on a machine adds the download, about 1 s.
 *
 * What a client meets, pinned by cyrus.test.ts (exact words):
 * - CAPABILITY after login: IMAP4rev1 LITERAL+ ID ENABLE ACL ANNOTATE-EXPERIMENT-1 BINARY CATENATE CHILDREN
 *   CONDSTORE CREATE-SPECIAL-USE ESEARCH ESORT LIST-EXTENDED LIST-MYRIGHTS LIST-STATUS MAILBOX-REFERRALS
 *   METADATA MOVE MULTIAPPEND NAMESPACE OBJECTID PREVIEW QRESYNC QUOTA RIGHTS=kxten SAVEDATE SEARCH=FUZZY SORT
 *   SORT=DISPLAY SPECIAL-USE STATUS=SIZE THREAD=ORDEREDSUBJECT THREAD=REFERENCES UIDPLUS UNSELECT URLAUTH
 *   URLAUTH=BINARY WITHIN DIGEST=SHA1 LIST-METADATA NO_ATOMIC_RENAME SCAN SORT=MODSEQ SORT=UID THREAD=REFS
 *   X-CREATEDMODSEQ X-REPLICATION X-SIEVE-MAILBOX XLIST XMOVE LOGINDISABLED COMPRESS=DEFLATE X-QUOTA=STORAGE
 *   X-QUOTA=MESSAGE X-QUOTA=X-ANNOTATION-STORAGE X-QUOTA=X-NUM-FOLDERS IDLE APPENDLIMIT=4294967295
 *   (no UTF8=ACCEPT: folder names travel as modified UTF-7, emoji included).
 * - NAMESPACE: (("INBOX." ".")) (("user." ".")) (("" ".")). Wrong password: NO Login failed: authentication failure.
 * - Folder names with % " \ { } ! ; < > | & (bad modified UTF-7) / TAB, or raw UTF-8: NO Invalid mailbox name.
 *   Taken: * ~ # ^, leading/trailing spaces, emoji. Outside INBOX.: NO Permission denied. Existing: NO Mailbox
 *   already exists. CREATE A.B also makes A a real, selectable mailbox.
 * - APPEND of an empty literal: NO Zero-length message literal. No header section: NO Message contains invalid
 *   header (then "* BAD Invalid tag" for the command's last CRLF). Bare LF: NO Message contains bare newlines.
 *   NUL in a plain literal: NO Message contains NUL characters; in a literal8 (~{n}) it is stored and served
 *   as literal8 in BODY[] and BINARY[] (imapflow uses literal8 by itself here). A bare CR is kept.
 * - munge8bit: yes (upstream default, Debian leaves it): every raw 8-bit header byte becomes 'X', same size.
 * - 100 keywords per folder: the 101st, by STORE or APPEND: NO Too many user flags in mailbox (imapflow's
 *   messageFlagsAdd returns false).
 * - CLOSE expunges \Deleted, UNSELECT does not; MULTIAPPEND answers [APPENDUID v 1:2].
 */
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import packages from './debian-packages.json' with { type: 'json' };
import { ensurePackages, unpackedPrefix } from './debian-packages.js';
import {
  discardServer,
  freePort,
  killGroup,
  logTail,
  reapOrphans,
  spawnServer,
  stopServer,
  systemUser,
  waitForGreeting,
} from './server-process.js';

type User = { user: string; password: string };

/**
 * From apt: the shared libraries the unpacked master, imapd and saslpasswd2 link, and the SASL plugins
 * (libsasl2-modules: PLAIN, LOGIN; libsasl2-modules-db: sasldb). Unpacked, never installed:
 * cyrus-common, cyrus-imapd, sasl2-bin. Lists in debian-packages.json (scripts/test.mjs reads them too).
 */
const PACKAGES = packages.cyrus;

/** What a test Cyrus should look like. */
export interface CyrusOptions {
  /** Names: lower-case letters, digits, '_' and '-' ('.' is Cyrus's hierarchy separator here). */
  users: User[];
}

/** A running server; stop() it in a `finally` or `after` hook. */
export interface CyrusServer {
  host: '127.0.0.1';
  imapPort: number;
  dir: string;
  delimiter: '.';
  /** The personal namespace prefix the server reports (NAMESPACE). */
  namespacePrefix: 'INBOX.';
  /** Cyrus admin (`admins:`), for tests that look at other users' mailboxes ("user.NAME"). */
  admin: User;
  /** PID (and process group) of the Cyrus master. */
  pid: number;
  /** SIGTERM the master and its imapd children, SIGKILL after 5 s; removes the temp directory. */
  stop(): Promise<void>;
  /** SIGKILL the master and its children at once (a crash); stop() still cleans up afterwards. */
  kill(): void;
}

/** Install the libraries and unpack the Cyrus packages when missing (root); returns the prefix. */
export async function ensureCyrus(): Promise<string> {
  await ensurePackages(PACKAGES.install);
  return unpackedPrefix('cyrus-imapd', PACKAGES.unpack);
}

/** Start a private Cyrus on a free loopback port; throws with the log tail if it does not come up. */
export async function startCyrus(opts: CyrusOptions): Promise<CyrusServer> {
  const prefix = await ensureCyrus();
  if (process.getuid?.() !== 0) throw new Error('startCyrus needs root (the master switches to `mail`)');
  for (const u of opts.users) {
    if (!/^[a-z0-9_-]+$/.test(u.user) || /[\r\n\0]/.test(u.password)) {
      throw new Error(`unsupported test user name or password for ${JSON.stringify(u.user)}`);
    }
  }
  reapOrphans('cutover-cyrus-');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cutover-cyrus-'));
  try {
    const [uid, gid] = systemUser('mail');
    const libDir = await cyrusLibDir(prefix);
    // The SASL realm of every user is the servername (unique, so logs and greetings tell servers apart).
    const servername = `cutover-cyrus-${randomBytes(4).toString('hex')}`;
    const admin = { user: 'cutoveradmin', password: randomBytes(9).toString('base64url') };
    for (const d of ['conf', 'spool', 'sieve', 'run/proc', 'run/lock', 'run/socket'])
      await mkdir(path.join(dir, d), { recursive: true });
    await writeFile(path.join(dir, 'imapd.conf'), await imapdConf(prefix, dir, servername, admin.user));
    for (const u of [admin, ...opts.users]) await saslpasswd(prefix, libDir, dir, servername, u);
    await chownTree(dir, uid, gid);
    await chmod(dir, 0o700);
    for (let attempt = 1; ; attempt++) {
      const imapPort = await freePort();
      await writeFile(path.join(dir, 'cyrus.conf'), cyrusConf(prefix, dir, imapPort));
      const s = spawnServer(
        path.join(prefix, 'usr/lib/cyrus/bin/master'),
        // -D keeps stderr (fatal errors land in the log); without -d the master stays in the foreground.
        [
          '-D',
          '-C',
          path.join(dir, 'imapd.conf'),
          '-M',
          path.join(dir, 'cyrus.conf'),
          '-p',
          `${dir}/run/master.pid`,
        ],
        {
          dir,
          logFile: path.join(dir, 'master.log'),
          env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LD_LIBRARY_PATH: libDir },
        },
      );
      // The master logs to syslog (absent here) and keeps running when it cannot bind: a port taken by
      // someone else shows up as a greeting from a socket that is not the master's, or as none at all.
      const state = await waitForGreeting(s, imapPort, 10_000);
      if (state === 'OK') {
        return {
          host: '127.0.0.1',
          imapPort,
          dir,
          delimiter: '.',
          namespacePrefix: 'INBOX.',
          admin,
          pid: s.pid,
          stop: () => stopServer(s),
          kill: () => killGroup(s.pid),
        };
      }
      const tail = await logTail(s);
      await discardServer(s);
      if (state !== 'EXITED' && attempt < 5) continue;
      throw new Error(`Cyrus did not start (${state}, port ${imapPort}):\n${tail}`);
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Debian's shipped imapd.conf with private paths and the settings a test server needs. */
async function imapdConf(prefix: string, dir: string, servername: string, admin: string): Promise<string> {
  const set: Record<string, string> = {
    configdirectory: `${dir}/conf`,
    proc_path: `${dir}/run/proc`,
    mboxname_lockpath: `${dir}/run/lock`,
    'partition-default': `${dir}/spool`,
    'partition-news': `${dir}/spool-news`,
    newsspool: `${dir}/news`,
    sievedir: `${dir}/sieve`,
    lmtpsocket: `${dir}/run/socket/lmtp`,
    idlesocket: `${dir}/run/socket/idle`,
    notifysocket: `${dir}/run/socket/notify`,
    servername,
    admins: admin,
    // Not in Debian's file: run as `mail` (no `cyrus` user is created, the package is not installed).
    cyrus_user: 'mail',
    cyrus_group: 'mail',
    sasl_auxprop_plugin: 'sasldb',
    sasl_sasldb_path: `${dir}/sasldb2`,
    // Only what the sasldb offers to every client; CRAM/DIGEST/SCRAM would depend on installed plugins.
    sasl_mech_list: 'PLAIN LOGIN',
    syslog_prefix: servername,
    // Upstream's default pauses 3 s after each failed login; tests of wrong passwords need no wait.
    failedloginpause: '0',
  };
  const shipped = await readFile(path.join(prefix, 'etc/imapd.conf'), 'utf8');
  const seen = new Set<string>();
  const lines = shipped.split('\n').map((line) => {
    const m = /^([A-Za-z0-9_-]+):/.exec(line);
    if (!m || set[m[1]!] === undefined) return line;
    seen.add(m[1]!);
    return `${m[1]}: ${set[m[1]!]}`;
  });
  const added = Object.keys(set).filter((k) => !seen.has(k));
  return `${lines.join('\n')}\n# Added by test/harness/cyrus.ts\n${added.map((k) => `${k}: ${set[k]}`).join('\n')}\n`;
}

/** Only imapd: Debian's file also starts pop3d, nntpd, httpd, lmtpd, sieve and notifyd on fixed ports. */
function cyrusConf(prefix: string, dir: string, port: number): string {
  const imapd = path.join(prefix, 'usr/lib/cyrus/bin/imapd');
  return [
    '# Generated by test/harness/cyrus.ts. No START (fresh databases need no recovery), no EVENTS.',
    'START {',
    '}',
    'SERVICES {',
    `  imap cmd="${imapd} -C ${dir}/imapd.conf" listen="127.0.0.1:${port}" prefork=0 maxchild=100`,
    '}',
    'EVENTS {',
    '}',
    '',
  ].join('\n');
}

/** The directory holding libcyrus*.so inside the prefix (multiarch triplet). */
async function cyrusLibDir(prefix: string): Promise<string> {
  const lib = path.join(prefix, 'usr/lib');
  const triplet = (await readdir(lib)).find((d) => d.endsWith('-linux-gnu'));
  if (!triplet) throw new Error(`no usr/lib/*-linux-gnu in ${prefix}`);
  return path.join(lib, triplet);
}

/** Add a user to the private sasldb (saslpasswd2 -f), in the servername realm. */
function saslpasswd(prefix: string, libDir: string, dir: string, realm: string, u: User): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(prefix, 'usr/sbin/saslpasswd2'),
      ['-f', path.join(dir, 'sasldb2'), '-p', '-c', '-u', realm, u.user],
      { env: { LD_LIBRARY_PATH: libDir }, stdio: ['pipe', 'ignore', 'pipe'] },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`saslpasswd2 ${u.user} failed (${code}): ${err}`)),
    );
    child.stdin.end(u.password); // -p: the password is read from stdin, without a newline
  });
}

async function chownTree(p: string, uid: number, gid: number): Promise<void> {
  await chown(p, uid, gid);
  for (const e of await readdir(p, { withFileTypes: true })) {
    const full = path.join(p, e.name);
    if (e.isDirectory()) await chownTree(full, uid, gid);
    else await chown(full, uid, gid);
  }
}
