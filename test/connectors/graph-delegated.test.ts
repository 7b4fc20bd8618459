/**
 * Delegated access to one Microsoft 365 mailbox from a refresh token, against the LOCAL EMULATOR of Microsoft
 * Graph and Entra ID (test code: the real services cannot be reached from here). The access token expiring
 * in the middle of a run (401 InvalidAuthenticationToken) is refreshed once and the request retried; a
 * revoked consent fails the mailbox with a clear error.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthSpec } from '../../src/config/types.js';
import { GraphConnector } from '../../src/connectors/graph/graph-connector.js';
import { ErrorCode, PermanentError } from '../../src/errors.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { emulatorServer } from '../emulators/graph/graph-project.js';
import { emulatedFolders } from '../integration/graph-helpers.js';
import { makeMessage } from '../harness/messages.js';

const U = 'dora@contoso.test';
let emu: GraphEmulator;
before(async () => {
  emu = await startGraphEmulator();
  emu.store.addUser(U);
  emu.store.addUser('other@contoso.test');
});
after(() => emu?.stop());

const login = (rt: string): AuthSpec => ({ kind: 'password', user: U, password: { value: rt } });
const item = (subject: string) => {
  const raw = makeMessage({ subject });
  return { size: raw.length, body: raw, flags: ['\\Seen'], internalDate: new Date() };
};

test('an expired access token is refreshed once and the write retried; the mailbox does not fail', async () => {
  const connector = new GraphConnector();
  const tokens0 = emu.stats.tokenRequests;
  const dst = await connector.openDestination(emulatorServer(emu), login(emu.delegatedRefreshToken(U)));
  await dst.append(['Delegated'], [item('before expiry')]);
  assert.equal(emu.stats.tokenRequests - tokens0, 1, 'one refresh for the first access token');

  emu.expireDelegatedTokens();
  await dst.append(['Delegated'], [item('after expiry')]);
  assert.equal(emu.stats.tokenRequests - tokens0, 2, 'one more refresh after the 401, not one per request');
  // The rotated refresh token is the one used: the first was spent (Entra rotates them).
  emu.expireDelegatedTokens();
  await dst.append(['Delegated'], [item('after a second expiry')]);
  assert.equal(emu.stats.tokenRequests - tokens0, 3);

  const subjects = emulatedFolders(emu, U)
    .get('Delegated')!
    .map((m) => m.subject)
    .sort();
  assert.deepEqual(subjects, ['after a second expiry', 'after expiry', 'before expiry']);
});

test('a revoked refresh token fails with AuthFailed and says to sign in again', async () => {
  const rt = emu.delegatedRefreshToken('other@contoso.test');
  emu.revokeRefreshTokens('other@contoso.test');
  await assert.rejects(
    new GraphConnector().openDestination(emulatorServer(emu), {
      kind: 'password',
      user: 'other@contoso.test',
      password: { value: rt },
    }),
    (e: unknown) =>
      e instanceof PermanentError &&
      e.code === ErrorCode.AuthFailed &&
      /refresh token/.test(e.message) &&
      /sign in again/.test(e.hint ?? ''),
  );
});

test("a refresh token for one mailbox does not reach another's", async () => {
  await assert.rejects(
    new GraphConnector().openSource(emulatorServer(emu), {
      kind: 'password',
      user: 'other@contoso.test',
      password: { value: emu.delegatedRefreshToken(U) },
    }),
    (e: unknown) => e instanceof PermanentError && e.code === ErrorCode.AuthFailed,
  );
});
