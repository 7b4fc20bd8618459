/** Projects keep every setting: Microsoft 365 and Google Workspace servers, folder rules, the whole plan. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { projectsFromStore } from '../../src/portal/portal-projects.js';
import { openSecretBox } from '../../src/security/secret-key.js';
import { openStore } from '../../src/store/db.js';
import { tempDataDir } from '../integration/helpers.js';
import { errorBody, loggedIn, projectBody, server } from './helpers.js';

const KEY = JSON.stringify({
  type: 'service_account',
  private_key: 'PRIVATE-KEY-TEXT',
  client_email: 'sa@x',
});
const OAUTH_SECRET = 'oauth-client-secret-value';
const TSIG = 'dHNpZy1zZWNyZXQ=';

const gmail = {
  kind: 'gmail',
  admin: { user: 'admin@old.example', mode: 'master', password: KEY },
  gmail: {
    oauthClient: { id: 'client.apps.googleusercontent.com', secret: OAUTH_SECRET },
    apiUrl: 'http://127.0.0.1:1/gmail',
    tokenUrl: 'http://127.0.0.1:1/token',
    quotaUnitsPerSecond: 100,
  },
};
const graph = {
  kind: 'graph',
  admin: { user: 'app-id', mode: 'master', password: 'graph-client-secret' },
  graph: {
    tenantId: 'contoso.example',
    baseUrl: 'https://127.0.0.1:2/v1.0',
    authorityHost: 'https://127.0.0.1:2',
  },
};
const plan = {
  cutover: '2026-12-12T18:00',
  notifyFrom: '2026-11-25',
  mode: 'admin',
  communications: 'contact',
  contact: 'it@new.example',
  domains: ['old.example'],
  dns: 'dynamic',
  dnsServer: { host: 'ns1.old.example', keyName: 'cutover', keySecret: TSIG },
  prestageOlderThanDays: 45,
  recentMonths: 3,
  catchUpDays: 10,
  addressReplacements: [{ from: '@old.example', to: '@new.example' }],
};
const defaults = {
  itemTypes: ['mail'],
  includeFolders: ['^INBOX'],
  excludeFolders: ['^Junk$'],
  folderMap: [{ from: 'Sent Items', to: 'Sent' }],
  folderRegex: [{ pattern: '^Projects/(.*)$', replacement: 'Work/$1' }],
};

type Out = {
  id: number;
  source: {
    kind: string;
    host: string;
    port: number;
    gmail: unknown;
    graph: unknown;
    admin: { passwordSet: boolean };
  };
  destination: { kind: string; graph: unknown };
  defaults: typeof defaults;
  plan: Record<string, unknown> & { dnsServer: { keySecretSet: boolean } };
};

test('projects: Gmail and Graph servers, folder rules and the plan are stored and shown, secrets sealed', async (t) => {
  const dataDir = tempDataDir();
  const app = await server({ dataDir });
  t.after(() => app.close());
  const auth = await loggedIn(app);
  const body = projectBody('cloud', {
    source: gmail,
    destination: graph,
    defaults,
    timezone: 'Europe/Berlin',
    plan,
  });
  const r = await app.inject({ method: 'POST', url: '/api/projects', ...auth, payload: body });
  assert.equal(r.statusCode, 201, r.body);
  for (const secret of ['PRIVATE-KEY-TEXT', OAUTH_SECRET, TSIG, 'graph-client-secret'])
    assert.ok(!r.body.includes(secret), secret);
  const p = r.json<Out>();
  assert.equal(p.source.kind, 'gmail');
  assert.equal(p.source.host, 'gmail.googleapis.com');
  assert.equal(p.source.port, 443);
  assert.deepEqual(p.source.gmail, {
    oauthClient: { id: 'client.apps.googleusercontent.com', secretSet: true },
    apiUrl: 'http://127.0.0.1:1/gmail',
    tokenUrl: 'http://127.0.0.1:1/token',
    quotaUnitsPerSecond: 100,
  });
  assert.deepEqual(p.destination.graph, graph.graph);
  assert.deepEqual(p.defaults, { ...defaults, since: null, before: null, maxMessageBytes: null });
  // 18:00 in Berlin in December is 17:00 UTC.
  assert.equal(p.plan.cutover, '2026-12-12T17:00:00.000Z');
  assert.equal(p.plan.notifyFrom, '2026-11-24T23:00:00.000Z');
  assert.equal(p.plan.mode, 'admin');
  assert.equal(p.plan.contact, 'it@new.example');
  assert.deepEqual(p.plan.dnsServer, {
    host: 'ns1.old.example',
    port: 53,
    keyName: 'cutover',
    keySecretSet: true,
  });
  assert.equal(p.plan.prestageOlderThanDays, 45);
  assert.deepEqual(p.plan.addressReplacements, plan.addressReplacements);

  // An edit of the plan without the TSIG key keeps it (same name server and key name).
  const edited = await app.inject({
    method: 'PATCH',
    url: `/api/projects/${p.id}`,
    ...auth,
    payload: {
      plan: { ...plan, dnsServer: { host: 'ns1.old.example', keyName: 'cutover' }, mode: 'credentials' },
    },
  });
  assert.equal(edited.statusCode, 200, edited.body);
  assert.equal(edited.json<Out>().plan.mode, 'credentials');
  assert.equal(edited.json<Out>().plan.dnsServer.keySecretSet, true);
  // Another name server does not get the stored key.
  const moved = await app.inject({
    method: 'PATCH',
    url: `/api/projects/${p.id}`,
    ...auth,
    payload: { plan: { ...plan, dnsServer: { host: 'ns2.elsewhere.example', keyName: 'cutover' } } },
  });
  assert.equal(moved.statusCode, 400, moved.body);
  assert.match(errorBody(moved).message, /no key secret/);
  // The Gmail OAuth client secret is kept on an edit that leaves the client and endpoints alone.
  const { oauthClient: _c, ...gmailSettings } = gmail.gmail;
  const same = await app.inject({
    method: 'PATCH',
    url: `/api/projects/${p.id}`,
    ...auth,
    payload: {
      source: {
        ...gmail,
        admin: { user: 'admin@old.example', mode: 'master' },
        gmail: { ...gmailSettings, oauthClient: { id: 'client.apps.googleusercontent.com' } },
      },
    },
  });
  assert.equal(same.statusCode, 200, same.body);
  assert.equal(same.json<Out>().source.admin.passwordSet, true);
  const otherToken = await app.inject({
    method: 'PATCH',
    url: `/api/projects/${p.id}`,
    ...auth,
    payload: {
      source: {
        ...gmail,
        gmail: {
          ...gmailSettings,
          tokenUrl: 'http://evil.example/token',
          oauthClient: { id: 'client.apps.googleusercontent.com' },
        },
      },
    },
  });
  assert.equal(otherToken.statusCode, 400, otherToken.body);
  assert.match(errorBody(otherToken).message, /oauthClient has no secret/);

  const store = await openStore(dataDir);
  const raw = await store.db.selectFrom('projects').select('settings').executeTakeFirstOrThrow();
  await store.close();
  for (const secret of ['PRIVATE-KEY-TEXT', OAUTH_SECRET, TSIG, 'graph-client-secret'])
    assert.ok(!raw.settings.includes(secret), secret);
});

test('projects: cloud servers, folder rules and plans are checked as in a project file', async (t) => {
  const app = await server();
  t.after(() => app.close());
  const auth = await loggedIn(app);
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ destination: { kind: 'graph', admin: graph.admin } }, /graph\.tenantId is missing/],
    [{ destination: { ...graph, gmail: { apiUrl: 'https://x' } } }, /gmail applies to kind: gmail only/],
    [{ source: { ...graph, graph: { tenantId: 't', baseUrl: 'http://x' } } }, /baseUrl must match pattern/],
    [{ source: { ...gmail, gmail: { quotaUnitsPerSecond: 900 } } }, /must be <= 250/],
    [
      { defaults: { itemTypes: ['mail'], folderRegex: [{ pattern: '(', replacement: 'x' }] } },
      /regular expression|regex/i,
    ],
    [{ plan: { cutover: 'next tuesday' } }, /plan\.cutover.*not a date and time/],
    [{ plan: { mode: 'telepathy' } }, /body\.plan\.mode/],
    [{ plan: { colour: 'red' } }, /body\.plan\.colour is not accepted/],
  ];
  for (const [over, message] of cases) {
    const r = await app.inject({
      method: 'POST',
      url: '/api/projects',
      ...auth,
      payload: projectBody('v', over),
    });
    assert.equal(r.statusCode, 400, `${JSON.stringify(over)} → ${r.body}`);
    assert.match(errorBody(r).message, message);
    assert.ok(errorBody(r).hint);
  }
});

test('serve --project keeps the folder rules, the cloud settings and the plan', async (t) => {
  const dataDir = tempDataDir();
  const dir = fs.mkdtempSync(path.join(dataDir, 'file-'));
  const file = path.join(dir, 'project.yaml');
  fs.writeFileSync(
    file,
    [
      'name: imported',
      'source: { kind: graph, graph: { tenantId: contoso.example }, admin: { user: app-id, password: inline-secret } }',
      'destination: { host: new.example, port: 143, tls: none }',
      'defaults:',
      '  folders: { map: { "Sent Items": Sent }, regex: [{ pattern: "^A/(.*)$", replacement: "B/$1" }], exclude: ["^Junk$"] }',
      'plan:',
      '  timezone: UTC',
      '  cutover: 2026-12-12T18:00',
      '  communications: users',
      '  dns: dynamic',
      '  dnsServer: { host: ns1.example, keyName: k, keySecret: inline-tsig }',
      '  windows: [{ days: mon-fri, from: "08:00", to: "18:00", concurrency: 1 }]',
      '  addressReplacements: [{ from: "@old.example", to: "@new.example" }]',
    ].join('\n'),
  );
  const app = await server({ dataDir, projectFile: file });
  t.after(() => app.close());
  const auth = await loggedIn(app);
  const list = await app.inject({ method: 'GET', url: '/api/projects', cookies: auth.cookies });
  const p = list
    .json<{ items: Out[] }>()
    .items.find((x) => (x as unknown as { name: string }).name === 'imported')!;
  assert.equal(p.source.kind, 'graph');
  assert.deepEqual(p.source.graph, { tenantId: 'contoso.example' });
  assert.deepEqual(p.defaults.folderMap, [{ from: 'Sent Items', to: 'Sent' }]);
  assert.deepEqual(p.defaults.folderRegex, [{ pattern: '^A/(.*)$', replacement: 'B/$1' }]);
  assert.deepEqual(p.defaults.excludeFolders, ['^Junk$']);
  assert.equal(p.plan.cutover, '2026-12-12T18:00:00.000Z');
  assert.equal(p.plan.communications, 'users');
  assert.deepEqual(p.plan.dnsServer, { host: 'ns1.example', port: 53, keyName: 'k', keySecretSet: true });
  assert.deepEqual(p.plan.addressReplacements, [{ from: '@old.example', to: '@new.example' }]);
  assert.deepEqual((p as unknown as { windows: unknown }).windows, [
    { days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00', concurrency: 1 },
  ]);
  assert.ok(!list.body.includes('inline-secret') && !list.body.includes('inline-tsig'));
});

test('the portal and end-user messages read the stored plan: by domain, with its dates and communications', async (t) => {
  const dataDir = tempDataDir();
  const app = await server({ dataDir });
  t.after(() => app.close());
  const auth = await loggedIn(app);
  const r = await app.inject({
    method: 'POST',
    url: '/api/projects',
    ...auth,
    payload: projectBody('portal', { plan: { ...plan, dnsServer: null, domains: ['Old.Example'] } }),
  });
  assert.equal(r.statusCode, 201, r.body);
  await app.close();
  const store = await openStore(dataDir);
  t.after(() => store.close());
  const projects = projectsFromStore(store, openSecretBox(dataDir));
  const byDomain = await projects.forDomain('old.example');
  assert.equal(byDomain?.name, 'portal');
  assert.equal(byDomain?.plan?.communications, 'contact');
  assert.equal(byDomain?.plan?.contact, 'it@new.example');
  assert.equal(byDomain?.plan?.cutoverAt?.toISOString(), '2026-12-12T18:00:00.000Z');
  assert.equal(byDomain?.plan?.prestageOlderThanDays, 45);
  assert.equal((await projects.single())?.plan?.mode, 'admin');
});
