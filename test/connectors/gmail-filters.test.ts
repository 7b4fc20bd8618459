/**
 * Gmail filters, the vacation responder and send-as signatures through the Gmail connector's filters
 * endpoint, against the Gmail EMULATOR (test/emulators/gmail, emulator-settings.ts: a local implementation of
 * the documented API; Google cannot be reached from here): reading a seeded set, writing the neutral form
 * and reading it back, reruns that write nothing, what Gmail cannot express, each refusal with Gmail's words,
 * the settings scope, and that nothing is ever sent.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GmailConnector } from '../../src/connectors/gmail/gmail-connector.js';
import { GmailApi } from '../../src/connectors/gmail/gmail-api.js';
import { SETTINGS_SCOPE } from '../../src/connectors/gmail/gmail-auth.js';
import { gmailTarget } from '../../src/connectors/gmail/gmail-config.js';
import type { FilterSet, MailRule } from '../../src/connectors/filters-contract.js';
import { CutoverError, ErrorCode, PermanentError } from '../../src/errors.js';
import { GmailEmulator } from '../emulators/gmail/gmail-emulator.js';
import { accessTokenLogin, gmailServer, serviceAccountLogin } from '../emulators/gmail/gmail-fixture.js';

let emu: GmailEmulator;
const A = 'anna@example.test';
const B = 'bert@example.test';
const C = 'carl@example.test';
const connector = new GmailConnector();
const open = (user: string) => connector.openFilters(gmailServer(emu), serviceAccountLogin(emu, user));

/** A rule as it compares after a trip through Gmail: no name (Gmail keeps none), lists in a stable order. */
function comparable(r: MailRule): unknown {
  const sorted = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
  return {
    enabled: r.enabled,
    stop: r.stop,
    c: sorted(r.conditions),
    x: sorted(r.exceptions),
    a: sorted(r.actions),
  };
}

const rule = (name: string, over: Partial<MailRule>): MailRule => ({
  name,
  enabled: true,
  conditions: [],
  exceptions: [],
  actions: [],
  stop: false,
  original: '',
  ...over,
});

const written: FilterSet = {
  rules: [
    rule('Boss', {
      conditions: [{ kind: 'text', field: 'from', match: 'contains', values: ['boss@corp.test'] }],
      actions: [{ kind: 'move', folder: ['Work', 'Boss'] }, { kind: 'mark-read' }],
    }),
    rule('Invoices', {
      conditions: [
        { kind: 'text', field: 'subject', match: 'contains', values: ['invoice', 'Re: bill'] },
        { kind: 'size', over: 1024 * 1024, under: 20 * 1024 * 1024 },
      ],
      exceptions: [
        { kind: 'text', field: 'from', match: 'contains', values: ['bank.test'] },
        { kind: 'has-attachment' },
      ],
      actions: [{ kind: 'copy', folder: ['Finance'] }, { kind: 'flag' }],
    }),
    rule('Lists', {
      conditions: [
        { kind: 'text', field: 'subject-or-body', match: 'contains', values: ['unsubscribe now'] },
        { kind: 'text', field: { header: 'List-Id' }, match: 'contains', values: ['news.example'] },
      ],
      actions: [{ kind: 'move', folder: ['Archive'] }],
    }),
    rule('Team', {
      conditions: [
        { kind: 'text', field: 'to-or-cc', match: 'contains', values: ['team@corp.test'] },
        { kind: 'text', field: 'cc', match: 'contains', values: ['boss@corp.test'] },
      ],
      actions: [{ kind: 'delete' }],
    }),
    rule('Alerts', {
      conditions: [{ kind: 'text', field: 'from', match: 'contains', values: ['alerts@corp.test'] }],
      actions: [{ kind: 'redirect', to: ['me@home.test'], keepCopy: true }],
    }),
  ],
  vacation: {
    enabled: true,
    subject: 'Away',
    body: '<p>Back on Monday</p>',
    html: true,
    audience: 'contacts',
    start: new Date('2026-12-20T08:00:00Z'),
    end: new Date('2027-01-04T08:00:00Z'),
    original: '',
  },
  signatures: [
    { address: B, html: '<b>Bert</b><br>Sales', isDefault: true },
    { address: 'bert.sales@example.test', html: '<i>Sales team</i>', isDefault: false },
  ],
  untranslated: [],
};

before(async () => {
  emu = await GmailEmulator.start({ users: [A, B, C] });
});
after(() => emu?.stop());

