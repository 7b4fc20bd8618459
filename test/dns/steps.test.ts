/** selfServiceSteps: what to do when, and the TTL advice, for a fixed cutover date. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DnsChange } from '../../src/dns/diff.js';
import type { DnsRecord } from '../../src/dns/records.js';
import { duration, selfServiceSteps } from '../../src/dns/steps.js';

const rec = (
  name: string,
  type: DnsRecord['type'],
  value: string,
  ttl: number,
  priority?: number,
): DnsRecord => ({
  name,
  type,
  ttl,
  value,
  ...(priority === undefined ? {} : { priority }),
});

// The plan for example.test moving to Microsoft 365, as diffRecords makes it.
const changes: DnsChange[] = [
  {
    action: 'replace',
    record: rec('example.test', 'MX', 'example-test.mail.protection.outlook.com', 3600, 0),
    previous: rec('example.test', 'MX', 'mx1.old-mail.example', 3600, 10),
  },
  { action: 'delete', record: rec('example.test', 'MX', 'mx2.old-mail.example', 3600, 20) },
  {
    action: 'replace',
    record: rec('example.test', 'TXT', 'v=spf1 include:spf.protection.outlook.com -all', 3600),
    previous: rec('example.test', 'TXT', 'v=spf1 a -all', 86400),
  },
  {
    action: 'replace',
    record: rec('autodiscover.example.test', 'CNAME', 'autodiscover.outlook.com', 3600),
    previous: rec('autodiscover.example.test', 'CNAME', 'autodiscover.old-mail.example', 7200),
  },
  { action: 'add', record: rec('example.test', 'TXT', 'MS=ms12345678', 3600) },
];
const cutoverAt = new Date('2026-03-02T18:00:00Z');

void test('steps in time order: verification now, each TTL lowered its old TTL ahead, changes at cutover, checks after', () => {
  const steps = selfServiceSteps(changes, {
    cutoverAt,
    now: new Date('2026-02-27T09:00:00Z'),
    currentTtls: {},
  });
  assert.deepEqual(
    steps.map((s) => [s.at.toISOString(), s.phase, s.text]),
    [
      [
        '2026-02-27T09:00:00.000Z',
        'now',
        'Add example.test TXT "MS=ms12345678" (TTL 1 hour) now: it does not change where mail goes.',
      ],
      [
        '2026-03-01T18:00:00.000Z',
        'before-cutover',
        'Lower the TTL of example.test TXT to 300 at least 1 day before cutover, i.e. by 2026-03-01 18:00 UTC.',
      ],
      [
        '2026-03-02T16:00:00.000Z',
        'before-cutover',
        'Lower the TTL of autodiscover.example.test CNAME to 300 at least 2 hours before cutover, i.e. by 2026-03-02 16:00 UTC.',
      ],
      [
        '2026-03-02T17:00:00.000Z',
        'before-cutover',
        'Lower the TTL of example.test MX to 300 at least 1 hour before cutover, i.e. by 2026-03-02 17:00 UTC.',
      ],
      [
        '2026-03-02T18:00:00.000Z',
        'at-cutover',
        'At cutover (2026-03-02 18:00 UTC): replace example.test MX 10 mx1.old-mail.example with MX 0 example-test.mail.protection.outlook.com (TTL 1 hour).',
      ],
      [
        '2026-03-02T18:00:00.000Z',
        'at-cutover',
        'At cutover (2026-03-02 18:00 UTC): delete example.test MX 20 mx2.old-mail.example.',
      ],
      [
        '2026-03-02T18:00:00.000Z',
        'at-cutover',
        'At cutover (2026-03-02 18:00 UTC): replace example.test TXT "v=spf1 a -all" with TXT "v=spf1 include:spf.protection.outlook.com -all" (TTL 1 hour).',
      ],
      [
        '2026-03-02T18:00:00.000Z',
        'at-cutover',
        'At cutover (2026-03-02 18:00 UTC): replace autodiscover.example.test CNAME autodiscover.old-mail.example with CNAME autodiscover.outlook.com (TTL 1 hour).',
      ],
      [
        '2026-03-02T18:05:00.000Z',
        'after-cutover',
        'From 2026-03-02 18:05 UTC resolvers no longer hold the old records: check that the changes are visible, then run the final delta pass for mail that still reached the old servers.',
      ],
      [
        '2026-03-03T18:00:00.000Z',
        'after-cutover',
        'Once mail flows (by 2026-03-03 18:00 UTC), set the TTLs you lowered (example.test MX, example.test TXT, autodiscover.example.test CNAME) back to 1 hour or more.',
      ],
    ],
  );
  // Every change appears in exactly one step.
  assert.deepEqual(
    steps.flatMap((s) => s.changes),
    [changes[4], changes[0], changes[1], changes[2], changes[3]],
  );
});

void test('TTLs in force override the records; a TTL already at 300 needs no step', () => {
  const steps = selfServiceSteps(changes, {
    cutoverAt,
    now: new Date('2026-02-27T09:00:00Z'),
    currentTtls: { 'example.test MX': 600, 'example.test TXT': 300, 'autodiscover.example.test CNAME': 300 },
  });
  const ttl = steps.filter((s) => s.phase === 'before-cutover');
  assert.deepEqual(
    ttl.map((s) => s.text),
    [
      'Lower the TTL of example.test MX to 300 at least 10 minutes before cutover, i.e. by 2026-03-02 17:50 UTC.',
    ],
  );
});

void test('too late to wait a TTL out: lower it now, and say until when old records may be used', () => {
  const now = new Date('2026-03-02T12:00:00Z');
  const steps = selfServiceSteps(changes, { cutoverAt, now, currentTtls: {} });
  const txt = steps.find((s) => s.text.includes('example.test TXT to 300'))!;
  assert.equal(txt.at.toISOString(), now.toISOString());
  assert.match(txt.text, /i\.e\. by 2026-03-01 18:00 UTC — that time has passed: lower it now;/);
  assert.match(txt.text, /may use the old TXT until 2026-03-03 12:00 UTC\./);
  // The "settled" check waits for the late TTL, not just 5 minutes.
  const settled = steps.find((s) => s.text.startsWith('From '))!;
  assert.equal(settled.at.toISOString(), '2026-03-03T12:00:00.000Z');
  const times = steps.map((s) => s.at.getTime());
  assert.deepEqual(
    times,
    [...times].sort((a, b) => a - b),
    'ordered by time',
  );
});

void test('durations read naturally', () => {
  assert.equal(duration(86400), '1 day');
  assert.equal(duration(90000), '1 day 1 hour');
  assert.equal(duration(5400), '1 hour 30 minutes');
  assert.equal(duration(300), '5 minutes');
  assert.equal(duration(45), '45 seconds');
});
