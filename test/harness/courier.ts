/**
 * Throwaway Courier-IMAP 5.0 servers (Debian 12's courier-imap) for integration tests: a third IMAP dialect
 * beside Dovecot and Cyrus. courier-imap conflicts with dovecot-imapd (imap-server) and courier-base pulls
 * in courier-authdaemon, a system service, so those two are unpacked into a cached prefix
 * (debian-packages.ts); only courier-authlib, courier-authlib-userdb and shared libraries come from apt.
 *
 * Courier's paths are compiled in: authdaemond reads /etc/courier/authdaemonrc and the userdb
 * /etc/courier/userdb{,shadow}.dat, and every login asks the daemon at /run/courier/authdaemon/socket.
 * So each server runs in a mount namespace of its own (`unshare --mount`, private propagation): an
 * overlay over /etc and /run (upper layers on a tmpfs, so the mount points can be made without touching
 * the real ones) and bind mounts of the temp directory's etc/ and run/ on /etc/courier and
 * /run/courier. Nothing outside the namespace sees them; they vanish with its last process.
 * The IMAP settings are Debian's /etc/courier/imapd and imapd-ssl as shipped, sourced like the init
 * script does, with a loopback address, a free port, no STARTTLS (no certificate) and a higher
 * per-IP connection limit. Mail processes run as `mail` (the userdb's uid/gid) in DIR/mail/USER/Maildir.
 *
 * What clients meet (pinned in courier.test.ts): personal namespace "INBOX." with "." as separator;
 * no MULTIAPPEND, LITERAL+, CONDSTORE, BINARY, MOVE or SPECIAL-USE; LOGIN only (no AUTH=PLAIN without
 * TLS). Start-up takes about 0.1 s once the prefix is cached.
 */
