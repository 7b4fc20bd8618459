/** The throttling schedule over the API: read, replace at any time, the concurrency in force now, validation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorBody, loggedIn, projectBody, server } from './helpers.js';

type Schedule = {
  timezone: string;
  windows: unknown[];
  concurrency: { mailboxes: number };
  concurrencyNow: number;
};

test('schedule: read, replace, concurrency now; auth and validation', async (t) => {
  const app = await server();
  t.after(() => app.close());
  const auth = await loggedIn(app);
  const p = await app.inject({
    method: 'POST',
    url: '/api/projects',
    ...auth,
    payload: projectBody('sched'),
  });
  const url = `/api/projects/${p.json<{ id: number }>().id}/schedule`;
  assert.equal((await app.inject({ method: 'GET', url })).statusCode, 401);
  assert.equal(
    (await app.inject({ method: 'PUT', url, cookies: auth.cookies, payload: { windows: [] } })).statusCode,
    403,
  );

  const first = (await app.inject({ method: 'GET', url, cookies: auth.cookies })).json<Schedule>();
  assert.deepEqual(first, {
    timezone: 'UTC',
    windows: [],
    concurrency: { mailboxes: 4, foldersPerMailbox: 2 },
    concurrencyNow: 4,
  });

  const allWeek = [0, 1, 2, 3, 4, 5, 6];
  const put = (payload: Record<string, unknown>) => app.inject({ method: 'PUT', url, ...auth, payload });
  const paused = await put({
    timezone: 'Asia/Tokyo',
    windows: [{ days: allWeek, from: '00:00', to: '24:00', concurrency: 0 }],
  });
  assert.equal(paused.statusCode, 200, paused.body);
  assert.equal(paused.json<Schedule>().concurrencyNow, 0, 'a window with 0 pauses');
  assert.equal(paused.json<Schedule>().timezone, 'Asia/Tokyo');
  const wider = await put({
    windows: [{ days: allWeek, from: '00:00', to: '24:00', concurrency: 9 }],
    concurrency: { mailboxes: 2, foldersPerMailbox: 1 },
  });
  assert.equal(wider.json<Schedule>().concurrencyNow, 9);
  assert.equal(wider.json<Schedule>().timezone, 'Asia/Tokyo', 'kept when not sent');
  const cleared = await put({ windows: [] });
  assert.equal(cleared.json<Schedule>().concurrencyNow, 2, 'outside every window: the project concurrency');
  // The project shows the same schedule.
  const project = await app.inject({
    method: 'GET',
    url: url.replace('/schedule', ''),
    cookies: auth.cookies,
  });
  assert.deepEqual(project.json<{ windows: unknown[] }>().windows, []);

  for (const [body, message] of [
    [{ windows: [{ days: [7], from: '08:00', to: '18:00', concurrency: 1 }] }, /must be <= 6/],
    [{ windows: [{ days: [1], from: '8am', to: '18:00', concurrency: 1 }] }, /must match pattern/],
    [{ windows: [{ days: [1], from: '08:00', to: '18:00', concurrency: -1 }] }, /must be >= 0/],
    [{ windows: [{ days: [1], from: '08:00', to: '99:00', concurrency: 1 }] }, /not a time of day/],
    [{ windows: [], timezone: 'Nowhere/Land' }, /not a time zone/],
  ] as const) {
    const r = await put(body);
    assert.equal(r.statusCode, 400, JSON.stringify(body));
    assert.match(errorBody(r).message, message);
  }
});