describe('Gmail filters: reading', () => {
  test('a seeded set reads as rules, vacation and signatures; filters beyond the neutral form come with their JSON', async () => {
    const mb = emu.mailbox(A);
    const acme = mb.createLabel('Clients/ACME');
    const s = emu.settings(A);
    const seed = (criteria: object, action: object) => {
      const id = `f${s.filters.size + 1}`;
      s.filters.set(id, { id, criteria, action });
    };
    seed(
      { from: 'boss@x.test OR chief@x.test' },
      { addLabelIds: [acme.id], removeLabelIds: ['INBOX', 'UNREAD'] },
    );
    seed(
      { query: 'invoice "due date" larger:1M', negatedQuery: '{from:bank@x.test subject:test}' },
      { addLabelIds: ['STARRED'] },
    );
    seed({ query: 'label:work older_than:1y' }, { addLabelIds: ['TRASH'] });
    seed({ to: 'list@x.test' }, { addLabelIds: ['IMPORTANT'] });
    seed(
      { subject: 'weekly', hasAttachment: true, size: 5000, sizeComparison: 'smaller' },
      { forward: 'me@home.test' },
    );
    seed({ from: 'a@x.test' }, { removeLabelIds: ['INBOX'] });
    Object.assign(s.vacation, {
      enableAutoReply: true,
      responseSubject: 'Out',
      responseBodyPlainText: 'Gone fishing',
      restrictToDomain: true,
      startTime: '1782892800000',
    });
    s.sendAs[0]!['signature'] = '<b>Anna</b>';
    s.sendAs.push({ sendAsEmail: 'anna.alias@example.test', signature: '', isDefault: false });

    const set = await (await open(A)).readRules();
    assert.deepEqual(
      set.rules.map((r) => [r.conditions, r.exceptions, r.actions]),
      [
        [
          [{ kind: 'text', field: 'from', match: 'contains', values: ['boss@x.test', 'chief@x.test'] }],
          [],
          [{ kind: 'move', folder: ['Clients', 'ACME'] }, { kind: 'mark-read' }],
        ],
        [
          [
            { kind: 'text', field: 'subject-or-body', match: 'contains', values: ['invoice'] },
            { kind: 'text', field: 'subject-or-body', match: 'contains', values: ['due date'] },
            { kind: 'size', over: 1024 * 1024 },
          ],
          [
            { kind: 'text', field: 'from', match: 'contains', values: ['bank@x.test'] },
            { kind: 'text', field: 'subject', match: 'contains', values: ['test'] },
          ],
          [{ kind: 'flag' }],
        ],
        [
          [
            { kind: 'text', field: 'subject', match: 'contains', values: ['weekly'] },
            { kind: 'has-attachment' },
            { kind: 'size', under: 5000 },
          ],
          [],
          [{ kind: 'redirect', to: ['me@home.test'], keepCopy: true }],
        ],
        [
          [{ kind: 'text', field: 'from', match: 'contains', values: ['a@x.test'] }],
          [],
          [{ kind: 'move', folder: ['Archive'] }],
        ],
      ],
    );
    assert.match(set.rules[0]!.name, /^Gmail filter from:\(boss@x.test OR chief@x.test\)/);
    assert.deepEqual(
      set.untranslated.map((u) => u.reason),
      [
        "Gmail filter: the search operator 'label:' in 'label:work older_than:1y'",
        'Gmail filter: it applies the label IMPORTANT, which has no neutral equivalent',
      ],
    );
    assert.deepEqual(JSON.parse(set.untranslated[0]!.original), s.filters.get('f3'));
    assert.deepEqual(
      { ...set.vacation, original: undefined },
      {
        enabled: true,
        subject: 'Out',
        body: 'Gone fishing',
        html: false,
        audience: 'internal',
        start: new Date(1782892800000),
        original: undefined,
      },
    );
    assert.deepEqual(set.signatures, [{ address: A, html: '<b>Anna</b>', isDefault: true }]);
  });
});

