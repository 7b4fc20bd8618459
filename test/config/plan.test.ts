/** The project file's plan section and the phases built on it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseProjectFile } from '../../src/config/project-file.js';
import { defaultPlan, fromZonedWallTime, replaceAddress } from '../../src/config/plan.js';
import { defaultSchedule, phaseOptions } from '../../src/services/phases.js';
import { CutoverError } from '../../src/errors.js';

const noFiles = (path: string): string => {
  throw Object.assign(new Error(`no ${path}`), { code: 'ENOENT' });
};
const BASE = 'source: { host: old.example.com }\ndestination: { host: new.example.com }\n';

test('a full plan section is read, times in the plan time zone', () => {
  const yaml = `${BASE}plan:
  cutover: "2026-12-12T18:00"
  notifyFrom: 2026-11-25
  timezone: Europe/Berlin
  mode: admin
  communications: contact
  contact: it@example.com
  domains: [Example.COM, example.org]
  dns: dynamic
  dnsServer: { host: ns1.example.com, keyName: cutover, keySecret: { env: TSIG_SECRET } }
  windows:
    - { days: mon-fri, from: "08:00", to: "18:00", concurrency: 1 }
    - { days: sat-sun, concurrency: 8 }
  prestageOlderThanDays: 45
  recentMonths: 3
  catchUpDays: 5
  addressReplacements:
    - { from: "@old.example", to: "@new.example" }
`;
  const { config, problems } = parseProjectFile(yaml, 'p.yaml', noFiles);
  assert.deepEqual(problems, []);
  const plan = config!.plan!;
  assert.equal(
    plan.cutoverAt?.toISOString(),
    '2026-12-12T17:00:00.000Z',
    '18:00 in Berlin in winter is 17:00 UTC',
  );
  assert.equal(plan.notifyFrom?.toISOString(), '2026-11-24T23:00:00.000Z');
  assert.equal(plan.mode, 'admin');
  assert.equal(plan.communications, 'contact');
  assert.deepEqual(plan.domains, ['example.com', 'example.org']);
  assert.deepEqual(plan.dnsServer, {
    host: 'ns1.example.com',
    port: 53,
    keyName: 'cutover',
    keySecret: { env: 'TSIG_SECRET' },
  });
  assert.deepEqual(plan.windows, [
    { days: [1, 2, 3, 4, 5], from: 480, to: 1080, concurrency: 1 },
    { days: [0, 6], from: 0, to: 1440, concurrency: 8 },
  ]);
  assert.equal(plan.prestageOlderThanDays, 45);
  assert.equal(plan.catchUpDays, 5);
  assert.deepEqual(plan.addressReplacements, [{ from: '@old.example', to: '@new.example' }]);
});

test('bad plan values are reported with their line and what to write', () => {
  const yaml = `${BASE}plan:
  timezone: Mars/Olympus
  mode: telepathy
  cutover: next friday
  windows:
    - { days: someday, from: "8am", concurrency: 2 }
`;
  const { config, problems } = parseProjectFile(yaml, 'p.yaml', noFiles);
  assert.equal(config, undefined);
  const text = problems.map((p) => `${p.where} ${p.message}`);
  assert.ok(
    text.some((t) => /p\.yaml:4 plan\.timezone: 'Mars\/Olympus' is not a time zone/.test(t)),
    text.join('\n'),
  );
  assert.ok(
    text.some((t) => /p\.yaml:5 plan\.mode: 'telepathy' is not one of credentials, admin, oauth/.test(t)),
  );
  assert.ok(text.some((t) => /p\.yaml:6 plan\.cutover: "next friday" is not a date and time/.test(t)));
  assert.ok(text.some((t) => /p\.yaml:8 .*days: 'someday' is not understood/.test(t)));
  assert.ok(text.some((t) => /from\/to must be HH:MM/.test(t)));
});

test('daylight saving is honoured when a wall time becomes an instant', () => {
  assert.equal(
    fromZonedWallTime([2026, 7, 1, 18, 0], 'Europe/Berlin').toISOString(),
    '2026-07-01T16:00:00.000Z',
  );
  assert.equal(
    fromZonedWallTime([2026, 1, 1, 18, 0], 'America/New_York').toISOString(),
    '2026-01-01T23:00:00.000Z',
  );
});

test('phases narrow the date range; a catch-up after its period is refused', () => {
  const now = new Date('2026-11-22T12:00:00Z');
  const base = { itemTypes: ['mail' as const], folders: { map: [], regex: [], include: [], exclude: [] } };
  const plan = {
    ...defaultPlan(),
    cutoverAt: new Date('2026-12-12T17:00:00Z'),
    recentMonths: 3,
    catchUpDays: 2,
  };
  assert.equal(phaseOptions('prestage', base, plan, now).before?.toISOString(), '2026-10-23T12:00:00.000Z');
  assert.equal(
    phaseOptions(
      'prestage',
      { ...base, before: new Date('2020-01-01T00:00:00Z') },
      plan,
      now,
    ).before?.toISOString(),
    '2020-01-01T00:00:00.000Z',
    'a narrower configured range stays',
  );
  assert.equal(phaseOptions('recent', base, plan, now).since?.toISOString(), '2026-09-12T17:00:00.000Z');
  assert.deepEqual(phaseOptions('delta', base, plan, now), base);
  assert.throws(
    () => phaseOptions('catchup', base, plan, new Date('2026-12-15T00:00:00Z')),
    (e: unknown) => e instanceof CutoverError && /catch-up period ended/.test(e.message),
  );
});

test('the default schedule: pre-stage now, nightly deltas, the final sync, daily catch-ups', () => {
  const now = new Date('2026-11-22T12:00:00Z');
  const plan = { ...defaultPlan(), cutoverAt: new Date('2026-11-25T17:00:00Z'), catchUpDays: 2 };
  const s = defaultSchedule(plan, now).map((p) => `${p.phase} ${p.at.toISOString().slice(0, 16)}`);
  assert.deepEqual(s, [
    'prestage 2026-11-22T12:00',
    'delta 2026-11-23T02:00',
    'delta 2026-11-24T02:00',
    'delta 2026-11-25T02:00',
    'final 2026-11-25T17:00',
    'catchup 2026-11-26T17:00',
    'catchup 2026-11-27T17:00',
  ]);
  assert.equal(
    defaultSchedule(plan, now)[0]!.key,
    'prestage',
    'pre-stage runs once, whenever the schedule starts',
  );
});

test('address replacements move the domain of destination logins that were not given explicitly', () => {
  assert.equal(
    replaceAddress('Alice@Old.Example', [{ from: '@old.example', to: '@new.example' }]),
    'Alice@new.example',
  );
  assert.equal(
    replaceAddress('bob@old.example', [{ from: 'bob@old.example', to: 'robert@new.example' }]),
    'robert@new.example',
  );
  assert.equal(
    replaceAddress('carol@other.example', [{ from: '@old.example', to: '@new.example' }]),
    'carol@other.example',
  );
  const yaml = `${BASE}mailboxes:
  - { source: alice@old.example, password: a, destinationPassword: b }
  - { source: bob@old.example, destination: bob.smith@elsewhere.example }
plan:
  addressReplacements:
    - { from: "@old.example", to: "@new.example" }
`;
  const { config, problems } = parseProjectFile(yaml, 'p.yaml', noFiles);
  assert.deepEqual(problems, []);
  assert.equal(config!.mailboxes[0]!.destUser, 'alice@new.example');
  assert.equal(config!.mailboxes[0]!.destAuth?.user, 'alice@new.example');
  assert.equal(
    config!.mailboxes[1]!.destUser,
    'bob.smith@elsewhere.example',
    'an explicit destination stays',
  );
});
