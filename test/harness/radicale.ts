/**
 * Throwaway Radicale 3.1 servers (Debian's `radicale`) for the CalDAV/CardDAV tests: a private config,
 * htpasswd users with plain passwords, a temp storage folder, a free loopback port, owner-only rights. Run
 * with the system /usr/bin/python3 (another python3 on PATH may lack the module); stopped by its own PID.
 * Each user's principal and home are /USER/; Radicale makes no collection for a new user.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensurePackages } from './debian-packages.js';
import { type DavTestServer, rawRequest, waitForHttp } from './dav-server.js';
import { discardServer, freePort, logTail, reapOrphans, spawnServer, stopServer } from './server-process.js';

type User = { user: string; password: string };

/** Start a private Radicale; throws with the log tail if it does not come up. */
export async function startRadicale(opts: { users: User[] }): Promise<DavTestServer> {
  await ensurePackages(['radicale']);
  for (const u of opts.users)
    if (!/^[a-z0-9_-]+$/.test(u.user) || /[:\r\n]/.test(u.password))
      throw new Error(`unsupported test user name or password for ${JSON.stringify(u.user)}`);
  reapOrphans('cutover-radicale-');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cutover-radicale-'));
  try {
    await chmod(dir, 0o700);
    await writeFile(path.join(dir, 'users'), opts.users.map((u) => `${u.user}:${u.password}\n`).join(''), {
      mode: 0o600,
    });
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      await writeFile(path.join(dir, 'config'), config(dir, port));
      const s = spawnServer('/usr/bin/python3', ['-m', 'radicale', '--config', path.join(dir, 'config')], {
        dir,
        logFile: path.join(dir, 'radicale.log'),
        env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: dir, LANG: 'C.UTF-8' },
      });
      const state = await waitForHttp(s, port, 15_000);
      if (state === 'OK') {
        const password = (user: string) => opts.users.find((u) => u.user === user)?.password ?? '';
        return {
          host: '127.0.0.1',
          port,
          origin: `http://127.0.0.1:${port}`,
          principal: (user) => `/${user}/`,
          calendarHome: (user) => `/${user}/`,
          addressbookHome: (user) => `/${user}/`,
          builtIn: {},
          checksPasswords: true,
          request: (user, method, p, body, headers) =>
            rawRequest(port, method, p, { auth: `${user}:${password(user)}`, body, headers }),
          pid: s.pid,
          stop: () => stopServer(s),
        };
      }
      const tail = await logTail(s);
      await discardServer(s);
      if (state !== 'EXITED' && attempt < 5) continue;
      if (state === 'EXITED' && /in use/i.test(tail) && attempt < 5) continue;
      throw new Error(`Radicale did not start (${state}, port ${port}):\n${tail}`);
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

function config(dir: string, port: number): string {
  return `[server]
hosts = 127.0.0.1:${port}

[auth]
type = htpasswd
htpasswd_filename = ${dir}/users
htpasswd_encryption = plain
# Upstream waits a second after a failed login; tests of wrong passwords need no wait.
delay = 0

[rights]
type = owner_only

[storage]
filesystem_folder = ${dir}/collections

[web]
type = none

[logging]
level = info
mask_passwords = True
`;
}