describe('Gmail filters: writing', () => {
  test('the neutral form written reads back equal; labels are made; a rerun writes nothing', async () => {
    const s = emu.settings(B);
    s.forwardingAddresses.push({ forwardingEmail: 'me@home.test', verificationStatus: 'accepted' });
    s.sendAs.push({ sendAsEmail: 'bert.sales@example.test', signature: '', isDefault: false });
    const results = await (await open(B)).writeRules(written);
    assert.deepEqual(
      results.map((r) => [r.name, r.outcome]),
      [
        ['Boss', 'written'],
        ['Invoices', 'written'],
        ['Lists', 'written'],
        ['Team', 'written'],
        ['Alerts', 'written'],
        ['vacation reply', 'written'],
        [`signature of ${B}`, 'written'],
        ['signature of bert.sales@example.test', 'written'],
      ],
    );
    const names = [...emu.mailbox(B).labels.values()].filter((l) => l.type === 'user').map((l) => l.name);
    assert.deepEqual(names.sort(), ['Finance', 'Work', 'Work/Boss']);

    const back = await (await open(B)).readRules();
    assert.deepEqual(back.untranslated, []);
    assert.deepEqual(back.rules.map(comparable).sort(), written.rules.map(comparable).sort());
    assert.deepEqual({ ...back.vacation, original: '' }, written.vacation);
    assert.deepEqual(back.signatures, written.signatures);

    const creates = emu.stats.requests['settings.filters.create'];
    const again = await (await open(B)).writeRules(written);
    assert.deepEqual(
      again.map((r) => r.outcome),
      Array(8).fill('unchanged'),
    );
    assert.equal(emu.stats.requests['settings.filters.create'], creates);
    assert.equal(emu.stats.requests['settings.updateVacation'], 1);
    assert.equal(emu.stats.requests['settings.sendAs.patch'], 2);
    assert.equal(s.filters.size, 5);
  });

  test('a changed rule is a new filter, the old one left; "stop" is dropped and said', async () => {
    const changed = rule('Boss', {
      conditions: [{ kind: 'text', field: 'from', match: 'contains', values: ['boss@corp.test'] }],
      actions: [{ kind: 'move', folder: ['Work', 'Boss'] }],
      stop: true,
    });
    const [res] = await (await open(B)).writeRules({ rules: [changed], untranslated: [] });
    assert.equal(res!.outcome, 'written');
    assert.match(res!.detail!, /every matching filter: "stop" was left out/);
    assert.equal(emu.settings(B).filters.size, 6);
  });

  test('what Gmail cannot express is untranslated with the reason, and not written', async () => {
    const before = emu.settings(B).filters.size;
    const from = [
      { kind: 'text' as const, field: 'from' as const, match: 'contains' as const, values: ['x@y.test'] },
    ];
    const results = await (
      await open(B)
    ).writeRules({
      rules: [
        rule('Off', { enabled: false, conditions: from, actions: [{ kind: 'mark-read' }] }),
        rule('Everything', { actions: [{ kind: 'mark-read' }] }),
        rule('Body', {
          conditions: [{ kind: 'text', field: 'body', match: 'contains', values: ['x'] }],
          actions: [{ kind: 'mark-read' }],
        }),
        rule('Subject is', {
          conditions: [{ kind: 'text', field: 'subject', match: 'is', values: ['x'] }],
          actions: [{ kind: 'mark-read' }],
        }),
        rule('Header', {
          conditions: [{ kind: 'text', field: { header: 'X-Spam' }, match: 'contains', values: ['yes'] }],
          actions: [{ kind: 'delete' }],
        }),
        rule('Redirect away', {
          conditions: from,
          actions: [{ kind: 'redirect', to: ['a@b.test'], keepCopy: false }],
        }),
        rule('Two', {
          conditions: from,
          actions: [{ kind: 'redirect', to: ['a@b.test', 'c@d.test'], keepCopy: true }],
        }),
        rule('To Sent', { conditions: from, actions: [{ kind: 'move', folder: ['Sent'] }] }),
        rule('Keep', { conditions: from, actions: [{ kind: 'keep' }] }),
      ],
      signatures: [{ address: 'nobody@example.test', html: 'x', isDefault: false }],
      untranslated: [],
    });
    assert.deepEqual(
      results.map((r) => r.outcome),
      Array(10).fill('untranslated'),
    );
    const why = results.map((r) => r.detail ?? '');
    assert.match(why[0]!, /cannot be turned off/);
    assert.match(why[1]!, /at least one criterion/);
    assert.match(why[2]!, /no body-only condition/);
    assert.match(why[3]!, /no exact 'subject is'/);
    assert.match(why[4]!, /header X-Spam/);
    assert.match(why[5]!, /keeps none/);
    assert.match(why[6]!, /one address only/);
    assert.match(why[7]!, /cannot move a message to Sent/);
    assert.match(why[8]!, /only keeps/);
    assert.match(why[9]!, /no send-as address nobody@example.test/);
    assert.equal(emu.settings(B).filters.size, before);
  });
});

