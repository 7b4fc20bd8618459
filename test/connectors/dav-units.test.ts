/**
 * The CalDAV/CardDAV connector's pieces without a DAV server: multistatus reading (every response, each
 * status, CRLF kept through XML), canonical paths and UID-made names, the tiny UID reader, and the HTTP
 * edge's mapping of 401/429/503/500 and Retry-After, against a local node:http server on loopback.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { DavHttp, retryAfterMs } from '../../src/connectors/dav/dav-http.js';
import { davPath, itemName } from '../../src/connectors/dav/dav-paths.js';
import { readUid } from '../../src/connectors/dav/dav-uid.js';
import { NS, parseMultistatus, propRaw, propText } from '../../src/connectors/dav/dav-xml.js';
import { CutoverError, ErrorCode, RateLimitError, TransientError } from '../../src/errors.js';

test('every response of a multistatus is read, with its own status, errors and description', () => {
  const xml = `<?xml version="1.0"?>
<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
 <D:response><D:href>/c/a.ics</D:href><D:propstat><D:prop><D:getetag>"1"</D:getetag>
  <C:calendar-data>BEGIN:VCALENDAR\r\nX:a &amp; b\r\nEND:VCALENDAR\r\n</C:calendar-data></D:prop>
  <D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
 <D:response><D:href>/c/b.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>
 <D:response><D:href>/c/c.ics</D:href><D:status>HTTP/1.1 412 Precondition Failed</D:status>
  <D:error><C:no-uid-conflict/></D:error><D:responsedescription>UID in use</D:responsedescription></D:response>
 <D:response><D:href>/c/d.ics</D:href><D:propstat><D:prop><C:calendar-data><![CDATA[A\r\nB]]></C:calendar-data></D:prop>
  <D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>
 <D:sync-token>tok-1</D:sync-token>
</D:multistatus>`;
  const ms = parseMultistatus(xml, 'test');
  assert.equal(ms.responses.length, 4);
  assert.equal(ms.syncToken, 'tok-1');
  const [a, b, c, d] = ms.responses;
  assert.equal(propText(a!, NS.d, 'getetag'), '"1"');
  assert.equal(propRaw(a!, NS.c, 'calendar-data'), 'BEGIN:VCALENDAR\r\nX:a & b\r\nEND:VCALENDAR\r\n');
  assert.equal(b!.status, 404);
  assert.deepEqual([c!.status, c!.errors, c!.description], [412, ['no-uid-conflict'], 'UID in use']);
  assert.equal(propRaw(d!, NS.c, 'calendar-data'), 'A\r\nB');
});

test('a body that is not a multistatus is a protocol error', () => {
  assert.throws(
    () => parseMultistatus('<html>oops', 'Listing'),
    (e: unknown) => {
      assert.ok(e instanceof TransientError);
      assert.equal(e.code, ErrorCode.ProtocolError);
      return true;
    },
  );
  assert.throws(() => parseMultistatus('<D:error xmlns:D="DAV:"/>', 'Listing'), /expected a DAV multistatus/);
});

test('hrefs have one canonical form', () => {
  assert.equal(davPath('/u/cal/a@b.ics'), '/u/cal/a%40b.ics');
  assert.equal(davPath('/u/cal/a%40b.ics'), '/u/cal/a%40b.ics');
  assert.equal(davPath('http://h:1/u/cal', true), '/u/cal/');
  assert.equal(davPath('http%3A//127.0.0.1%3A5232/user/calendars/work/', true), '/user/calendars/work/');
  assert.equal(davPath('/a//b/'), '/a/b/');
});

test('a new item’s name comes from its UID, the same every time, safe, and distinct for distinct UIDs', () => {
  assert.equal(itemName('abc-123@example.com', '.ics'), 'abc-123@example.com.ics');
  const odd = itemName('a/b c', '.vcf');
  assert.match(odd, /^a_b_c-[0-9a-f]{12}\.vcf$/);
  assert.notEqual(itemName('a/b c', '.vcf'), itemName('a_b_c', '.vcf'));
  assert.equal(itemName('a/b c', '.vcf'), odd);
  assert.match(itemName('.hidden', '.ics'), /^_hidden-[0-9a-f]{12}\.ics$/);
  assert.ok(itemName('x'.repeat(500), '.ics').length <= 104);
});

test('the UID is read from the event, task or card, not from an alarm or a time zone', () => {
  const ics = [
    'BEGIN:VCALENDAR',
    'BEGIN:VTIMEZONE',
    'TZID:Europe/Berlin',
    'END:VTIMEZONE',
    'BEGIN:VEVENT',
    'BEGIN:VALARM',
    'UID:alarm-uid',
    'END:VALARM',
    'UID:event-',
    ' uid-folded',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
  assert.equal(readUid(ics), 'event-uid-folded');
  assert.equal(readUid('BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:1234\r\nEND:VCARD\r\n'), 'urn:uuid:1234');
  assert.equal(readUid('BEGIN:VCARD\r\nVERSION:3.0\r\nFN:No Uid\r\nEND:VCARD\r\n'), undefined);
});

test('Retry-After is read as seconds or as an HTTP date', () => {
  assert.equal(retryAfterMs('7'), 7000);
  assert.equal(retryAfterMs(new Date(61_000).toUTCString(), 1_000), 60_000);
  assert.equal(retryAfterMs(undefined), 0);
  assert.equal(retryAfterMs('soon'), 0);
});

describe('the HTTP edge', () => {
  let server: http.Server;
  let dav: DavHttp;
  const answers: Record<string, [number, Record<string, string>]> = {
    '/auth': [401, { 'www-authenticate': 'Basic realm="x"' }],
    '/slow': [429, { 'retry-after': '12' }],
    '/busy': [503, { 'retry-after': '3' }],
    '/broken': [500, {}],
    '/ok': [207, {}],
  };
  before(async () => {
    server = http.createServer((req, res) => {
      const [status, headers] = answers[req.url ?? ''] ?? [404, {}];
      res.writeHead(status, {
        ...headers,
        'x-method': req.method ?? '',
        'x-auth': req.headers.authorization ?? '',
      });
      res.end('words');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    dav = new DavHttp({
      origin: `http://127.0.0.1:${port}`,
      authorization: 'Basic eDp5',
      user: 'x',
      insecure: false,
    });
  });
  after(() => server.close());

  test('custom methods and the login reach the server; other statuses are handed back', async () => {
    const a = await dav.send('PROPFIND', '/ok', { depth: '0', body: '<x/>' });
    assert.equal(a.status, 207);
    assert.equal(a.headers['x-method'], 'PROPFIND');
    assert.equal(a.headers['x-auth'], 'Basic eDp5');
    assert.equal((await dav.send('REPORT', '/nothing')).status, 404);
  });

  test('401 is AuthFailed with a hint; 429 and 503 wait as told; 500 is retried', async () => {
    await assert.rejects(dav.send('PROPFIND', '/auth'), (e: unknown) => {
      assert.ok(e instanceof CutoverError);
      assert.equal(e.code, ErrorCode.AuthFailed);
      assert.match(e.hint ?? '', /password/);
      return true;
    });
    for (const [path, ms] of [
      ['/slow', 12_000],
      ['/busy', 3_000],
    ] as const)
      await assert.rejects(dav.send('PUT', path), (e: unknown) => {
        assert.ok(e instanceof RateLimitError);
        assert.equal(e.retryAfterMs, ms);
        return true;
      });
    await assert.rejects(dav.send('GET', '/broken'), (e: unknown) => {
      assert.ok(e instanceof TransientError && !(e instanceof RateLimitError));
      assert.equal(e.code, ErrorCode.ServerUnavailable);
      assert.match(e.message, /500: words/);
      return true;
    });
  });

  test('nothing listening is a transient refused connection', async () => {
    const closed = new DavHttp({
      origin: 'http://127.0.0.1:1',
      authorization: '',
      user: 'x',
      insecure: false,
    });
    await assert.rejects(closed.send('PROPFIND', '/'), (e: unknown) => {
      assert.ok(e instanceof TransientError);
      assert.equal(e.code, ErrorCode.ConnectionRefused);
      return true;
    });
  });
});
