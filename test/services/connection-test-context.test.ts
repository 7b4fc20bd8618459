/**
 * A connection test that logs in with a stored consent hands that login's connector context to the login
 * (so a refresh token the provider rotates during the test is sealed again in its place) and lets go of
 * the stored credentials once the test is over. Fakes stand in for the project and the login: what is
 * tested is the service's plumbing, not a server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerUrl } from '../../src/config/server-url.js';
import type { ConnectorContext } from '../../src/connectors/contract.js';
import { ConnectionTestService, type LoginProbe } from '../../src/services/connection-test-service.js';
import type { ProjectService } from '../../src/services/project-service.js';

test('a stored login is tested with its connector context, and released after the test', async () => {
  const server = { ...parseServerUrl('imap://unused:unused@127.0.0.1:1').server, admin: undefined };
  const project = { source: server, destination: server };
  const rotated: string[] = [];
  const context: ConnectorContext = { onTokenRotated: async (_old, next) => void rotated.push(next) };
  let released = 0;
  const seen: Array<ConnectorContext | undefined> = [];
  const probe: LoginProbe = async (_server, auth, _signal, ctx) => {
    seen.push(ctx);
    assert.equal(released, 0, 'the stored login is still followed while it is tested');
    await ctx?.onTokenRotated?.('old-token', 'new-token');
    return { capabilities: ['IMAP4rev1'], folders: 1, delimiter: '/', user: auth.user } as never;
  };
  const service = new ConnectionTestService({
    projects: { runtime: async () => project } as unknown as ProjectService,
    firstMailbox: async () => ({ id: 7, sourceUser: 'alice', destUser: 'alice' }),
    storedAuth: async (mailboxId, _side, user) => {
      assert.equal(mailboxId, 7);
      return {
        auth: { kind: 'password', user, password: { value: 'stored' } },
        context,
        done: () => void released++,
      };
    },
    probe,
  });
  const result = await service.test(1, 'source');
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.deepEqual(seen, [context], 'the one mailbox login got the stored login context');
  assert.deepEqual(rotated, ['new-token'], 'a rotation during the test reached the stored credentials');
  assert.equal(released, 1, 'the stored credentials were released once, after the test');
});
