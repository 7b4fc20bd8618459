/** `kind: graph` in project files: defaults, required tenant, https-only endpoints, app-only admin. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseProjectFile } from '../../src/config/project-file.js';
import { graphTarget } from '../../src/connectors/graph/graph-config.js';

const noFiles = (path: string): string => {
  throw Object.assign(new Error(`no ${path}`), { code: 'ENOENT' });
};

test('a Microsoft 365 destination with app-only access', () => {
  const yaml = `source: { host: old.example.com }
destination:
  kind: graph
  graph: { tenantId: contoso.onmicrosoft.com, maxMessageSize: 157286400 }
  admin: { user: 11111111-2222-3333-4444-555555555555, password: { env: GRAPH_SECRET }, mode: master }
mailboxes: [alice@contoso.com]
`;
  const { config, problems } = parseProjectFile(yaml, '/etc/m365.yaml', noFiles);
  assert.deepEqual(problems, []);
  const d = config!.destination;
  assert.equal(d.kind, 'graph');
  assert.equal(d.host, 'graph.microsoft.com');
  assert.equal(d.port, 443);
  assert.deepEqual(d.graph, { tenantId: 'contoso.onmicrosoft.com', maxMessageBytes: 157286400 });
  const t = graphTarget(d, {
    kind: 'master',
    user: 'alice@contoso.com',
    masterUser: 'x',
    password: { value: 'y' },
  });
  assert.equal(t.baseUrl, 'https://graph.microsoft.com/v1.0');
  assert.equal(t.authorityHost, 'https://login.microsoftonline.com');
  assert.equal(t.where, 'graph:contoso.onmicrosoft.com/alice@contoso.com');
});

test('a missing tenant, an http endpoint and graph settings on an IMAP server are problems', () => {
  const yaml = `source: { kind: graph, graph: { baseUrl: "http://127.0.0.1:8080/v1.0" } }
destination: { host: new.example.com, graph: { tenantId: x } }
`;
  const { problems } = parseProjectFile(yaml, '/etc/bad.yaml', noFiles);
  const text = problems.map((p) => p.message).join('\n');
  assert.match(text, /source\.graph\.tenantId is missing/);
  assert.match(text, /source\.graph\.baseUrl 'http:\/\/127\.0\.0\.1:8080\/v1\.0' is not an https URL/);
  assert.match(text, /destination\.graph applies to kind: graph only/);
});

test('graph:// one-off URLs: app-only with a client id, delegated with auth=xoauth2, a lab host', async () => {
  const { parseServerUrl } = await import('../../src/config/server-url.js');
  const app = parseServerUrl(
    'graph://alice%40contoso.com:s3cret@graph.microsoft.com?tenant=contoso.onmicrosoft.com&client-id=app-1',
  );
  assert.equal(app.server.kind, 'graph');
  assert.deepEqual(app.server.graph, { tenantId: 'contoso.onmicrosoft.com' });
  assert.deepEqual(app.auth, {
    kind: 'master',
    user: 'alice@contoso.com',
    masterUser: 'app-1',
    password: { value: 's3cret' },
  });
  const lab = parseServerUrl(
    'graph://bob%40x.test@127.0.0.1:8443?tenant=t1&auth=xoauth2&password-env=BOB_TOKEN&insecure=1',
  );
  assert.deepEqual(lab.server.graph, {
    tenantId: 't1',
    baseUrl: 'https://127.0.0.1:8443/v1.0',
    authorityHost: 'https://127.0.0.1:8443',
  });
  assert.equal(lab.server.allowInvalidCertificates, true);
  assert.deepEqual(lab.auth, { kind: 'xoauth2', user: 'bob@x.test', accessToken: { env: 'BOB_TOKEN' } });
  assert.throws(() => parseServerUrl('graph://a%40b.c:pw@graph.microsoft.com?client-id=x'), /No tenant/);
  assert.throws(
    () => parseServerUrl('graph://a%40b.c:pw@graph.microsoft.com?tenant=t'),
    /neither client-id= .* nor auth=xoauth2/,
  );
  assert.throws(() => parseServerUrl('imap://a:pw@h?tenant=t'), /applies to graph:\/\/ only/);
});

test('graph.writePath and the budgets: read on a destination, refused on a source or when unknown', () => {
  const ok = parseProjectFile(
    `source: { host: old.example.com }
destination:
  kind: graph
  graph: { tenantId: t, writePath: auto, imapPort: 993, requestBudget: 5000, uploadBudgetMB: 100 }
mailboxes: [alice@contoso.com]
`,
    '/etc/w.yaml',
    noFiles,
  );
  assert.deepEqual(ok.problems, []);
  assert.deepEqual(ok.config!.destination.graph, {
    tenantId: 't',
    writePath: 'auto',
    imapPort: 993,
    requestBudget: 5000,
    uploadBudgetMB: 100,
  });
  const t = graphTarget(ok.config!.destination, {
    kind: 'master',
    user: 'a@t',
    masterUser: 'x',
    password: { value: 'y' },
  });
  assert.deepEqual(t.imap, { host: 'outlook.office365.com', port: 993 });
  assert.equal(t.budget.requests, 5000);
  assert.equal(t.budget.uploadBytes, 100_000_000);
  const bad = parseProjectFile(
    `source: { kind: graph, graph: { tenantId: s, writePath: imap } }
destination: { kind: graph, graph: { tenantId: t, writePath: smtp, requestBudget: 20000 } }
`,
    '/etc/w.yaml',
    noFiles,
  );
  const text = bad.problems.map((p) => p.message).join('\n');
  assert.match(text, /source\.graph\.writePath applies to a destination only/);
  assert.match(text, /destination\.graph\.writePath 'smtp' is not one of json, imap, auto/);
  assert.match(text, /requestBudget/);
});
