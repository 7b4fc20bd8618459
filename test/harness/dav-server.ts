/**
 * What the CalDAV/CardDAV test servers (radicale.ts, xandikos.ts) share: the running server's shape, the
 * wait until the server's own process answers HTTP on its port, and raw HTTP for seeding collections and
 * items the way a client would (MKCALENDAR, extended MKCOL, PUT) — independent of the connector under test.
 */
import http from 'node:http';
import { listensOn, sleep, type ServerProcess } from './server-process.js';

/** A running DAV test server; stop() it in an `after` hook. */
export interface DavTestServer {
  host: '127.0.0.1';
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** The principal of `user` (Xandikos has one principal, /user/, whoever logs in). */
  principal(user: string): string;
  /** Where `user`'s calendars and address books are made. */
  calendarHome(user: string): string;
  addressbookHome(user: string): string;
  /** The calendar and address book the server makes itself for a new user (none for Radicale). */
  builtIn: { calendar?: string; addressbook?: string };
  /** Whether Basic credentials are checked (Xandikos: no authentication of its own, they are ignored). */
  checksPasswords: boolean;
  /** One raw request as `user` (Basic login with the user's password); the whole answer. */
  request(
    user: string,
    method: string,
    path: string,
    body?: string,
    headers?: Record<string, string>,
  ): Promise<RawAnswer>;
  pid: number;
  stop(): Promise<void>;
}

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One HTTP request to 127.0.0.1:`port`. */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  opts: { auth?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.auth) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    if (opts.body !== undefined) {
      headers['content-type'] ??= 'application/xml; charset=utf-8';
      headers['content-length'] = String(Buffer.byteLength(opts.body));
    }
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(parts).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.setTimeout(5000, () => req.destroy(new Error('no answer')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/**
 * Wait until `port` answers HTTP from a socket the server process itself listens on ('FOREIGN': another
 * process took the port). 'EXITED' if the server died first.
 */
export async function waitForHttp(
  s: ServerProcess,
  port: number,
  timeoutMs: number,
): Promise<'OK' | 'EXITED' | 'TIMEOUT' | 'FOREIGN'> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(50)) {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return 'EXITED';
    const ok = await rawRequest(port, 'OPTIONS', '/').then(
      (a) => a.status > 0,
      () => false,
    );
    if (!ok) continue;
    return listensOn(s.pid, port) ? 'OK' : 'FOREIGN';
  }
  return 'TIMEOUT';
}

/** MKCALENDAR with a display name (and the components it takes, when given), as a client makes one. */
export function mkcalendarBody(displayName: string, components?: string[]): string {
  const comps = components
    ? `<C:supported-calendar-component-set>${components.map((c) => `<C:comp name="${c}"/>`).join('')}</C:supported-calendar-component-set>`
    : '';
  return `<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop><D:displayname>${displayName}</D:displayname>${comps}</D:prop></D:set></C:mkcalendar>`;
}

/** Extended MKCOL (RFC 5689) of an address book with a display name. */
export function mkaddressbookBody(displayName: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><D:mkcol xmlns:D="DAV:" xmlns:A="urn:ietf:params:xml:ns:carddav"><D:set><D:prop><D:resourcetype><D:collection/><A:addressbook/></D:resourcetype><D:displayname>${displayName}</D:displayname></D:prop></D:set></D:mkcol>`;
}

/** Seed through a server's raw requests: create a calendar / address book, put an item. */
export function seeder(s: Pick<DavTestServer, 'request'>, user: string) {
  const must = async (what: string, p: Promise<RawAnswer>, ok: number[]) => {
    const a = await p;
    if (!ok.includes(a.status)) throw new Error(`${what}: ${a.status} ${a.body.slice(0, 300)}`);
    return a;
  };
  return {
    calendar: (path: string, name: string, components?: string[]) =>
      must(
        `MKCALENDAR ${path}`,
        s.request(user, 'MKCALENDAR', path, mkcalendarBody(name, components)),
        [201],
      ),
    addressbook: (path: string, name: string) =>
      must(`MKCOL ${path}`, s.request(user, 'MKCOL', path, mkaddressbookBody(name)), [201]),
    put: (path: string, data: string) =>
      must(
        `PUT ${path}`,
        s.request(user, 'PUT', path, data, {
          'content-type': path.endsWith('.vcf')
            ? 'text/vcard; charset=utf-8'
            : 'text/calendar; charset=utf-8',
        }),
        [201, 204],
      ),
    remove: (path: string) => must(`DELETE ${path}`, s.request(user, 'DELETE', path), [200, 204]),
  };
}