describe('Gmail filters: refusals carry Gmail words', () => {
  test('an unverified forward, a label gone meanwhile, the 1,000-filter cap, a backwards responder, a long signature', async () => {
    const s = emu.settings(C);
    s.forwardingAddresses.push({ forwardingEmail: 'pending@home.test', verificationStatus: 'pending' });
    const from = (v: string) => [
      { kind: 'text' as const, field: 'from' as const, match: 'contains' as const, values: [v] },
    ];
    emu.beforeRequest = (op, mb) => {
      const label = [...mb.labels.values()].find((l) => l.name === 'Vanishing');
      if (op === 'settings.filters.create' && label) mb.deleteLabel(label.id);
    };
    try {
      const results = await (
        await open(C)
      ).writeRules({
        rules: [
          rule('Forward', {
            conditions: from('a@x.test'),
            actions: [{ kind: 'redirect', to: ['pending@home.test'], keepCopy: true }],
          }),
          rule('Vanish', {
            conditions: from('b@x.test'),
            actions: [{ kind: 'copy', folder: ['Vanishing'] }],
          }),
        ],
        vacation: {
          enabled: true,
          body: 'away',
          html: false,
          audience: 'all',
          start: new Date('2027-01-02T00:00:00Z'),
          end: new Date('2027-01-01T00:00:00Z'),
          original: '',
        },
        signatures: [{ address: C, html: 'x'.repeat(10_001), isDefault: true }],
        untranslated: [],
      });
      assert.deepEqual(
        results.map((r) => [r.name, r.outcome]),
        [
          ['Forward', 'refused'],
          ['Vanish', 'refused'],
          ['vacation reply', 'refused'],
          [`signature of ${C}`, 'refused'],
        ],
      );
      assert.match(results[0]!.detail!, /Unrecognized forwarding address \(HTTP 400, failedPrecondition\)/);
      assert.match(results[1]!.detail!, /Invalid label: Label_\d+ \(HTTP 400, invalidArgument\)/);
      assert.match(results[2]!.detail!, /startTime must precede endTime/);
      assert.match(results[3]!.detail!, /Signature is too long/);
    } finally {
      emu.beforeRequest = undefined;
    }
    for (let i = s.filters.size; i < 1000; i++)
      s.filters.set(`seed${i}`, {
        id: `seed${i}`,
        criteria: { from: `n${i}@x.test` },
        action: { addLabelIds: ['STARRED'] },
      });
    const [cap] = await (
      await open(C)
    ).writeRules({
      rules: [rule('One more', { conditions: from('z@x.test'), actions: [{ kind: 'flag' }] })],
      untranslated: [],
    });
    assert.equal(cap!.outcome, 'refused');
    assert.match(cap!.detail!, /Too many filters/);
    assert.equal(s.filters.size, 1000);
  });

  test('the emulator refuses a filter without criteria or action, and settings writes without the settings scope', async () => {
    const api = new GmailApi(gmailTarget(gmailServer(emu), serviceAccountLogin(emu, C)));
    const create = (json: object) =>
      api.json({ op: 'settings.filters.create', path: '/settings/filters', json, scope: SETTINGS_SCOPE });
    const refused = (words: RegExp) => (e: unknown) => e instanceof PermanentError && words.test(e.message);
    await assert.rejects(
      create({ criteria: {}, action: { addLabelIds: ['STARRED'] } }),
      refused(/criteria must not be empty/),
    );
    await assert.rejects(
      create({ criteria: { from: 'x' }, action: {} }),
      refused(/action must not be empty/),
    );
    // A user's own token with full mailbox access only: Google takes only gmail.settings.basic for writes.
    const mine = await connector.openFilters(gmailServer(emu), accessTokenLogin(emu, C));
    assert.ok((await mine.readRules()).rules.length >= 1000, 'reads take full mailbox access');
    await assert.rejects(
      mine.writeRules({
        rules: [rule('x', { conditions: [{ kind: 'has-attachment' }], actions: [{ kind: 'flag' }] })],
        untranslated: [],
      }),
      (e: unknown) =>
        e instanceof CutoverError &&
        e.code === ErrorCode.AuthFailed &&
        /insufficient authentication scopes/.test(e.message) &&
        /gmail\.settings\.basic/.test(e.hint ?? ''),
    );
  });
});

describe('Gmail filters: nothing is sent', () => {
  test('no request of the whole file sent mail, and no message arrived in any mailbox', () => {
    const ops = Object.keys(emu.stats.requests);
    assert.deepEqual(
      ops.filter((op) => /send|messages\.|drafts\.|unknown/.test(op) && !op.startsWith('settings.sendAs')),
      [],
    );
    for (const u of [A, B, C]) assert.equal(emu.mailbox(u).messages.size, 0);
  });
});
