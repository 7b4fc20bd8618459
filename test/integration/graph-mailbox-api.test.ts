/**
 * Graph's mailbox import/export API between two tenants, against two LOCAL EMULATORS of Microsoft Graph
 * (test code; the real service cannot be reached from here) that enforce what the documentation says:
 * the permissions (MailboxItem.ImportExport.All for import sessions), at most 20 itemIds per exportItems,
 * a pre-authenticated import URL that takes no Authorization header and expires, and an opaque stream that
 * must come back unaltered. Items exported from one tenant are recreated in the other byte for byte (the
 * MIME the destination's messages API serves equals the source's) and keep the Message-ID, date and size
 * the engine's fingerprints use.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ServerSpec } from '../../src/config/types.js';
import { appOf, tokenSourceFor } from '../../src/connectors/graph/graph-auth.js';
import { GraphClient } from '../../src/connectors/graph/graph-client.js';
import { graphTarget } from '../../src/connectors/graph/graph-config.js';
import {
  canImportExport,
  exportItems,
  folderItems,
  ImportSession,
  mailboxFolders,
  primaryMailboxId,
} from '../../src/connectors/graph/graph-mailbox-api.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { appLogin, emulatorServer } from '../emulators/graph/graph-project.js';
import { makeMessage } from '../harness/messages.js';

const OLD = 'ann@fabrikam.test';
const NEW = 'ann@contoso.test';
let src: GraphEmulator;
let dst: GraphEmulator;

function client(emu: GraphEmulator, upn: string): GraphClient {
  const server: ServerSpec = emulatorServer(emu);
  const target = graphTarget(server, appLogin(emu, upn));
  return new GraphClient(target, tokenSourceFor(target, appLogin(emu, upn), appOf(server)));
}

/** POST to an emulator path with the app's token (to test what the emulator refuses). */
async function raw(emu: GraphEmulator, path: string, init: RequestInit): Promise<Response> {
  const c = client(emu, OLD);
  const token = await c.tokens.token(false);
  return fetch(`${emu.baseUrl}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });
}

before(async () => {
  // The emulators' certificates are self-signed; fetch() in the refusal tests must accept them.
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  [src, dst] = await Promise.all([
    startGraphEmulator({ tenantId: 'fabrikam-emulated', latencyMs: 1 }),
    startGraphEmulator({ tenantId: 'contoso-emulated', latencyMs: 1 }),
  ]);
  src.store.addUser(OLD);
  dst.store.addUser(NEW);
  src.seed(
    OLD,
    ['Inbox'],
    Array.from({ length: 23 }, (_, i) => ({
      raw: makeMessage({ subject: `quarterly ${i}`, body: `X-Tracking: keep me\nline ${i}` }),
      flags: i % 2 ? ['\\Seen'] : [],
    })),
  );
});
after(async () => {
  await Promise.all([src?.stop(), dst?.stop()]);
});

test('without MailboxItem.ImportExport.All the capability check says so and names the permission', async () => {
  const mbx = await primaryMailboxId(client(dst, NEW), NEW);
  const r = await canImportExport(client(dst, NEW), mbx);
  assert.equal(r.ok, false);
  assert.match((r as { reason: string }).reason, /MailboxItem\.ImportExport\.All/);
  dst.mailboxApi.grant('MailboxItem.ImportExport.All', 'MailboxFolder.Read.All');
  assert.deepEqual(await canImportExport(client(dst, NEW), mbx), { ok: true });
});

test('the emulator refuses what the documentation rules out', async () => {
  src.mailboxApi.grant('MailboxItem.ImportExport.All', 'MailboxFolder.Read.All', 'MailboxItem.Read.All');
  const mbx = await primaryMailboxId(client(src, OLD), OLD);
  const ids = Array.from({ length: 21 }, (_, i) => `id${i}`);
  const tooMany = await raw(src, `/admin/exchange/mailboxes/${mbx}/exportItems`, {
    method: 'POST',
    body: JSON.stringify({ itemIds: ids }),
  });
  assert.equal(tooMany.status, 400);
  assert.match(await tooMany.text(), /At most 20 itemIds/);
  // An import URL with an Authorization header, an altered stream, update fields in create mode: refused.
  const s = (await (
    await raw(dst, `/admin/exchange/mailboxes/x/createImportSession`, { method: 'POST' })
  ).json()) as {
    error?: { code: string };
  };
  assert.equal(s.error?.code, 'ErrorMailboxNotFound');
  const dmbx = await primaryMailboxId(client(dst, NEW), NEW);
  const session = (await (
    await raw(dst, `/admin/exchange/mailboxes/${dmbx}/createImportSession`, { method: 'POST' })
  ).json()) as { importUrl: string; expirationDateTime: string };
  assert.ok(Date.parse(session.expirationDateTime) > Date.now());
  const inbox = (await mailboxFolders(client(dst, NEW), dmbx)).find((f) => f.wellKnownName === 'inbox')!;
  const item = (
    await folderItems(
      client(src, OLD),
      mbx,
      (await mailboxFolders(client(src, OLD), mbx)).find((f) => f.wellKnownName === 'inbox')!.id,
    )
  )[0]!;
  const [exported] = await exportItems(client(src, OLD), mbx, [item.id]);
  const data = (exported as { data: string }).data;
  const post = (body: object, headers: Record<string, string> = {}) =>
    fetch(session.importUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  assert.equal(
    (await post({ FolderId: inbox.id, Mode: 'create', Data: data }, { authorization: 'Bearer x' })).status,
    400,
  );
  const altered = Buffer.from(
    Buffer.from(data, 'base64').toString('utf8').replace('quarterly', 'Quarterly'),
  ).toString('base64');
  const bad = await post({ FolderId: inbox.id, Mode: 'create', Data: altered });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /ErrorCorruptData/);
  assert.equal(
    (await post({ FolderId: inbox.id, Mode: 'create', Data: data, ItemId: 'a', ChangeKey: 'b' })).status,
    400,
  );
  assert.equal(dst.mailboxApi.imports, 0);
});

test('23 items move tenant to tenant in full fidelity: 2 export requests, MIME byte for byte, fingerprints kept', async () => {
  const from = client(src, OLD);
  const to = client(dst, NEW);
  const [smbx, dmbx] = [await primaryMailboxId(from, OLD), await primaryMailboxId(to, NEW)];
  const sInbox = (await mailboxFolders(from, smbx)).find((f) => f.wellKnownName === 'inbox')!;
  const dInbox = (await mailboxFolders(to, dmbx)).find((f) => f.wellKnownName === 'inbox')!;
  assert.equal(sInbox.totalItemCount, 23);
  const items = await folderItems(from, smbx, sInbox.id);
  assert.equal(items.length, 23);
  const before = src.routes.size;
  const exported = await exportItems(
    from,
    smbx,
    items.map((i) => i.id),
  );
  assert.equal(exported.length, 23);
  assert.ok(src.routes.size >= before);
  const session = new ImportSession(to, dmbx);
  // One import URL expires half-way: the session is created again, the item is not lost or doubled.
  const made: string[] = [];
  for (const e of exported) {
    assert.ok('data' in e, `exported ${e.itemId}`);
    if (made.length === 10) dst.mailboxApi.expireSessions();
    made.push((await session.create(dInbox.id, e.data)).itemId);
  }
  assert.equal(dst.mailboxApi.imports, 23);
  assert.equal(new Set(made).size, 23);
  // Read back through the destination's ordinary messages API: same MIME, Message-ID, size and flags.
  const byMsgId = (emu: GraphEmulator, upn: string) =>
    new Map(
      emu.store
        .messagesIn(emu.store.user(upn)!, emu.store.folder(emu.store.user(upn)!, 'inbox')!.id)
        .map((m) => [
          m.internetMessageId,
          { mime: emu.store.mimeOf(m).toString('base64'), isRead: m.isRead, received: m.receivedDateTime },
        ]),
    );
  assert.deepEqual(byMsgId(dst, NEW), byMsgId(src, OLD));
});
