/** Projects over the API: CRUD, secrets never returned and stored sealed, validation, paging, serve --project. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openStore } from '../../src/store/db.js';
import { tempDataDir } from '../integration/helpers.js';
import { errorBody, logIn, loggedIn, PROJECT_SECRET, projectBody, server } from './helpers.js';

const SECRET = PROJECT_SECRET;

test('projects: 401 without a session, 403 without the CSRF header', async (t) => {
  const app = await server();
  t.after(() => app.close());
  for (const [method, url] of [
    ['GET', '/api/projects'],
    ['POST', '/api/projects'],
    ['GET', '/api/projects/1'],
    ['PATCH', '/api/projects/1'],
    ['DELETE', '/api/projects/1'],
    ['POST', '/api/projects/1/test/source'],
  ] as const) {
    const r = await app.inject({ method, url, payload: method === 'GET' ? undefined : {} });
    assert.equal(r.statusCode, 401, `${method} ${url}`);
  }
  const { cookies } = await loggedIn(app);
  for (const [method, url] of [
    ['POST', '/api/projects'],
    ['PATCH', '/api/projects/1'],
    ['DELETE', '/api/projects/1'],
    ['POST', '/api/projects/1/test/source'],
  ] as const) {
    const r = await app.inject({ method, url, cookies, payload: projectBody('x') });
    assert.equal(r.statusCode, 403, `${method} ${url}`);
    assert.equal(errorBody(r).code, 'CSRF_FAILED');
  }
});

test('projects: create, get, update any setting, delete; the password never comes back', async (t) => {
  const dataDir = tempDataDir();
  const app = await server({ dataDir });
  t.after(() => app.close());
  const auth = await loggedIn(app);
  const created = await app.inject({
    method: 'POST',
    url: '/api/projects',
    ...auth,
    payload: projectBody('acme'),
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.ok(!created.body.includes(SECRET));
  const p = created.json<{
    id: number;
    source: { admin: { passwordSet: boolean; passwordSource: string } };
  }>();
  assert.deepEqual(p.source.admin, {
    user: 'master',
    mode: 'master',
    passwordSet: true,
    passwordSource: 'stored',
  });

  const got = await app.inject({ method: 'GET', url: `/api/projects/${p.id}`, cookies: auth.cookies });
  assert.equal(got.statusCode, 200);
  assert.ok(!got.body.includes(SECRET));
  assert.equal(got.json<{ mailboxCount: number }>().mailboxCount, 0);

  // Stored sealed: the raw row does not contain the password.
  const store = await openStore(dataDir);
  const raw = await store.db.selectFrom('projects').select('settings').executeTakeFirstOrThrow();
  await store.close();
  assert.ok(!raw.settings.includes(SECRET));
  assert.match(raw.settings, /"sealed":"v1\./);

  // A new host without the password: refused, the stored password is never sent to another server.
  const moved = await app.inject({
    method: 'PATCH',
    url: `/api/projects/${p.id}`,
    ...auth,
    payload: {
      source: {
        kind: 'imap',
        host: 'evil.example',
        port: 143,
        tls: 'none',
        admin: { user: 'master', mode: 'master' },
      },
    },
  });
  assert.equal(moved.statusCode, 400);
  assert.match(errorBody(moved).message, /server or the admin login changed/);
  // Same server and login without a password keeps the stored one; windows and time zone change too.
  const patch = {
    source: {
      kind: 'imap',
      host: 'old.example',
      port: 143,
      tls: 'starttls',
      maxConnections: 5,
      admin: { user: 'master', mode: 'master' },
    },
    timezone: 'Europe/Berlin',
    windows: [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00', concurrency: 1 }],
    concurrency: { mailboxes: 8, foldersPerMailbox: 3 },
  };
  const updated = await app.inject({
    method: 'PATCH',
    url: `/api/projects/${p.id}`,
    ...auth,
    payload: patch,
  });
  assert.equal(updated.statusCode, 200, updated.body);
  const u = updated.json<{
    source: { host: string; admin: { passwordSet: boolean } };
    timezone: string;
    windows: unknown[];
    concurrency: { mailboxes: number };
  }>();
  assert.equal(u.source.host, 'old.example');
  assert.equal(u.source.admin.passwordSet, true);
  const withPassword = await app.inject({
    method: 'PATCH',
    url: `/api/projects/${p.id}`,
    ...auth,
    payload: {
      source: {
        ...patch.source,
        host: 'old2.example',
        admin: { user: 'master', mode: 'master', password: 'new-pw-123' },
      },
    },
  });
  assert.equal(withPassword.json<{ source: { host: string } }>().source.host, 'old2.example');
  assert.ok(!withPassword.body.includes('new-pw-123'));
  assert.equal(u.timezone, 'Europe/Berlin');
  assert.deepEqual(u.windows, patch.windows);
  assert.equal(u.concurrency.mailboxes, 8);

  // Removing the admin login entirely.
  const noAdmin = await app.inject({
    method: 'PATCH',
    url: `/api/projects/${p.id}`,
    ...auth,
    payload: { source: { ...patch.source, admin: null } },
  });
  assert.equal(noAdmin.json<{ source: { admin: null } }>().source.admin, null);

  const del = await app.inject({ method: 'DELETE', url: `/api/projects/${p.id}`, ...auth });
  assert.equal(del.statusCode, 200);
  const gone = await app.inject({ method: 'GET', url: `/api/projects/${p.id}`, cookies: auth.cookies });
  assert.equal(gone.statusCode, 404);
  assert.equal(errorBody(gone).code, 'NOT_FOUND');
  assert.equal(
    (await app.inject({ method: 'DELETE', url: `/api/projects/${p.id}`, ...auth })).statusCode,
    404,
  );
});

test('projects: validation errors say what is wrong; duplicate names conflict', async (t) => {
  const app = await server();
  t.after(() => app.close());
  const auth = await loggedIn(app);
  const post = (payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/api/projects', ...auth, payload });
  const cases: Array<[Record<string, unknown>, number, RegExp]> = [
    [{ ...projectBody('a'), name: '' }, 400, /body\.name must NOT have fewer than 1 characters/],
    [
      projectBody('a', { destination: { kind: 'pop3', host: 'x', port: 110, tls: 'none' } }),
      400,
      /POP3 can only be a source/,
    ],
    [projectBody('a', { source: { kind: 'imap', port: 143, tls: 'none' } }), 400, /source has no host/],
    [
      projectBody('a', { source: { kind: 'imap', host: 'h', port: 70000, tls: 'none' } }),
      400,
      /port must be <= 65535/,
    ],
    [projectBody('a', { timezone: 'Mars/Olympus' }), 400, /not a time zone/],
    [
      projectBody('a', { windows: [{ days: [1], from: '25:00', to: '18:00', concurrency: 1 }] }),
      400,
      /not a time of day/,
    ],
    [
      projectBody('a', { defaults: { itemTypes: ['mail'], since: '2024-01-01', before: '2023-01-01' } }),
      400,
      /must be before/,
    ],
    [projectBody('a', { colour: 'red' }), 400, /body\.colour is not accepted/],
  ];
  for (const [body, status, message] of cases) {
    const r = await post(body);
    assert.equal(r.statusCode, status, r.body);
    assert.match(errorBody(r).message, message);
    assert.ok(errorBody(r).hint);
  }
  assert.equal((await post(projectBody('dup'))).statusCode, 201);
  const dup = await post(projectBody('dup'));
  assert.equal(dup.statusCode, 409);
  assert.equal(errorBody(dup).code, 'CONFLICT');
  const bad = await app.inject({ method: 'POST', url: '/api/projects/1/test/sideways', ...auth });
  assert.equal(bad.statusCode, 400);
});

test('projects: paged by name and searchable', async (t) => {
  const app = await server();
  t.after(() => app.close());
  const auth = await loggedIn(app);
  for (let i = 0; i < 7; i++)
    await app.inject({ method: 'POST', url: '/api/projects', ...auth, payload: projectBody(`p${i}`) });
  const page = (q: string) =>
    app
      .inject({ method: 'GET', url: `/api/projects${q}`, cookies: auth.cookies })
      .then((r) =>
        r.json<{ items: Array<{ name: string }>; total: number; offset: number; limit: number }>(),
      );
  const second = await page('?offset=3&limit=3');
  assert.equal(second.total, 7);
  assert.deepEqual(
    second.items.map((p) => p.name),
    ['p3', 'p4', 'p5'],
  );
  assert.equal((await page('?search=p6')).total, 1);
  const tooMany = await app.inject({ method: 'GET', url: '/api/projects?limit=501', cookies: auth.cookies });
  assert.equal(tooMany.statusCode, 400);
});

test('serve --project stores the project file as a project, with its mailboxes', async (t) => {
  const dir = tempDataDir();
  fs.writeFileSync(
    path.join(dir, 'mailboxes.csv'),
    'source,destination\nann@old.example,ann@new.example\nbob,bob\n',
  );
  const file = path.join(dir, 'cutover.yaml');
  fs.writeFileSync(
    file,
    [
      'name: from-file',
      'source: { host: old.example, port: 143, tls: none, admin: { user: master, password: file-secret-pw } }',
      'destination: { host: new.example, port: 143, tls: none }',
      'mailboxes: mailboxes.csv',
    ].join('\n'),
  );
  const dataDir = path.join(dir, 'data');
  // Twice: the second start updates the same project instead of adding another.
  for (let i = 0; i < 2; i++) await (await server({ dataDir, projectFile: file })).close();
  const app = await server({ dataDir, projectFile: file });
  const auth = await loggedIn(app);
  const list = await app.inject({ method: 'GET', url: '/api/projects', cookies: auth.cookies });
  const items = list.json<{
    items: Array<{ name: string; mailboxCount: number; source: { admin: unknown } }>;
  }>().items;
  assert.equal(items.length, 1);
  assert.equal(items[0]!.name, 'from-file');
  assert.equal(items[0]!.mailboxCount, 2);
  assert.ok(!list.body.includes('file-secret-pw'));

  // An edit made in the UI survives a restart while the file is unchanged; a changed file is stored again.
  const id = list.json<{ items: Array<{ id: number }> }>().items[0]!.id;
  const concurrency = async (a: typeof app) =>
    (await a.inject({ method: 'GET', url: `/api/projects/${id}`, cookies: (await logIn(a)).cookies })).json<{
      concurrency: { mailboxes: number };
    }>().concurrency.mailboxes;
  const patched = await app.inject({
    method: 'PATCH',
    url: `/api/projects/${id}`,
    ...auth,
    payload: { concurrency: { mailboxes: 9, foldersPerMailbox: 2 } },
  });
  assert.equal(patched.statusCode, 200, patched.body);
  await app.close();
  const again = await server({ dataDir, projectFile: file });
  assert.equal(await concurrency(again), 9, 'the UI edit is kept');
  await again.close();
  fs.appendFileSync(file, '\nconcurrency: { mailboxes: 3 }\n');
  const changed = await server({ dataDir, projectFile: file });
  t.after(() => changed.close());
  assert.equal(await concurrency(changed), 3, 'the changed file is stored again');
});
