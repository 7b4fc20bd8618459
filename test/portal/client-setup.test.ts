/**
 * Client set-up documents: Thunderbird autoconfig (config-v1.1), Outlook POX autodiscover (2006a) and the
 * per-user Apple profile, checked element by element as their formats define them; the profile download is
 * counted for the tracker's "client set-up" stage.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DOMParser, type Element } from '@xmldom/xmldom';
import * as plist from 'plist';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../src/server/app.js';
import { openStore } from '../../src/store/db.js';
import { clientSetupStage } from '../../src/services/credential-stage.js';
import type { ProjectConfig } from '../../src/config/types.js';
import { defaultPlan } from '../../src/config/plan.js';
import { resolveTarget } from '../../src/cli/context.js';
import { tempDataDir } from '../integration/helpers.js';
import { loggedIn } from '../server/helpers.js';
import { registerMailboxes, staticProjects } from './fixtures.js';

let app: FastifyInstance;
let dataDir: string;
let project: ProjectConfig;
let ids: Map<string, number>;

before(async () => {
  project = resolveTarget({
    from: 'imaps://alice%40old.example:x@imap.old.example',
    to: 'imaps://alice%40new.example:x@imap.new.example:993',
  }).project;
  project.name = 'Example & Co';
  project.plan = {
    ...defaultPlan(),
    domains: ['new.example'],
    dnsTarget: { kind: 'imap', mxHost: 'mx.new.example', smtpHost: 'smtp.new.example', verification: [] },
  };
  dataDir = tempDataDir();
  const store = await openStore(dataDir);
  ids = await registerMailboxes(store, project);
  await store.close();
  app = await buildServer({ dataDir, projects: staticProjects(project) });
});
after(() => app?.close());

const xml = (text: string) => new DOMParser().parseFromString(text, 'application/xml').documentElement!;
const kids = (e: Element, name?: string) =>
  Array.from(e.childNodes).filter(
    (n): n is Element => n.nodeType === 1 && (!name || (n as Element).localName === name),
  );
const text = (e: Element, name: string) => {
  const found = kids(e, name);
  assert.equal(found.length, 1, `exactly one <${name}> in <${e.localName}>`);
  return found[0]!.textContent;
};

for (const url of [
  '/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=alice%40new.example',
  '/mail/config-v1.1.xml?emailaddress=alice%40new.example',
])
  test(`autoconfig ${url.split('?')[0]}: config-v1.1 with IMAP over SSL and SMTP submission with STARTTLS`, async () => {
    const r = await app.inject({ method: 'GET', url });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /^application\/xml/);
    const root = xml(r.body);
    assert.equal(root.localName, 'clientConfig');
    assert.equal(root.getAttribute('version'), '1.1');
    const [provider, ...more] = kids(root, 'emailProvider');
    assert.equal(more.length, 0);
    assert.equal(provider!.getAttribute('id'), 'new.example');
    assert.equal(text(provider!, 'domain'), 'new.example');
    assert.equal(text(provider!, 'displayName'), 'Example & Co');
    const server = (tag: string) => {
      const [s] = kids(provider!, tag);
      const fields: Array<[string, string | null]> = [
        'hostname',
        'port',
        'socketType',
        'authentication',
        'username',
      ].map((n) => [n, text(s!, n)]);
      return Object.fromEntries([['type', s!.getAttribute('type')], ...fields]);
    };
    assert.deepEqual(server('incomingServer'), {
      type: 'imap',
      hostname: 'imap.new.example',
      port: '993',
      socketType: 'SSL',
      authentication: 'password-cleartext',
      username: '%EMAILADDRESS%',
    });
    assert.deepEqual(server('outgoingServer'), {
      type: 'smtp',
      hostname: 'smtp.new.example',
      port: '587',
      socketType: 'STARTTLS',
      authentication: 'password-cleartext',
      username: '%EMAILADDRESS%',
    });
  });

test('autoconfig for a domain this server does not serve, or no address: 404', async () => {
  assert.equal(
    (await app.inject({ method: 'GET', url: '/mail/config-v1.1.xml?emailaddress=eve%40other.example' }))
      .statusCode,
    404,
  );
  assert.equal((await app.inject({ method: 'GET', url: '/mail/config-v1.1.xml' })).statusCode, 404);
  const byHost = await app.inject({
    method: 'GET',
    url: '/mail/config-v1.1.xml',
    headers: { host: 'autoconfig.new.example' },
  });
  assert.equal(byHost.statusCode, 200, 'the autoconfig.<domain> host names the domain');
});

test('autodiscover POX: the 2006a response with IMAP and SMTP settings; errors 600 and 603', async () => {
  const ask = (body: string, path = '/autodiscover/autodiscover.xml') =>
    app.inject({ method: 'POST', url: path, headers: { 'content-type': 'text/xml' }, payload: body });
  const request = (address: string) => `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request><EMailAddress>${address}</EMailAddress>
  <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request>
</Autodiscover>`;
  for (const path of ['/autodiscover/autodiscover.xml', '/Autodiscover/Autodiscover.xml']) {
    const r = await ask(request('alice@new.example'), path);
    assert.equal(r.statusCode, 200);
    const root = xml(r.body);
    assert.equal(root.localName, 'Autodiscover');
    assert.equal(root.namespaceURI, 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006');
    const [response] = kids(root, 'Response');
    assert.equal(
      response!.namespaceURI,
      'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a',
    );
    const [account] = kids(response!, 'Account');
    assert.equal(text(account!, 'AccountType'), 'email');
    assert.equal(text(account!, 'Action'), 'settings');
    const protocols = kids(account!, 'Protocol').map((p) => ({
      order: kids(p)
        .map((k) => k.localName)
        .slice(0, 4)
        .join(','),
      type: text(p, 'Type'),
      server: text(p, 'Server'),
      port: text(p, 'Port'),
      login: text(p, 'LoginName'),
      encryption: text(p, 'Encryption'),
      auth: text(p, 'AuthRequired'),
      spa: text(p, 'SPA'),
    }));
    assert.deepEqual(protocols, [
      {
        order: 'Type,Server,Port,LoginName',
        type: 'IMAP',
        server: 'imap.new.example',
        port: '993',
        login: 'alice@new.example',
        encryption: 'SSL',
        auth: 'on',
        spa: 'off',
      },
      {
        order: 'Type,Server,Port,LoginName',
        type: 'SMTP',
        server: 'smtp.new.example',
        port: '587',
        login: 'alice@new.example',
        encryption: 'TLS',
        auth: 'on',
        spa: 'off',
      },
    ]);
  }
  const errorCode = async (body: string) => {
    const root = xml((await ask(body)).body);
    const [response] = kids(root, 'Response');
    return text(kids(response!, 'Error')[0]!, 'ErrorCode');
  };
  assert.equal(await errorCode('<not-autodiscover/>'), '600');
  assert.equal(await errorCode(request('eve@other.example')), '603');
});

test('the Apple profile parses as a property list with the IMAP/SMTP settings, no password, and is counted', async () => {
  const session = await loggedIn(app);
  const issued = await app.inject({
    method: 'POST',
    url: `/api/mailboxes/${ids.get('alice@old.example')}/credential-link`,
    ...session,
  });
  const link = new URL(issued.json<{ url: string }>().url, 'http://x').pathname;
  const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148';
  const page = await app.inject({ method: 'GET', url: link, headers: { 'user-agent': iphone } });
  assert.match(
    page.body,
    new RegExp(`<a class="button" href="${link}/apple.mobileconfig">Set up Mail on this`),
  );

  const r = await app.inject({ method: 'GET', url: `${link}/apple.mobileconfig` });
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['content-type'], 'application/x-apple-aspen-config; charset=utf-8');
  const profile = plist.parse(r.body) as Record<string, unknown>;
  assert.equal(profile.PayloadType, 'Configuration');
  assert.equal(profile.PayloadVersion, 1);
  assert.match(
    String(profile.PayloadUUID),
    /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/,
  );
  const [account, ...others] = profile.PayloadContent as Array<Record<string, unknown>>;
  assert.equal(others.length, 0);
  assert.deepEqual(
    Object.fromEntries(
      Object.entries(account!).filter(([k]) => !/^Payload(UUID|Identifier|DisplayName)$/.test(k)),
    ),
    {
      PayloadType: 'com.apple.mail.managed',
      PayloadVersion: 1,
      EmailAccountDescription: 'Example & Co (alice@new.example)',
      EmailAccountName: 'alice@new.example',
      EmailAccountType: 'EmailTypeIMAP',
      EmailAddress: 'alice@new.example',
      IncomingMailServerAuthentication: 'EmailAuthPassword',
      IncomingMailServerHostName: 'imap.new.example',
      IncomingMailServerPortNumber: 993,
      IncomingMailServerUseSSL: true,
      IncomingMailServerUsername: 'alice@new.example',
      OutgoingMailServerAuthentication: 'EmailAuthPassword',
      OutgoingMailServerHostName: 'smtp.new.example',
      OutgoingMailServerPortNumber: 587,
      OutgoingMailServerUseSSL: true,
      OutgoingMailServerUsername: 'alice@new.example',
      OutgoingPasswordSameAsIncomingPassword: true,
    },
  );
  const again = await app.inject({ method: 'GET', url: `${link}/apple.mobileconfig` });
  const second = plist.parse(again.body) as Record<string, unknown>;
  assert.equal(
    second.PayloadUUID,
    profile.PayloadUUID,
    'same identity: a second download replaces the first profile',
  );

  const store = await openStore(dataDir);
  try {
    assert.deepEqual(await clientSetupStage(store.db), { total: 1, done: 1 });
  } finally {
    await store.close();
  }
  const list = await app.inject({ method: 'GET', url: '/api/credentials', cookies: session.cookies });
  const row = list.json<{ items: Array<{ clientSetup: Array<{ kind: string; count: number }> }> }>()
    .items[0]!;
  assert.deepEqual(
    row.clientSetup.map((c) => [c.kind, c.count]),
    [['apple-profile', 2]],
  );
});
