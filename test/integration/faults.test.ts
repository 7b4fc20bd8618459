/**
 * Every faulty pass finishes by itself: a real pass between two real Dovecots with the fault proxy
 * (bench/fault-proxy.ts) in front of the source and the destination, one test per fault profile. The pass
 * itself — not a rerun — must end done and exact: every message once, byte-identical, with its flags and
 * internal date, in the same folders; the report reconciles with nothing failed (what `cutover migrate`
 * exits 0 on). A wrong password is the counter-case: permanent, not retried, fails fast.
 *
 * Backoff is shortened through the environment (CUTOVER_RETRY_*), and the socket timeout for the stall
 * test (CUTOVER_SOCKET_TIMEOUT_MS), so each test takes seconds. The passes run in-process (runMigration)
 * and are held to what `cutover migrate` exits 0 on; one runs the built CLI itself with every fault at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { seedMessages, startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { startFaultProxy, type FaultProxy } from '../../bench/fault-proxy.js';
import { totalFaults, type FaultStats } from '../../bench/fault-profile.js';
import { resolveTarget } from '../../src/cli/context.js';
import { silentProgress } from '../../src/engine/progress.js';
import { cli, migrate, snapshot, tempDataDir } from './helpers.js';

process.env.CUTOVER_RETRY_BASE_MS = '50';
process.env.CUTOVER_RETRY_CAP_MS = '400';
process.env.CUTOVER_GIVE_UP_AFTER_MS = '30000';

const PROFILES = [
  'cut',
  'unavailable',
  'throttled',
  'bye',
  'refuse',
  'cap',
  'stall',
  'lost',
  'delay',
  'requeued',
];
const users = [...PROFILES, 'mixed', 'template', 'wrongpw'].map((u) => ({ user: u, password: `pw-${u}` }));
const pw = (u: string) => `pw-${u}`;
let src: DovecotServer;
let dst: DovecotServer;
let expected: Record<string, string[]>;
const CORPUS = 300;

/** 300 messages over four folders: flags and keywords, no Message-ID on some, a duplicate, three streamed (> 256 KB). */
async function seedTemplate(): Promise<void> {
  const date = (i: number) => new Date(Date.UTC(2019 + (i % 5), i % 12, 1 + (i % 27), 8, i % 60));
  const folders: Array<[string, number]> = [
    ['INBOX', 120],
    ['Sent', 60],
    [['Archive', '2024'].join(src.delimiter), 80],
    ['Notes', 40],
  ];
  let n = 0;
  for (const [folder, count] of folders) {
    const messages = Array.from({ length: count }, () => {
      const i = n++;
      return {
        raw: makeMessage({
          subject: `${folder} message ${i}`,
          date: date(i),
          messageId: i % 9 === 0 ? null : `<fault-${i}@cutover.test>`,
          sizeBytes: i % 100 === 50 ? 300_000 + i : 2_000 + ((i * 7919) % 18_000),
        }),
        flags: [['\\Seen'], [], ['\\Seen', '\\Flagged'], ['\\Answered', '$label1']][i % 4]!,
        internalDate: date(i),
      };
    });
    // The same message twice in one folder: both copies must arrive, not one.
    if (folder === 'Notes') messages.push(messages[3]!);
    await seedMessages(src, 'template', pw('template'), folder, messages);
  }
}

