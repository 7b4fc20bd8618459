/**
 * Microsoft 365 inbox rules and automatic replies through the Graph connector's filters endpoint, against
 * the LOCAL EMULATOR of Microsoft Graph (test/emulators/graph, emulator-rules.ts; the real service cannot be
 * reached from here): reading a seeded set, writing the neutral form and reading it back, reruns that write
 * nothing, what Graph cannot express, each refusal of the emulator with Graph's words, and that nothing is
 * ever sent.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphConnector } from '../../src/connectors/graph/graph-connector.js';
import { GraphClient } from '../../src/connectors/graph/graph-client.js';
import { appOf, tokenSourceFor } from '../../src/connectors/graph/graph-auth.js';
import { graphTarget } from '../../src/connectors/graph/graph-config.js';
import type { FilterSet, MailRule, VacationReply } from '../../src/connectors/filters-contract.js';
import { PermanentError } from '../../src/errors.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { appLogin, emulatorServer } from '../emulators/graph/graph-project.js';

let emu: GraphEmulator;
const A = 'anna@contoso.test';
const B = 'bert@contoso.test';
const connector = new GraphConnector();
const open = (user: string) => connector.openFilters(emulatorServer(emu), appLogin(emu, user));

/** A rule in a form that compares: no original, values and conditions in a stable order, case folded. */
function comparable(r: MailRule): unknown {
  const sortJson = (xs: unknown[]) => xs.map((x) => JSON.stringify(x)).sort();
  const fold = (c: unknown) => JSON.parse(JSON.stringify(c).toLowerCase()) as unknown;
  return {
    name: r.name,
    enabled: r.enabled,
    stop: r.stop,
    conditions: sortJson(r.conditions.map(fold)),
    exceptions: sortJson(r.exceptions.map(fold)),
    actions: sortJson(r.actions),
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

const writtenSet: FilterSet = {
  rules: [
    rule('From the boss', {
      conditions: [{ kind: 'text', field: 'from', match: 'is', values: ['boss@contoso.test'] }],
      actions: [{ kind: 'move', folder: ['Work', 'Boss'] }, { kind: 'mark-read' }],
      stop: true,
    }),
    rule('Newsletters', {
      conditions: [
        { kind: 'text', field: 'subject', match: 'contains', values: ['newsletter', 'digest'] },
        { kind: 'size', over: 100 * 1024 },
      ],
      exceptions: [
        { kind: 'text', field: 'from', match: 'contains', values: ['vip'] },
        { kind: 'has-attachment' },
      ],
      actions: [
        { kind: 'copy', folder: ['Reading', 'Ünïcode → news'] },
        { kind: 'tag', names: ['News'] },
      ],
    }),
    rule('Spam header', {
      enabled: false,
      conditions: [{ kind: 'text', field: { header: 'X-Spam-Flag' }, match: 'contains', values: ['YES'] }],
      actions: [{ kind: 'delete' }],
    }),
    rule('Copy to assistant', {
      conditions: [{ kind: 'text', field: 'to-or-cc', match: 'contains', values: ['sales@'] }],
      actions: [{ kind: 'redirect', to: ['assistant@contoso.test'], keepCopy: true }],
    }),
  ],
  vacation: {
    enabled: true,
    body: '<p>Away until Monday.</p>',
    html: true,
    externalBody: '<p>I am out of the office.</p>',
    audience: 'contacts',
    start: new Date('2026-12-20T08:00:00Z'),
    end: new Date('2027-01-04T08:00:00Z'),
    original: '',
  },
  untranslated: [],
};

before(async () => {
  emu = await startGraphEmulator({ latencyMs: 1 });
  for (const u of [A, B, 'carl@contoso.test', 'dora@contoso.test']) emu.store.addUser(u);
});
after(() => emu?.stop());

describe('Microsoft 365 filters: reading', () => {
  test('a seeded set of 13 rules (more than a page) reads in sequence order, untranslatable ones with their JSON', async () => {
    const user = emu.store.user(A)!;
    const acme = emu.store.folderByPath(user, ['Clients', 'ACME'])!;
    const rules = emu.inboxRules;
    rules.seed(user, {
      displayName: 'ACME',
      sequence: 2,
      conditions: { senderContains: ['ACME.TEST'], withinSizeRange: { minimumSize: 10, maximumSize: 2000 } },
      actions: { moveToFolder: acme.id, stopProcessingRules: true },
    });
    rules.seed(user, {
      displayName: 'Important',
      sequence: 1,
      conditions: { importance: 'high' },
      actions: { markAsRead: true },
    });
    rules.seed(user, {
      displayName: 'Any header',
      sequence: 3,
      conditions: { headerContains: ['confidential'] },
      actions: { delete: true },
    });
    rules.seed(user, {
      displayName: 'Forward',
      sequence: 4,
      isEnabled: false,
      conditions: { fromAddresses: [{ emailAddress: { address: 'ceo@contoso.test', name: 'CEO' } }] },
      exceptions: { subjectContains: ['private'] },
      actions: { forwardTo: [{ emailAddress: { address: 'pa@contoso.test' } }], assignCategories: ['CEO'] },
    });
    for (let i = 5; i <= 13; i++)
      rules.seed(user, { displayName: `Rule ${i}`, sequence: i, actions: { markAsRead: true } });
    const set = await (await open(A)).readRules();
    assert.deepEqual(
      set.rules.map((r) => r.name),
      ['ACME', 'Forward', ...Array.from({ length: 9 }, (_, i) => `Rule ${i + 5}`)],
    );
    const acmeRule = set.rules[0]!;
    assert.deepEqual(acmeRule.conditions, [
      { kind: 'text', field: 'from', match: 'contains', values: ['ACME.TEST'] },
      { kind: 'size', over: 10 * 1024, under: 2000 * 1024 },
    ]);
    assert.deepEqual(acmeRule.actions, [{ kind: 'move', folder: ['Clients', 'ACME'] }]);
    assert.equal(acmeRule.stop, true);
    const fwd = set.rules[1]!;
    assert.equal(fwd.enabled, false);
    assert.deepEqual(fwd.actions, [
      { kind: 'redirect', to: ['pa@contoso.test'], keepCopy: true },
      { kind: 'tag', names: ['CEO'] },
    ]);
    assert.deepEqual(fwd.exceptions, [
      { kind: 'text', field: 'subject', match: 'contains', values: ['private'] },
    ]);
    assert.deepEqual(
      set.untranslated.map((u) => u.name),
      ['Important', 'Any header'],
    );
    assert.match(set.untranslated[0]!.reason, /importance/);
    assert.match(set.untranslated[1]!.reason, /whole header block/);
    assert.equal(
      (JSON.parse(set.untranslated[0]!.original) as { displayName: string }).displayName,
      'Important',
    );
    assert.equal(set.vacation, undefined, 'automatic replies off and empty: no vacation reply');
    assert.equal(set.signatures, undefined);
  });

  test('automatic replies scheduled in a Windows time zone read as instants; an unknown zone is reported', async () => {
    const user = emu.store.user(A)!;
    Object.assign(emu.inboxRules.autoReplies(user), {
      status: 'scheduled',
      externalAudience: 'none',
      internalReplyMessage: '<p>Back on the 5th</p>',
      externalReplyMessage: '<p>Back on the 5th</p>',
      scheduledStartDateTime: {
        dateTime: '2026-07-01T09:00:00.0000000',
        timeZone: 'W. Europe Standard Time',
      },
      scheduledEndDateTime: { dateTime: '2026-07-05T18:30:00.0000000', timeZone: 'Pacific Standard Time' },
    });
    const { vacation } = await (await open(A)).readRules();
    assert.deepEqual(
      { ...vacation, original: undefined },
      {
        enabled: true,
        body: '<p>Back on the 5th</p>',
        html: true,
        audience: 'internal',
        start: new Date('2026-07-01T07:00:00Z'), // CEST
        end: new Date('2026-07-06T01:30:00Z'), // PDT
        original: undefined,
      },
    );
    emu.inboxRules.autoReplies(user)['scheduledEndDateTime'] = {
      dateTime: '2026-07-05T18:30:00',
      timeZone: 'Nowhere Standard Time',
    };
    const again = await (await open(A)).readRules();
    assert.equal(again.vacation, undefined);
    assert.match(again.untranslated.at(-1)!.reason, /Nowhere Standard Time/);
  });
});

describe('Microsoft 365 filters: writing', () => {
  test('the neutral form written reads back equal; folders are made; a rerun writes nothing', async () => {
    const dst = await open(B);
    const results = await dst.writeRules(writtenSet);
    assert.deepEqual(
      results.map((r) => [r.name, r.outcome]),
      [
        ['From the boss', 'written'],
        ['Newsletters', 'written'],
        ['Spam header', 'written'],
        ['Copy to assistant', 'written'],
        ['vacation reply', 'written'],
      ],
    );
    const back = await (await open(B)).readRules();
    assert.deepEqual(back.untranslated, []);
    assert.deepEqual(back.rules.map(comparable), writtenSet.rules.map(comparable));
    assert.deepEqual({ ...back.vacation, original: '' }, writtenSet.vacation);
    const stored = emu.inboxRules.of(emu.store.user(B)!);
    assert.deepEqual(
      stored.map((r) => r.sequence),
      [1, 2, 3, 4],
    );
    assert.ok(emu.store.folderByPath(emu.store.user(B)!, ['Reading', 'Ünïcode → news'], false));

    const posts = emu.routes.get('POST mailFolders/{}/messageRules') ?? 0;
    const patches = emu.routes.get('PATCH mailboxSettings') ?? 0;
    const again = await (await open(B)).writeRules(writtenSet);
    assert.deepEqual(
      again.map((r) => r.outcome),
      ['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged'],
    );
    assert.equal(emu.routes.get('POST mailFolders/{}/messageRules') ?? 0, posts);
    assert.equal(emu.routes.get('PATCH mailboxSettings') ?? 0, patches);
    assert.equal(stored.length, 4);
  });

  test('a rule of the same name that says something else is updated in place, what it said kept', async () => {
    const changed = rule('From the boss', {
      conditions: [{ kind: 'text', field: 'from', match: 'is', values: ['boss@contoso.test'] }],
      actions: [{ kind: 'move', folder: ['Work', 'Boss'] }],
      stop: true,
    });
    const [res] = await (await open(B)).writeRules({ rules: [changed], untranslated: [] });
    assert.equal(res!.outcome, 'written');
    assert.match(res!.detail!, /replaced the rule of the same name, which was: .*"markAsRead":true/);
    const stored = emu.inboxRules.of(emu.store.user(B)!);
    assert.equal(stored.length, 4, 'nothing added, nothing deleted');
    assert.equal((stored[0]!['actions'] as { markAsRead?: boolean }).markAsRead, undefined);
  });

  test('what Graph cannot express is untranslated with the reason, and not written', async () => {
    const before = emu.inboxRules.of(emu.store.user(B)!).length;
    const set: FilterSet = {
      rules: [
        rule('Subject is', {
          conditions: [{ kind: 'text', field: 'subject', match: 'is', values: ['Hello'] }],
          actions: [{ kind: 'mark-read' }],
        }),
        rule('Odd size', { conditions: [{ kind: 'size', over: 1000 }], actions: [{ kind: 'delete' }] }),
        rule('Redirect away', {
          actions: [{ kind: 'redirect', to: ['x@contoso.test'], keepCopy: false }],
        }),
        rule('Two subjects', {
          conditions: [
            { kind: 'text', field: 'subject', match: 'contains', values: ['a'] },
            { kind: 'text', field: 'subject', match: 'contains', values: ['b'] },
          ],
          actions: [{ kind: 'mark-read' }],
        }),
        rule('Flag it', { actions: [{ kind: 'flag' }] }),
        rule('To only', {
          conditions: [{ kind: 'text', field: 'to', match: 'contains', values: ['me'] }],
          actions: [{ kind: 'mark-read' }],
        }),
        rule('Just keep', { actions: [{ kind: 'keep' }] }),
      ],
      signatures: [{ address: B, html: '<b>Bert</b>', isDefault: true }],
      untranslated: [],
    };
    const results = await (await open(B)).writeRules(set);
    assert.deepEqual(
      results.map((r) => r.outcome),
      Array(8).fill('untranslated'),
    );
    const reasons = results.map((r) => r.detail ?? '');
    assert.match(reasons[0]!, /no 'subject is' condition/);
    assert.match(reasons[1]!, /whole kilobytes.*1000 bytes is between 0 and 1 KB/);
    assert.match(reasons[2]!, /keeps no copy/);
    assert.match(reasons[3]!, /alternatives, not both/);
    assert.match(reasons[4]!, /cannot flag/);
    assert.match(reasons[5]!, /not 'to' alone/);
    assert.match(reasons[6]!, /only keeps/);
    assert.equal(results[7]!.name, `signature of ${B}`);
    assert.match(reasons[7]!, /roaming signatures/);
    assert.equal(emu.inboxRules.of(emu.store.user(B)!).length, before);
    const caps = (await open(B)).capabilities;
    assert.equal(caps.signatures, false);
    assert.match(caps.signaturesNote!, /Outlook/);
  });
});

describe('Microsoft 365 filters: refusals carry Graph words', () => {
  const client = (user: string) => {
    const server = emulatorServer(emu);
    const target = graphTarget(server, appLogin(emu, user));
    return new GraphClient(target, tokenSourceFor(target, appLogin(emu, user), appOf(server)));
  };
  const C = 'carl@contoso.test';

  test('the emulator refuses a rule without displayName, sequence or action, and a bad folder or range', async () => {
    const c = client(C);
    const url = `/users/${C}/mailFolders/inbox/messageRules`;
    const post = (body: unknown) => c.json('POST', url, { body }, undefined);
    const refused = (words: RegExp) => (e: unknown) => e instanceof PermanentError && words.test(e.message);
    await assert.rejects(
      post({ sequence: 1, actions: { markAsRead: true } }),
      refused(/DisplayName: MissingParameter/),
    );
    await assert.rejects(
      post({ displayName: 'x', actions: { markAsRead: true } }),
      refused(/Priority: MissingParameter/),
    );
    await assert.rejects(post({ displayName: 'x', sequence: 1, actions: {} }), refused(/MissingAction/));
    await assert.rejects(
      post({ displayName: 'x', sequence: 1, actions: { moveToFolder: 'AQMkNoSuch' } }),
      refused(/ErrorInboxRulesValidationError.*FolderDoesNotExist/),
    );
    await assert.rejects(
      post({
        displayName: 'x',
        sequence: 1,
        conditions: { withinSizeRange: { minimumSize: 10 } },
        actions: { delete: true },
      }),
      refused(/MissingRangeValue/),
    );
    const settings = `/users/${C}/mailboxSettings`;
    await assert.rejects(
      c.json('PATCH', settings, { body: { automaticRepliesSetting: { status: 'sometimes' } } }),
      refused(/RequestBodyRead.*'sometimes'.*automaticRepliesStatus/),
    );
    await assert.rejects(
      c.json('PATCH', settings, { body: { automaticRepliesSetting: { externalAudience: 'everyone' } } }),
      refused(/externalAudienceScope/),
    );
    await assert.rejects(
      c.json('PATCH', settings, { body: { automaticRepliesSetting: { status: 'scheduled' } } }),
      refused(/required when Status is Scheduled/),
    );
    assert.equal(emu.inboxRules.of(emu.store.user(C)!).length, 0);
  });

  test('through the endpoint: quota, a folder gone meanwhile, an empty name, a read-only rule, a backwards schedule', async () => {
    const user = emu.store.user(C)!;
    emu.inboxRules.seed(user, {
      displayName: 'Made in Outlook',
      sequence: 1,
      isReadOnly: true,
      actions: { markAsRead: true },
    });
    const big = (i: number) =>
      rule(`Big ${i}`, {
        conditions: [{ kind: 'text', field: 'subject', match: 'contains', values: ['x'.repeat(300)] }],
        actions: [{ kind: 'mark-read' }],
      });
    emu.inboxRules.quotaBytes = 1500;
    // The folder a rule files into is deleted between its creation and the rule's (another client).
    emu.beforeMailRequest = async (upn, req) => {
      const gone = emu.store.folderByPath(user, ['Vanishing'], false);
      if (upn === C && req.method === 'POST' && req.path.endsWith('/messageRules') && gone)
        user.folders.delete(gone.id);
    };
    const backwards: VacationReply = {
      enabled: true,
      body: 'away',
      html: false,
      audience: 'all',
      start: new Date('2027-01-02T00:00:00Z'),
      end: new Date('2027-01-01T00:00:00Z'),
      original: '',
    };
    try {
      const results = await (
        await open(C)
      ).writeRules({
        rules: [
          rule('Vanish', { actions: [{ kind: 'move', folder: ['Vanishing'] }] }),
          rule('', { actions: [{ kind: 'mark-read' }] }),
          rule('Made in Outlook', { actions: [{ kind: 'delete' }] }),
          big(1),
          big(2),
          big(3),
        ],
        vacation: backwards,
        untranslated: [],
      });
      const by = Object.fromEntries(results.map((r) => [r.name, r]));
      assert.equal(by['Vanish']!.outcome, 'refused');
      assert.match(by['Vanish']!.detail!, /HTTP 400 ErrorInboxRulesValidationError.*FolderDoesNotExist/);
      assert.equal(by['']!.outcome, 'refused');
      assert.match(by['']!.detail!, /DisplayName: MissingParameter/);
      assert.equal(by['Made in Outlook']!.outcome, 'refused');
      assert.match(by['Made in Outlook']!.detail!, /read-only/);
      assert.equal(by['Big 1']!.outcome, 'written');
      assert.equal(by['Big 3']!.outcome, 'refused');
      assert.match(by['Big 3']!.detail!, /ErrorRulesOverQuota — The inbox rules quota/);
      assert.equal(by['vacation reply']!.outcome, 'refused');
      assert.match(by['vacation reply']!.detail!, /end time must be later than the start time/);
      assert.equal(emu.inboxRules.of(user)[0]!['isReadOnly'], true);
    } finally {
      emu.beforeMailRequest = undefined;
      emu.inboxRules.quotaBytes = 256 * 1024;
    }
  });
});

describe('Microsoft 365 filters: nothing is sent', () => {
  test('no request of the whole file sent, replied to or forwarded mail, and no message was made', () => {
    const sent = [...emu.routes.keys()].filter((k) => /send|reply|forward|messages$/i.test(k));
    assert.deepEqual(sent, []);
    assert.equal(emu.stats.creates, 0);
  });
});
