/** Small pure pieces of the engine and the IMAP edge, with hostile and boundary inputs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendableFlags, imapDateTime, parseAppendUid } from '../../src/connectors/imap/append-writer.js';
import { toSequenceSet } from '../../src/connectors/imap/imap-folder-reader.js';
import { parseIdentityHeaders } from '../../src/connectors/shared/identity-headers.js';
import { mapImapError } from '../../src/connectors/imap/imap-errors.js';
import { FingerprintIndex, fingerprint, flagKey } from '../../src/engine/fingerprint.js';
import { makeBatches } from '../../src/engine/batches.js';
import { skipReason } from '../../src/engine/filters.js';
import { csvCell } from '../../src/exports/table.js';
import { ErrorCode, PermanentError, RateLimitError, TransientError } from '../../src/errors.js';
import { RateLimiter, Semaphore } from '../../src/runner/limits.js';

test('APPENDUID ranges and lists expand in order; a missing code yields unknown keys', () => {
  assert.deepEqual(
    parseAppendUid('APPENDUID 38505 3955:3957', 3),
    [3955, 3956, 3957].map((uid) => ({ uid, uidValidity: '38505' })),
  );
  assert.deepEqual(
    parseAppendUid('APPENDUID 7 4,9:10', 3).map((r) => r.uid),
    [4, 9, 10],
  );
  assert.deepEqual(parseAppendUid(undefined, 2), [{}, {}]);
});

test('sequence sets compact runs', () => {
  assert.equal(toSequenceSet([1, 2, 3, 5, 7, 8, 9, 20]), '1:3,5,7:9,20');
  assert.equal(toSequenceSet([42]), '42');
});

test('identity headers: folded, bracketless and duplicate Message-ID/Date lines', () => {
  const raw = Buffer.from(
    'Message-ID:\r\n  <abc@example.com>\r\nDate: Tue,  4 Mar 2025\r\n 09:05:00 +0000\r\nMessage-ID: <second@x>\r\n',
  );
  assert.deepEqual(parseIdentityHeaders(raw), {
    messageId: 'abc@example.com',
    dateHeader: 'Tue, 4 Mar 2025 09:05:00 +0000',
  });
  assert.deepEqual(parseIdentityHeaders(Buffer.from('Message-Id: bare-id@x\r\n')), {
    messageId: 'bare-id@x',
  });
  assert.deepEqual(parseIdentityHeaders(undefined), {});
});

test('fingerprints: same Message-ID with another date or size is another message; a multiset matches once each', () => {
  const base = {
    uid: 1,
    size: 100,
    internalDate: new Date(0),
    flags: [],
    messageId: 'a@b',
    dateHeader: 'd1',
  };
  assert.notEqual(fingerprint(base), fingerprint({ ...base, size: 101 }));
  assert.notEqual(fingerprint(base), fingerprint({ ...base, dateHeader: 'd2' }));
  assert.equal(fingerprint({ ...base, messageId: undefined, headerHash: 'h' }), 'h:h|100');
  const idx = new FingerprintIndex();
  idx.add('x', 10);
  idx.add('x', 11);
  assert.equal(idx.take('x'), 10);
  assert.equal(idx.take('x'), 11);
  assert.equal(idx.take('x'), undefined);
  assert.equal(flagKey(['\\Seen', '\\Recent', 'b', 'a', '\\Seen']), '\\Seen a b');
});

test('flags given to APPEND drop \\Recent, invalid atoms, and keywords when the destination has none', () => {
  assert.deepEqual(appendableFlags(['\\Seen', '\\Recent', 'ok', 'bad word', 'x(y', '$Label1'], true), [
    '\\Seen',
    'ok',
    '$Label1',
  ]);
  assert.deepEqual(appendableFlags(['\\Seen', 'ok'], false), ['\\Seen']);
  assert.equal(imapDateTime(new Date(Date.UTC(2024, 1, 3, 4, 5, 6))), '"03-Feb-2024 04:05:06 +0000"');
});

test('batches close at the message cap; a large message goes alone while small ones keep batching', () => {
  const m = (size: number, uid: number) => ({ meta: { uid, size, internalDate: new Date(0), flags: [] } });
  const b = makeBatches([m(10, 1), m(10, 2), m(10, 3), m(20_000_000, 4), m(10, 5)], 2);
  assert.deepEqual(
    b.map((x) => x.items.map((i) => i.meta.uid)),
    [[1, 2], [3, 5], [4]],
  );
});

test('filters give reasons a person understands', () => {
  const meta = { uid: 1, size: 5000, internalDate: new Date('2014-05-01T00:00:00Z'), flags: [] };
  const opts = { itemTypes: ['mail' as const], folders: { map: [], regex: [], include: [], exclude: [] } };
  assert.match(
    skipReason(meta, { ...opts, since: new Date('2015-01-01') }, undefined)!,
    /older than the date range \(received 2014-05-01/,
  );
  assert.match(skipReason(meta, opts, 4000)!, /APPENDLIMIT 4000/);
  assert.equal(skipReason(meta, opts, undefined), undefined);
});

test('IMAP errors map to what the runner should do', () => {
  assert.ok(mapImapError({ code: 'ENOTFOUND' }, 'x') instanceof PermanentError);
  assert.ok(mapImapError({ authenticationFailed: true }, 'x') instanceof PermanentError);
  const t = mapImapError({ responseText: '[THROTTLED] try later' }, 'x');
  assert.ok(t instanceof RateLimitError);
  assert.ok(mapImapError({ code: 'ECONNRESET' }, 'x') instanceof TransientError);
  assert.equal(
    mapImapError({ serverResponseCode: 'OVERQUOTA', responseText: 'quota' }, 'x').code,
    ErrorCode.QuotaExceeded,
  );
  assert.equal(
    mapImapError({ serverResponseCode: 'LIMIT', responseText: 'Mail size is larger' }, 'x').code,
    ErrorCode.MessageTooLarge,
  );
});

test('CSV cells are safe against formula injection', () => {
  assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvCell('@SUM(1)'), "'@SUM(1)");
  assert.equal(csvCell('a,b'), '"a,b"');
  assert.equal(csvCell(null), '');
});

test('a semaphore grants multi-permit requests in order and caps them at its capacity', async () => {
  const s = new Semaphore(3);
  const r1 = await s.acquire(undefined, 2);
  let got = false;
  const p = s.acquire(undefined, 2).then((r) => ((got = true), r));
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(got, false);
  r1();
  const r2 = await p;
  assert.equal(got, true);
  r2();
  (await s.acquire(undefined, 10))();
});

test('raw FETCH responses: flags first (a keyword named UID is no UID), dates with offsets, quoted sections', async () => {
  const { parseFetch, parseInternalDate } = await import('../../src/connectors/imap/fetch-response.js');
  const f = parseFetch(
    '* 3 FETCH (FLAGS (\\Seen UID 99) UID 7 RFC822.SIZE 2048 INTERNALDATE "17-Jul-1996 02:44:25 -0700" MODSEQ (12) BODY[HEADER.FIELDS (MESSAGE-ID DATE)] ',
    Buffer.from('Message-ID: <a@b>\r\n\r\n'),
  );
  assert.deepEqual(
    { ...f, section: f.section?.toString() },
    {
      flags: ['\\Seen', 'UID', '99'],
      uid: 7,
      size: 2048,
      internalDate: new Date('1996-07-17T09:44:25Z'),
      modseq: '12',
      section: 'Message-ID: <a@b>\r\n\r\n',
    },
  );
  assert.deepEqual(parseFetch('* 1 FETCH (UID 5 FLAGS ())').flags, []);
  assert.equal(parseFetch('* 1 FETCH (UID 5 BODY[HEADER] "a \\"q\\"")').section?.toString(), 'a "q"');
  assert.equal(parseInternalDate(' 1-Jan-2020 00:00:00 +0100')?.toISOString(), '2019-12-31T23:00:00.000Z');
  assert.equal(parseInternalDate('garbage'), undefined);
});

test('the rate limiter charges a batch bigger than a second in full: the next request waits for the debt', async () => {
  const limiter = new RateLimiter({ messagesPerSecond: 50 });
  const t0 = Date.now();
  await limiter.take(100, 0); // a full bucket lets it start; it leaves 50 messages of debt
  await limiter.take(1, 0);
  // 100 messages at 50/s: the second request may start only once 2 s of budget (1 s in the bucket) is spent.
  assert.ok(Date.now() - t0 >= 950, `waited ${Date.now() - t0} ms`);
});
