/**
 * The small things an attacker found, checked against a running `cutover serve`: numbers no database can use
 * (`offset=1e309`) answer 400, not 500; a personal link's token never reaches the log, whatever is appended to
 * the link; a CSV export cell that a `;`-separated spreadsheet would split cannot become a formula; and a
 * 100,000-row mailbox import does not stop the server answering everyone else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDataDir } from '../integration/helpers.js';
import { projectBody } from '../server/helpers.js';
import { operator, request, serve, type Served } from './serve.js';

let s: Served;
let admin: Record<string, string>;
let projectId: number;

test('the small things', async (t) => {
  s = await serve(['--data-dir', tempDataDir()]);
  t.after(() => s.stop());
  admin = await operator(s.base);
  const p = await request(s.base, {
    method: 'POST',
    path: '/api/projects',
    headers: admin,
    body: projectBody('small'),
  });
  assert.equal(p.status, 201, p.body);
  projectId = p.json<{ id: number }>().id;

  await t.test('infinite and oversized numbers answer 400, not 500', async () => {
    for (const path of [
      '/api/alerts?offset=1e309',
      '/api/alerts?limit=1e309',
      '/api/alerts?offset=1e20',
      '/api/mailboxes?offset=1e309',
      `/api/projects/${projectId}/mailboxes?offset=1e309`,
      '/api/credentials?offset=-1e309',
      '/api/projects/1e309',
    ]) {
      const r = await request(s.base, { path, headers: admin });
      assert.equal(r.status, 400, `${path}: ${r.status} ${r.body}`);
      assert.equal(r.json().code, 'VALIDATION_FAILED');
    }
    const body = await request(s.base, {
      method: 'POST',
      path: `/api/projects/${projectId}/mailboxes/bulk`,
      headers: admin,
      body: '{"action":"star","ids":[1e309]}',
    });
    assert.equal(body.status, 400, body.body);
    assert.doesNotMatch(s.out(), /"statusCode":500/);
  });

  await t.test('a personal token never appears in the log, whatever follows it', async () => {
    const mb = await request(s.base, {
      method: 'POST',
      path: `/api/projects/${projectId}/mailboxes`,
      headers: admin,
      body: { sourceUser: 'bob@old.example' },
    });
    const link = await request(s.base, {
      method: 'POST',
      path: `/api/mailboxes/${mb.json<{ id: number }>().id}/credential-link`,
      headers: admin,
    });
    const token = new URL(link.json<{ url: string }>().url, s.base).pathname.split('/')[2]!;
    assert.match(token, /^[\w-]{43}$/);
    const unknown = 'Q'.repeat(43);
    for (const t2 of [token, unknown])
      for (const [method, path] of [
        ['GET', `/p/${t2}`],
        ['GET', `/p/${t2}/`],
        ['GET', `/p/${t2}/extra/segment`],
        ['GET', `/p/${t2}?utm_source=mail`],
        ['GET', `/p/${t2}/oauth/source/`],
        ['GET', `//p/${t2}`],
        ['POST', `/p/${t2}/`],
        ['GET', `/p/oauth/callback/?code=SECRETCODE&state=SECRETSTATE`],
      ] as const)
        await request(s.base, { method, path });
    await new Promise((r) => setTimeout(r, 300)); // the log is written asynchronously
    assert.match(s.out(), /"url":"\/p\/\[link\]\/extra\/segment"/, 'the requests were logged');
    for (const secret of [token, unknown, 'SECRETCODE', 'SECRETSTATE'])
      assert.ok(!s.out().includes(secret), `${secret} in the log`);
  });

  await t.test('a cell that a ;-separated spreadsheet would split cannot become a formula', async () => {
    for (const sourceUser of ['x;=1+1', 'y;@SUM(A1)', '=cmd|x']) {
      const r = await request(s.base, {
        method: 'POST',
        path: `/api/projects/${projectId}/mailboxes`,
        headers: admin,
        body: { sourceUser },
      });
      assert.equal(r.status, 201, r.body);
    }
    const csv = (
      await request(s.base, { path: `/api/credentials/links?projectId=${projectId}`, headers: admin })
    ).body;
    assert.match(csv, /"x;'=1\+1"/);
    for (const line of csv.split('\r\n'))
      for (const sep of [';', ','])
        for (const cell of line.split(sep))
          assert.doesNotMatch(
            cell.replace(/^"/, ''),
            /^[=+\-@]/,
            `"${cell}" in ${JSON.stringify(line)} split at ${sep}`,
          );
  });

  await t.test('a 100,000-row CSV commit does not block other requests', { timeout: 120_000 }, async () => {
    const rows = ['source,destination'];
    for (let i = 0; i < 100_000; i++) rows.push(`user${i}@old.example,user${i}@new.example`);
    let done = false;
    const latencies: number[] = [];
    const poll = (async () => {
      while (!done) {
        const t0 = Date.now();
        assert.equal((await request(s.base, { path: '/api/session', headers: admin })).status, 200);
        latencies.push(Date.now() - t0);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const t0 = Date.now();
    const r = await request(s.base, {
      method: 'POST',
      path: `/api/projects/${projectId}/mailboxes/import/commit`,
      headers: admin,
      body: { csv: rows.join('\n') },
    });
    const took = Date.now() - t0;
    done = true;
    await poll;
    assert.equal(r.status, 200, r.body);
    assert.equal(r.json<{ added: number }>().added, 100_000);
    assert.ok(latencies.length >= took / 1000, `${latencies.length} requests answered during ${took} ms`);
    assert.ok(
      Math.max(...latencies) < 2000,
      `a request waited ${Math.max(...latencies)} ms during the import`,
    );
  });
});