before(async () => {
  [src, dst] = await Promise.all([
    startDovecot({ layout: 'maildir++', users }),
    startDovecot({ layout: 'fs', users }),
  ]);
  await seedTemplate();
  // Every test's source mailbox is a copy of the template (same server, same UIDs, same dates).
  const from = path.dirname(src.mailDir('template'));
  for (const u of users.filter((x) => x.user !== 'template'))
    execFileSync('cp', ['-a', from, path.dirname(src.mailDir(u.user))]);
  expected = await snapshot(src, 'template', pw('template'));
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

/** Run one pass of `user` through proxies with `profile` in front of both servers; returns what the proxies did. */
async function faultyPass(
  user: string,
  profile: { source: string; dest: string },
  seed: number,
): Promise<{ source: FaultStats; dest: FaultStats; ms: number; notes: string[] }> {
  const proxies: FaultProxy[] = [];
  try {
    const sp = await startFaultProxy({
      target: { host: src.host, port: src.imapPort },
      profile: profile.source,
      seed,
    });
    proxies.push(sp);
    const dp = await startFaultProxy({
      target: { host: dst.host, port: dst.imapPort },
      profile: profile.dest,
      seed: seed + 1,
    });
    proxies.push(dp);
    const project = resolveTarget({
      from: `imap://${user}:${pw(user)}@127.0.0.1:${sp.port}`,
      to: `imap://${user}:${pw(user)}@127.0.0.1:${dp.port}`,
    }).project;
    const notes: string[] = [];
    const progress = {
      ...silentProgress,
      note: (_: number, _level: string, text: string) => notes.push(text),
    };
    const t0 = Date.now();
    const { outcomes, reports } = await migrate(tempDataDir(), project, { progress, verify: true });
    const ms = Date.now() - t0;
    const r = reports.find((x) => x.mailbox === user)!;
    const result = { source: { ...sp.stats }, dest: { ...dp.stats }, ms, notes };
    // What `cutover migrate --verify` exits 0 on: done, nothing failed, and the report reconciles — read back
    // from the destination through the same faulty proxy.
    const faults = JSON.stringify({ source: result.source, dest: result.dest });
    assert.equal(outcomes[0]!.status, 'done', `${outcomes[0]!.error} (faults: ${faults})`);
    assert.equal(r.totals.failed, 0, JSON.stringify(r.problems));
    assert.ok(r.reconciles, [r.discrepancy, ...notes.filter((n) => /^Verifying/.test(n))].join('\n'));
    assert.equal(r.totals.copied, CORPUS + 1);
    // Read back from the destination: every message once, byte-identical, same flags and dates and folders.
    assertSame(await snapshot(dst, user, pw(user)), expected);
    return result;
  } finally {
    await Promise.all(proxies.map((p) => p.stop()));
  }
}

/** Destination equals source, folder by folder; on a difference, say which messages are missing or extra. */
function assertSame(got: Record<string, string[]>, want: Record<string, string[]>): void {
  const problems: string[] = [];
  for (const folder of new Set([...Object.keys(want), ...Object.keys(got)])) {
    const rest = [...(got[folder] ?? [])];
    const missing: string[] = [];
    for (const m of want[folder] ?? []) {
      const i = rest.indexOf(m);
      if (i >= 0) rest.splice(i, 1);
      else missing.push(m.slice(0, 12) + m.slice(64));
    }
    if (missing.length || rest.length)
      problems.push(
        `${folder}: ${missing.length} missing [${missing.slice(0, 3).join(', ')}], ${rest.length} extra [${rest
          .slice(0, 3)
          .map((m) => m.slice(0, 12) + m.slice(64))
          .join(', ')}]`,
      );
  }
  assert.deepEqual(problems, [], 'destination differs from source');
}

const cases: Array<{
  name: string;
  source: string;
  dest: string;
  saw: (s: FaultStats, d: FaultStats) => number;
  env?: Record<string, string>;
  check?: (r: { notes: string[] }) => void;
}> = [
  { name: 'cut', source: 'cut:0.5@600000', dest: 'cut:0.5@600000', saw: (s, d) => s.cut + d.cut },
  {
    name: 'unavailable',
    source: 'unavailable:0.1',
    dest: 'unavailable:0.1',
    saw: (s, d) => s.unavailable + d.unavailable,
  },
  {
    name: 'throttled',
    source: 'throttled:0.1',
    dest: 'throttled:0.1',
    saw: (s, d) => s.throttled + d.throttled,
  },
  { name: 'bye', source: 'bye:0.05', dest: 'bye:0.05', saw: (s, d) => s.bye + d.bye },
  { name: 'refuse', source: 'refuse:0.4', dest: 'refuse:0.4@down', saw: (s, d) => s.refused + d.refused },
  { name: 'cap', source: 'cap:3', dest: 'cap:3', saw: (s, d) => s.capped + d.capped },
  // Stalls longer than the (shortened) socket timeout: each is a timeout, retried.
  {
    name: 'stall',
    source: 'stall:0.03@2000',
    dest: 'stall:0.03@2000',
    saw: (s, d) => s.stalled + d.stalled,
    env: { CUTOVER_SOCKET_TIMEOUT_MS: '1000' },
  },
  // Every APPEND answer lost: stored, then the connection dropped; each retry must find them by fingerprint.
  {
    name: 'lost',
    source: 'lost:0.05',
    dest: 'lost:1@APPEND',
    saw: (s, d) => s.lost + d.lost,
    check: (r) =>
      assert.ok(
        r.notes.some((n) => /interrupted write\(s\) found at the destination; not written again/.test(n)),
        'a lost APPEND answer was resolved by fingerprint',
      ),
  },
  { name: 'delay', source: 'delay:3±2', dest: 'delay:3±2', saw: (s, d) => s.connections + d.connections },
  // Every throttling answer ends the mailbox's slice and requeues it: each slice resumes from the ledger.
  {
    name: 'requeued',
    source: 'throttled:0.1',
    dest: 'throttled:0.1',
    saw: (s, d) => s.throttled + d.throttled,
    env: { CUTOVER_REQUEUE_THROTTLED_MS: '0' },
    check: (r) =>
      assert.ok(
        r.notes.some((n) => /the pass goes on after that/.test(n)),
        'a throttled slice was requeued',
      ),
  },
];

for (const [i, c] of cases.entries())
  test(`${c.name}: the faulty pass itself ends done and exact`, { timeout: 120_000 }, async (t) => {
    const saved = { ...process.env };
    Object.assign(process.env, c.env);
    const r = await faultyPass(c.name, c, 100 + i).finally(() => {
      for (const k of Object.keys(c.env ?? {})) process.env[k] = saved[k];
    });
    t.diagnostic(
      `${c.name}: ${r.ms} ms; source ${JSON.stringify(r.source)}; destination ${JSON.stringify(r.dest)}`,
    );
    assert.ok(c.saw(r.source, r.dest) > 0, `the proxies injected no ${c.name} fault`);
    c.check?.(r);
    if (c.name !== 'delay') assert.ok(totalFaults(r.source) + totalFaults(r.dest) > 0);
  });

test(
  'through the CLI, every fault at once: `cutover migrate --verify` exits 0 and the copy is exact',
  { timeout: 180_000 },
  async (t) => {
    // Every fault, at rates a bad day might bring. Each connection needs several commands before it is of
    // use, and each folder attempt a dozen more, so the shares add up quickly.
    const common = 'cut:0.2@600000,unavailable:0.01,throttled:0.01,bye:0.01,delay:2±1';
    const sp = await startFaultProxy({
      target: { host: src.host, port: src.imapPort },
      profile: `${common},lost:0.01,refuse:0.1,stall:0.01@300`,
      seed: 7,
    });
    const dp = await startFaultProxy({
      target: { host: dst.host, port: dst.imapPort },
      profile: `${common},lost:0.2@APPEND,refuse:0.1@down,cap:3`,
      seed: 8,
    });
    try {
      const t0 = Date.now();
      const run = await cli(
        [
          'migrate',
          '--no-progress',
          '--verify',
          '--from',
          `imap://mixed:${pw('mixed')}@127.0.0.1:${sp.port}`,
          '--to',
          `imap://mixed:${pw('mixed')}@127.0.0.1:${dp.port}`,
          '--data-dir',
          tempDataDir(),
        ],
        { CUTOVER_GIVE_UP_AFTER_MS: '60000' },
      );
      t.diagnostic(
        `mixed: ${Date.now() - t0} ms; source ${JSON.stringify(sp.stats)}; destination ${JSON.stringify(dp.stats)}`,
      );
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.ok(totalFaults(sp.stats) > 0 && totalFaults(dp.stats) > 0, 'faults on both sides');
      assertSame(await snapshot(dst, 'mixed', pw('mixed')), expected);
    } finally {
      await Promise.all([sp.stop(), dp.stop()]);
    }
  },
);

test('a wrong password is permanent: not retried, the mailbox fails fast', { timeout: 60_000 }, async () => {
  const proxy = await startFaultProxy({ target: { host: src.host, port: src.imapPort }, profile: '' });
  try {
    const project = resolveTarget({
      from: `imap://wrongpw:not-the-password@127.0.0.1:${proxy.port}`,
      to: `imap://wrongpw:${pw('wrongpw')}@127.0.0.1:${dst.imapPort}`,
    }).project;
    const t0 = Date.now();
    const { outcomes } = await migrate(tempDataDir(), project);
    assert.equal(outcomes[0]!.status, 'failed');
    assert.match(outcomes[0]!.error ?? '', /login refused/);
    assert.equal(proxy.stats.connections, 1, 'one login attempt, no retry');
    assert.ok(Date.now() - t0 < 3000, `failed after ${Date.now() - t0} ms`);
  } finally {
    await proxy.stop();
  }
});
