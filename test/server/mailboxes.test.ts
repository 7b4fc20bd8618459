/** A project's mailboxes over the API: add/edit/remove, per-mailbox options, CSV import, bulk star, auth. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { errorBody, loggedIn, projectBody, server } from './helpers.js';

type Auth = Awaited<ReturnType<typeof loggedIn>>;
type Mb = {
  id: number;
  sourceUser: string;
  destUser: string;
  starred: boolean;
  itemTypes: string[] | null;
  since: string | null;
  before: string | null;
};
type Page = { items: Mb[]; total: number; offset: number; limit: number };

async function withProject(): Promise<{ app: FastifyInstance; auth: Auth; id: number }> {
  const app = await server();
  const auth = await loggedIn(app);
  const r = await app.inject({ method: 'POST', url: '/api/projects', ...auth, payload: projectBody('mb') });
  return { app, auth, id: r.json<{ id: number }>().id };
}

test('mailboxes: 401 without a session, 403 without CSRF', async (t) => {
  const { app, auth, id } = await withProject();
  t.after(() => app.close());
  const cases = [
    ['GET', `/api/projects/${id}/mailboxes`],
    ['POST', `/api/projects/${id}/mailboxes`],
    ['PATCH', '/api/mailboxes/1'],
    ['DELETE', '/api/mailboxes/1'],
    ['POST', `/api/projects/${id}/mailboxes/import/preview`],
    ['POST', `/api/projects/${id}/mailboxes/import/commit`],
    ['POST', `/api/projects/${id}/mailboxes/bulk`],
  ] as const;
  for (const [method, url] of cases) {
    const r = await app.inject({ method, url, payload: method === 'GET' ? undefined : {} });
    assert.equal(r.statusCode, 401, `${method} ${url}`);
    if (method !== 'GET') {
      const c = await app.inject({ method, url, cookies: auth.cookies, payload: {} });
      assert.equal(c.statusCode, 403, `${method} ${url}`);
    }
  }
});

test('mailboxes: add, edit options, star, remove; conflicts and validation', async (t) => {
  const { app, auth, id } = await withProject();
  t.after(() => app.close());
  const add = (payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: `/api/projects/${id}/mailboxes`, ...auth, payload });
  const created = await add({
    sourceUser: 'ann@old.example',
    itemTypes: ['mail', 'contacts'],
    since: '2020-01-01',
  });
  assert.equal(created.statusCode, 201, created.body);
  const m = created.json<Mb>();
  assert.equal(m.destUser, 'ann@old.example');
  assert.deepEqual(m.itemTypes, ['mail', 'contacts']);
  assert.equal(m.since, '2020-01-01');
  assert.equal((await add({ sourceUser: 'ann@old.example' })).statusCode, 409);
  assert.equal((await add({ sourceUser: '' })).statusCode, 400);
  const backwards = await add({ sourceUser: 'x', since: '2021-01-01', before: '2020-01-01' });
  assert.equal(backwards.statusCode, 400);
  assert.match(errorBody(backwards).message, /must be before/);
  assert.equal((await add({ sourceUser: 'x', itemTypes: ['faxes'] })).statusCode, 400);
  const none = await app.inject({
    method: 'POST',
    url: '/api/projects/999/mailboxes',
    ...auth,
    payload: { sourceUser: 'a' },
  });
  assert.equal(none.statusCode, 404);

  const patch = (payload: Record<string, unknown>) =>
    app.inject({ method: 'PATCH', url: `/api/mailboxes/${m.id}`, ...auth, payload });
  const edited = await patch({
    destUser: 'ann@new.example',
    starred: true,
    itemTypes: null,
    before: '2025-01-01',
  });
  assert.equal(edited.statusCode, 200, edited.body);
  const e = edited.json<Mb>();
  assert.equal(e.destUser, 'ann@new.example');
  assert.equal(e.starred, true);
  assert.equal(e.itemTypes, null, 'null: back to the project defaults');
  assert.equal(e.since, '2020-01-01', 'untouched');
  assert.equal(e.before, '2025-01-01');

  const del = await app.inject({ method: 'DELETE', url: `/api/mailboxes/${m.id}`, ...auth });
  assert.equal(del.statusCode, 200);
  assert.equal((await patch({ starred: false })).statusCode, 404);
});

test('CSV import: preview lists rows and per-row errors with line numbers; commit stores the good rows', async (t) => {
  const { app, auth, id } = await withProject();
  t.after(() => app.close());
  const csv = [
    'source,destination,star,since,items',
    'ann@old.example,ann@new.example,yes,2020-01-01,mail',
    ',nobody@new.example,,,', // line 3: no source
    'bob@old.example,bob@new.example,maybe,,', // line 4: bad star
    'carl@old.example,,,,mail;contacts',
    'ann@old.example,ann@new.example,,,', // line 6: duplicate of line 2
  ].join('\n');
  const preview = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/mailboxes/import/preview`,
    ...auth,
    payload: { csv },
  });
  assert.equal(preview.statusCode, 200, preview.body);
  const p = preview.json<{
    rows: Array<{ line: number; sourceUser: string; action: string; starred: boolean; since: string | null }>;
    errors: Array<{ line: number; message: string; hint: string }>;
  }>();
  assert.deepEqual(
    p.rows.map((r) => [r.line, r.sourceUser, r.action]),
    [
      [2, 'ann@old.example', 'add'],
      [5, 'carl@old.example', 'add'],
    ],
  );
  assert.equal(p.rows[0]!.starred, true);
  assert.equal(p.rows[0]!.since, '2020-01-01');
  assert.deepEqual(
    p.errors.map((e) => e.line),
    [3, 4, 6],
  );
  for (const e of p.errors) assert.ok(e.message && e.hint);
  // Nothing stored by the preview.
  const before = await app.inject({
    method: 'GET',
    url: `/api/projects/${id}/mailboxes`,
    cookies: auth.cookies,
  });
  assert.equal(before.json<Page>().total, 0);

  const commit = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/mailboxes/import/commit`,
    ...auth,
    payload: { csv },
  });
  assert.equal(commit.statusCode, 200, commit.body);
  assert.deepEqual(
    { ...commit.json<{ added: number; updated: number; conflicts: number }>(), errors: undefined },
    { added: 2, updated: 0, conflicts: 0, errors: undefined },
  );
  // The same file again updates instead of duplicating.
  const again = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/mailboxes/import/commit`,
    ...auth,
    payload: { csv },
  });
  assert.equal(again.json<{ added: number; updated: number }>().updated, 2);
  const list = await app.inject({
    method: 'GET',
    url: `/api/projects/${id}/mailboxes`,
    cookies: auth.cookies,
  });
  assert.equal(list.json<Page>().total, 2);
  const empty = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/mailboxes/import/preview`,
    ...auth,
    payload: { csv: '' },
  });
  assert.equal(empty.statusCode, 400);
});

test('25,000 mailboxes: imported by CSV, paged, sorted, filtered, searched and starred in bulk', async (t) => {
  const { app, auth, id } = await withProject();
  t.after(() => app.close());
  const lines = ['source,destination,star'];
  for (let i = 0; i < 25_000; i++) {
    const u = `user${String(i).padStart(5, '0')}`;
    lines.push(`${u}@old.example,${u}@new.example,${i % 10 === 0 ? 'yes' : 'no'}`);
  }
  const commit = await app.inject({
    method: 'POST',
    url: `/api/projects/${id}/mailboxes/import/commit`,
    ...auth,
    payload: { csv: lines.join('\n') },
  });
  assert.equal(commit.statusCode, 200, commit.body.slice(0, 500));
  assert.equal(commit.json<{ added: number }>().added, 25_000);

  const get = async (q: string) => {
    const r = await app.inject({
      method: 'GET',
      url: `/api/projects/${id}/mailboxes${q}`,
      cookies: auth.cookies,
    });
    assert.equal(r.statusCode, 200, r.body);
    return r.json<Page>();
  };
  const deep = await get('?offset=24990&limit=20&sort=name&order=asc');
  assert.equal(deep.total, 25_000);
  assert.deepEqual(
    deep.items.map((m) => m.sourceUser),
    Array.from({ length: 10 }, (_, i) => `user${24990 + i}@old.example`),
  );
  const desc = await get('?limit=1&sort=destination&order=desc');
  assert.equal(desc.items[0]!.destUser, 'user24999@new.example');
  assert.equal((await get('?starred=true&limit=1')).total, 2500);
  const found = await get('?search=user1234');
  assert.deepEqual(
    found.items.map((m) => m.sourceUser).sort(),
    Array.from({ length: 10 }, (_, i) => `user1234${i}@old.example`),
  );
  assert.equal((await get('?search=%25')).total, 0, 'LIKE wildcards are literal');

  const bulk = (payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: `/api/projects/${id}/mailboxes/bulk`, ...auth, payload });
  const star = await bulk({ action: 'star', filter: { search: 'user0000' } });
  assert.deepEqual(star.json(), { action: 'star', affected: 10 });
  assert.equal((await get('?starred=true&limit=1')).total, 2509);
  const unstar = await bulk({ action: 'unstar', ids: [...found.items.map((m) => m.id), 999_999] });
  assert.equal(
    unstar.json<{ affected: number }>().affected,
    10,
    'ids of no mailbox of this project are ignored',
  );
  const tooMany = await bulk({ action: 'star', ids: Array.from({ length: 10_001 }, (_, i) => i + 1) });
  assert.equal(tooMany.statusCode, 400, 'more than 10,000 ids: use a filter');
  const everyone = await bulk({ action: 'star', filter: {} });
  assert.equal(everyone.json<{ affected: number }>().affected, 25_000, 'an empty filter is every mailbox');
  const bad = await bulk({ action: 'explode' });
  assert.equal(bad.statusCode, 400);
  assert.match(errorBody(bad).message, /must be one of start, pause, retry-failed, star, unstar/);
  const tooBig = await app.inject({
    method: 'GET',
    url: `/api/projects/${id}/mailboxes?limit=1000`,
    cookies: auth.cookies,
  });
  assert.equal(tooBig.statusCode, 400);
});
