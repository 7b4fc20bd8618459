/**
 * Throwaway Xandikos 0.2 servers (Debian's `xandikos`) for the CalDAV/CardDAV tests: a temp data directory,
 * a free loopback port, `--defaults` (one principal /user/ with a calendar and an address book made at
 * start); stopped by its own PID. Xandikos has no authentication of its own: the Basic credentials a client
 * sends are ignored (whoever connects is /user/), so no test of a wrong password runs against it.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensurePackages } from './debian-packages.js';
import { type DavTestServer, rawRequest, waitForHttp } from './dav-server.js';
import { discardServer, freePort, logTail, reapOrphans, spawnServer, stopServer } from './server-process.js';

/** Start a private Xandikos; throws with the log tail if it does not come up. */
export async function startXandikos(): Promise<DavTestServer> {
  await ensurePackages(['xandikos']);
  reapOrphans('cutover-xandikos-');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cutover-xandikos-'));
  try {
    await chmod(dir, 0o700);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const s = spawnServer(
        '/usr/bin/xandikos',
        ['-d', path.join(dir, 'data'), '--defaults', '-l', '127.0.0.1', '-p', String(port)],
        {
          dir,
          logFile: path.join(dir, 'xandikos.log'),
          env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: dir, LANG: 'C.UTF-8' },
        },
      );
      const state = await waitForHttp(s, port, 15_000);
      if (state === 'OK') {
        return {
          host: '127.0.0.1',
          port,
          origin: `http://127.0.0.1:${port}`,
          principal: () => '/user/',
          calendarHome: () => '/user/calendars/',
          addressbookHome: () => '/user/contacts/',
          builtIn: { calendar: '/user/calendars/calendar/', addressbook: '/user/contacts/addressbook/' },
          checksPasswords: false,
          request: (_user, method, p, body, headers) => rawRequest(port, method, p, { body, headers }),
          pid: s.pid,
          stop: () => stopServer(s),
        };
      }
      const tail = await logTail(s);
      await discardServer(s);
      if (attempt < 5 && (state !== 'EXITED' || /in use/i.test(tail))) continue;
      throw new Error(`Xandikos did not start (${state}, port ${port}):\n${tail}`);
    }
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
