/**
 * Throwaway Courier-IMAP 5.0.13 servers (Debian 12's courier-imap) for integration tests: a third IMAP
 * dialect beside Dovecot and Cyrus.
 *
 * Install: courier-imap conflicts with dovecot-imapd (imap-server) and courier-base depends on
 * courier-authdaemon, a system service, so `apt-get download courier-base courier-imap` + `dpkg-deb -x` fill
 * a cached prefix (debian-packages.ts); courier-authlib (authdaemond, makedatprog; no service),
 * courier-authlib-userdb and the libraries come from apt (debian-packages.json).
 * Isolation: Courier's paths are compiled in (authdaemond reads /etc/courier/authdaemonrc and
 * /etc/courier/userdb{,shadow}.dat, every login asks /run/courier/authdaemon/socket), so each server runs in
 * a mount namespace of its own (`unshare --mount`, private propagation): overlays on /etc and /run whose
 * upper layers live on a tmpfs (mount points without touching the real trees), then bind mounts of the temp
 * directory's etc/ and run/ on /etc/courier and /run/courier. Nothing outside sees them; they vanish with
 * the namespace's last process. Users: a userdb (as makeuserdb writes it) with {SHA256} passwords, mail
 * processes as `mail` in DIR/mail/USER/Maildir (cur/new/tmp, as maildirmake makes them).
 * Config: Debian's /etc/courier/imapd and imapd-ssl as shipped, sourced like its init script (umask,
 * ulimit -v), with ADDRESS=127.0.0.1, a free PORT, IMAP_STARTTLS=NO (no certificate) and MAXPERIP 40.
 * Start-up: about 0.1 s; the first use on a machine adds the download, about 1 s.
 *
 * What a client meets, pinned by courier.test.ts (exact words):
 * - CAPABILITY before and after login: IMAP4rev1 UIDPLUS CHILDREN NAMESPACE THREAD=ORDEREDSUBJECT
 *   THREAD=REFERENCES SORT QUOTA IDLE ACL ACL2=UNION ENABLE UTF8=ACCEPT. No MULTIAPPEND, LITERAL+, CONDSTORE,
 *   QRESYNC, BINARY, MOVE, UNSELECT, SPECIAL-USE, ID, AUTH=PLAIN (LOGIN only). imapflow enables UTF8=ACCEPT.
 * - NAMESPACE: (("INBOX." ".")) NIL (("#shared." ".")("shared." ".")). Wrong password: NO Login failed.,
 *   after a compiled-in 5 s pause.
 * - Unknown commands and syntax (UNSELECT, MOVE, ID, CREATE ... (USE ...), literal8, LITERAL+, BINARY[],
 *   a second MULTIAPPEND literal): NO Error in IMAP command received by server. A MULTIAPPEND stores its
 *   first message before that NO. LITERAL+ desynchronises: the literal's bytes are read as commands.
 * - Folder names: takes % " \ { } ! ; < > | * ~ # ^ and leading/trailing spaces; '/': NO Invalid mailbox name.;
 *   '&' not written "&-": NO Error in IMAP command received by server.; existing: NO Cannot create this
 *   folder.; INBOX: NO INBOX already exists!; outside INBOX. or "A..B": NO Invalid mailbox name.; "INBOX.Z."
 *   answers OK but no folder appears. CREATE A.B leaves A \Noselect (SELECT: NO Mailbox does not exist, or
 *   must be subscribed to.) until A is created.
 * - A name with } ~ [ or ] sent as an atom is a syntax error (CREATE) or "does not exist" (SELECT, STATUS,
 *   APPEND: NO Must create mailbox before append); quoted it works. imapflow sends } and ~ as atoms, so
 *   through imapflow such folders can be neither created nor opened.
 * - Emoji (outside the BMP): as modified UTF-7 refused (NO Error in IMAP command...); raw UTF-8 without
 *   ENABLE is mangled ("INBOX.x&,,D,n,+Y,4A-y"); with UTF8=ACCEPT fine, but then a LIST "*" from a client
 *   without it drops the connection (log: imap_filename_to_foldername(...) failed).
 * - Messages: an empty APPEND is stored as one CRLF; no header section: stored as is; bare LF becomes CRLF;
 *   a bare CR is dropped; NUL bytes are taken in a plain literal and served as is in BODY[]; raw 8-bit headers
 *   are kept, with "* OK [ALERT] Your IMAP client does not appear to correctly implement Unicode messages,
 *   see https://tools.ietf.org/html/rfc6855.html". APPEND to the folder this session EXAMINEd: NO Current box
 *   is selected READ-ONLY.
 * - No keyword limit met at 150 per folder. CLOSE expunges \Deleted (and there is no UNSELECT).
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
      const state = await waitForGreeting(s, imapPort, 10_000);
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