import { createHash } from 'node:crypto';
import { chmod, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
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
 * From apt: courier-authlib (authdaemond, makedatprog; no service), courier-authlib-userdb and the
 * libraries the unpacked binaries link (libgamin0 provides libfam.so.0). Unpacked, never installed:
 * courier-base (couriertcpd), courier-imap (imaplogin, imapd). Lists in debian-packages.json.
 */
const PACKAGES = packages.courier;
const AUTHDAEMOND = '/usr/lib/courier/courier-authlib/authdaemond';
const MAKEDAT = '/usr/lib/courier/courier-authlib/makedatprog';

/** What a test Courier should look like. */
export interface CourierOptions {
  /** Names: letters, digits, '.', '_', '-', '@' (userdb keys; not a path separator). */
  users: User[];
  /** couriertcpd -maxperip (Debian ships 20, with MAXDAEMONS=40 in all). Default 40. */
  maxConnectionsPerIp?: number;
}

/** A running server; stop() it in a `finally` or `after` hook. */
export interface CourierServer {
  host: '127.0.0.1';
  imapPort: number;
  dir: string;
  delimiter: '.';
  /** The personal namespace prefix the server reports (NAMESPACE). */
  namespacePrefix: 'INBOX.';
  /** PID (and process group) of couriertcpd; authdaemond and the IMAP sessions are its children. */
  pid: number;
  /** The Maildir of a user, for tests that look at the files. */
  mailDir(user: string): string;
  /** SIGTERM the process group, SIGKILL after 5 s; removes the temp directory. */
  stop(): Promise<void>;
  /** SIGKILL the whole process group at once (a crash); stop() still cleans up afterwards. */
  kill(): void;
}

/** Install authlib and the libraries, unpack courier-imap when missing (root); returns the prefix. */
export async function ensureCourier(): Promise<string> {
  await ensurePackages(PACKAGES.install);
  return unpackedPrefix('courier-imap', PACKAGES.unpack);
}

/** Start a private Courier-IMAP on a free loopback port; throws with the log tail if it does not come up. */
export async function startCourier(opts: CourierOptions): Promise<CourierServer> {
  const prefix = await ensureCourier();
  if (process.getuid?.() !== 0)
    throw new Error('startCourier needs root (mount namespace, setuid to `mail`)');
  for (const u of opts.users) {
    if (!/^[A-Za-z0-9._@-]+$/.test(u.user) || /[\r\n\0|]/.test(u.password)) {
      throw new Error(`unsupported test user name or password for ${JSON.stringify(u.user)}`);
    }
  }
  const maxPerIp = opts.maxConnectionsPerIp ?? 40;
  reapOrphans('cutover-courier-');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cutover-courier-'));
  try {
    const [uid, gid] = systemUser('mail');
    await chmod(dir, 0o711); // `mail` reaches DIR/mail/USER, cannot list DIR
    for (const d of ['etc/shared', 'run/authdaemon', 'ns'])
      await mkdir(path.join(dir, d), { recursive: true });
    await mkdir(path.join(dir, 'mail'), { mode: 0o711 });
    const mailDir = (user: string) => path.join(dir, 'mail', user, 'Maildir');
    await writeFile(
      path.join(dir, 'etc/authdaemonrc'),
      // Debian's file lists authpam; userdb is the module that needs no system accounts.
      'authmodulelist="authuserdb"\ndaemons=3\nauthdaemonvar=/run/courier/authdaemon\nDEBUG_LOGIN=0\nDEFAULTOPTIONS=""\nLOGGEROPTS=""\n',
    );
    // What makeuserdb writes (one "name<TAB>field=value|..." line each; passwords in the shadow file).
    const hash = (pw: string) => `{SHA256}${createHash('sha256').update(pw).digest('base64')}`;
    await makedat(
      dir,
      'userdb',
      opts.users.map(
        (u) =>
          `${u.user}\tuid=${uid}|gid=${gid}|home=${path.dirname(mailDir(u.user))}|mail=${mailDir(u.user)}|_=`,
      ),
    );
    await makedat(
      dir,
      'userdbshadow',
      opts.users.map((u) => `${u.user}\tsystempw=${hash(u.password)}`),
    );
    for (const u of opts.users) {
      // A Maildir is cur/new/tmp (what maildirmake creates), owned by the user (IMAP_MAILBOX_SANITY_CHECK).
      const home = path.dirname(mailDir(u.user));
      await mkdir(home, { mode: 0o700 });
      await chown(home, uid, gid);
      await mkdir(mailDir(u.user), { mode: 0o700 });
      await chown(mailDir(u.user), uid, gid);
      for (const sub of ['cur', 'new', 'tmp']) {
        await mkdir(path.join(mailDir(u.user), sub), { mode: 0o700 });
        await chown(path.join(mailDir(u.user), sub), uid, gid);
      }
    }
    await writeFile(path.join(dir, 'start.sh'), START_SCRIPT);
    for (let attempt = 1; ; attempt++) {
      const imapPort = await freePort();
      const s = spawnServer(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          'sh',
          path.join(dir, 'start.sh'),
          dir,
          prefix,
          String(imapPort),
          String(maxPerIp),
        ],
        { dir, logFile: path.join(dir, 'courier.log'), env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } },
      );
      const state = await waitForGreeting(s, imapPort, 10_000, 'Courier-IMAP');
      if (state === 'OK') {
        return {
          host: '127.0.0.1',
          imapPort,
          dir,
          delimiter: '.',
          namespacePrefix: 'INBOX.',
          pid: s.pid,
          mailDir,
          stop: () => stopServer(s),
          kill: () => killGroup(s.pid),
        };
      }
      const tail = await logTail(s);
      await discardServer(s);
      // couriertcpd exits when it cannot bind: another process took the probed port.
      if ((state !== 'EXITED' || tail.includes('Address already in use')) && attempt < 5) continue;
      throw new Error(`Courier did not start (${state}, port ${imapPort}):\n${tail}`);
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

// Runs inside the new mount namespace as `sh start.sh DIR PREFIX PORT MAXPERIP`; ends by exec'ing
// couriertcpd, so the spawned PID stays the server's. Mirrors Debian's /usr/sbin/authdaemond and
// /usr/lib/courier/imapd start scripts.
const START_SCRIPT = `# Generated by test/harness/courier.ts
set -e
D=$1; P=$2
mount -t tmpfs cutover-courier "$D/ns"
for t in etc run; do
  mkdir -p "$D/ns/$t/upper/courier" "$D/ns/$t/work"
  mount -t overlay cutover-courier -o "lowerdir=/$t,upperdir=$D/ns/$t/upper,workdir=$D/ns/$t/work" "/$t"
done
mount --bind "$D/etc" /etc/courier
mount --bind "$D/run" /run/courier
(set -a; . /etc/courier/authdaemonrc; exec ${AUTHDAEMOND}) &
set -a
. "$P/etc/courier/imapd"
. "$P/etc/courier/imapd-ssl"
ADDRESS=127.0.0.1
PORT=$3
MAXPERIP=$4
[ "$MAXPERIP" -le "$MAXDAEMONS" ] || MAXDAEMONS=$MAXPERIP
IMAP_STARTTLS=NO
set +a
umask "$IMAP_UMASK"
ulimit -v "$IMAP_ULIMITD"
exec "$P/usr/sbin/couriertcpd" -address=$ADDRESS -maxprocs=$MAXDAEMONS -maxperip=$MAXPERIP $TCPDOPTS \\
  "$PORT" "$P/usr/lib/courier/courier/imaplogin" "$P/usr/bin/imapd" "$MAILDIRPATH"
`;

/** Write DIR/etc/NAME.dat (gdbm) from "key<TAB>value" lines with authlib's makedatprog, as makeuserdb does. */
function makedat(dir: string, name: string, lines: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      MAKEDAT,
      ['-', path.join(dir, `etc/${name}.tmp`), path.join(dir, `etc/${name}.dat`)],
      {
        stdio: ['pipe', 'ignore', 'pipe'],
      },
    );
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`makedatprog ${name} failed (${code}): ${err}`)),
    );
    child.stdin.end(`${lines.join('\n')}\n.\n`);
  });
}
