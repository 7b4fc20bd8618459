/**
 * The IMAP write path into Microsoft 365 (graph.writePath imap / auto): the whole MIME message by IMAP APPEND
 * with an app-only XOAUTH2 token. Exchange Online's IMAP endpoint cannot be reached from here, so its two
 * halves are played by a REAL Dovecot (IMAP, implicit TLS, its oauth2 passdb validating each token against an
 * RFC 7662 introspection endpoint) and the LOCAL EMULATOR of Microsoft Graph (test code: the token endpoint
 * that issues client-credentials tokens for https://outlook.office365.com/.default, the introspection answer,
 * and the Graph view of the same mailbox). Exchange keeps one store behind IMAP and Graph: here every Graph
 * message listing first mirrors what Dovecot holds into the emulator (beforeMailRequest).
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type net from 'node:net';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import type { ServerSpec } from '../../src/config/types.js';
import { GraphConnector } from '../../src/connectors/graph/graph-connector.js';
import { ErrorCode, PermanentError } from '../../src/errors.js';
import { fingerprint } from '../../src/engine/fingerprint.js';
import { startDovecot, type DovecotServer } from '../harness/dovecot.js';
import { makeMessage } from '../harness/messages.js';
import { expectedFingerprint, withAttachment } from '../contract/destination-contract.js';
import { startGraphEmulator, type GraphEmulator } from '../emulators/graph/graph-emulator.js';
import { appLogin, emulatorServer } from '../emulators/graph/graph-project.js';

const U = 'hugo@contoso.test';
const PW = 'pw-hugo';
let emu: GraphEmulator;
let dovecot: DovecotServer;
let introspection: http.Server;
const connector = new GraphConnector();
const mirrored = new Set<string>();

/** Dovecot's messages, as a password login sees them: folder → (uid, bytes). */
async function imapView(): Promise<
  Map<string, Array<{ uid: number; raw: Buffer; date: Date; flags: string[] }>>
> {
  const c = new ImapFlow({
    host: '127.0.0.1',
    port: dovecot.imapPort,
    secure: false,
    tls: { rejectUnauthorized: false },
    auth: { user: U, pass: PW },
    logger: false,
  });
  await c.connect();
  const out = new Map<string, Array<{ uid: number; raw: Buffer; date: Date; flags: string[] }>>();
  try {
    for (const box of await c.list()) {
      if (box.path === 'INBOX') continue;
      const lock = await c.getMailboxLock(box.path, { readOnly: true });
      try {
        const msgs = [];
        for await (const m of c.fetch('1:*', { uid: true, source: true, internalDate: true, flags: true }))
          msgs.push({
            uid: m.uid,
            raw: m.source!,
            date: new Date(m.internalDate!),
            flags: [...(m.flags ?? [])],
          });
        out.set(box.path, msgs);
      } catch {
        out.set(box.path, []); // an empty folder: 1:* matches nothing
      } finally {
        lock.release();
      }
    }
  } finally {
    await c.logout();
  }
  return out;
}

before(async () => {
  emu = await startGraphEmulator();
  emu.store.addUser(U);
  introspection = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(emu.introspect(new URLSearchParams(body).get('token') ?? '')));
    });
  });
  await new Promise<void>((r) => introspection.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(introspection.address() as net.AddressInfo).port}/introspect`;
  dovecot = await startDovecot({
    layout: 'fs',
    users: [{ user: U, password: PW }],
    tls: true,
    oauth2IntrospectionUrl: url,
  });
  emu.imap.granted = U;
  // One store behind both views: a Graph listing sees what was APPENDed by IMAP.
  emu.beforeMailRequest = async (upn, req) => {
    if (req.method !== 'GET' || !/\/messages(\?|$)/.test(req.path)) return;
    for (const [folder, msgs] of await imapView())
      for (const m of msgs) {
        const key = `${upn}|${folder}|${m.uid}`;
        if (mirrored.has(key)) continue;
        mirrored.add(key);
        emu.seed(upn, folder.split('/'), [{ raw: m.raw, flags: m.flags, internalDate: m.date }]);
      }
  };
});
after(async () => {
  await Promise.all([emu?.stop(), dovecot?.stop()]);
  introspection?.close();
});

const server = (writePath: 'imap' | 'auto'): ServerSpec => {
  const s = emulatorServer(emu);
  return { ...s, graph: { ...s.graph!, writePath, imapHost: '127.0.0.1', imapPort: dovecot.imapsPort } };
};
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A reply with header fields Graph's JSON form cannot keep. */
const reply = () =>
  Buffer.from(
    [
      'Received: from mx1.example.test by mx2.example.test; Tue, 04 Mar 2025 09:05:00 +0000',
      'From: Alice <alice@example.test>',
      'To: list@example.test',
      'Subject: Re: the plan',
      'Date: Tue, 04 Mar 2025 09:04:58 +0000',
      'Message-ID: <imap-reply@example.test>',
      'In-Reply-To: <root-1@example.test>',
      'References: <root-0@example.test> <root-1@example.test>',
      'List-Id: Planning <plan.example.test>',
      'DKIM-Signature: v=1; a=rsa-sha256; d=example.test; s=s1; b=abc',
      ...Array.from({ length: 7 }, (_, i) => `X-Extra-${i + 1}: value ${i + 1}`),
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Agreed.',
      '',
    ].join('\r\n'),
  );

describe('Microsoft 365 IMAP write path (real Dovecot as the IMAP side, Graph emulator)', () => {
  test('writePath imap: the message arrives byte for byte over XOAUTH2 and is recognised through Graph', async () => {
    const raw = reply();
    const asked = emu.imap.asked.length;
    const dst = await connector.openDestination(server('imap'), appLogin(emu, U));
    try {
      const [r] = await dst.append(
        ['Imported'],
        [{ size: raw.length, body: raw, flags: ['\\Seen'], internalDate: new Date('2025-03-04T09:05:00Z') }],
      );
      assert.ok(r && (r.uid ?? 0) > 0);
      assert.equal(r.altered, undefined, 'nothing was dropped');
      const got = (await imapView()).get('Imported')!;
      assert.equal(got.length, 1);
      assert.equal(sha(got[0]!.raw), sha(raw), 'every header field and byte kept');
      assert.ok(got[0]!.flags.includes('\\Seen'));
      assert.ok(emu.imap.asked.length > asked, 'Dovecot checked the token with the introspection endpoint');
      // SASL XOAUTH2, the one OAuth mechanism Exchange Online offers, for the mailbox's address.
      const log = fs.readFileSync(path.join(dovecot.dir, 'dovecot.log'), 'utf8');
      assert.match(log, new RegExp(`Login: user=<${U}>, method=XOAUTH2`));
      // Later passes recognise the copy through Graph like any other (Cutover's identity was stamped on it).
      const listed = [];
      for await (const page of dst.listMessages(['Imported'])) listed.push(...page);
      assert.equal(listed.length, 1);
      assert.equal(fingerprint(listed[0]!), expectedFingerprint(raw));
    } finally {
      await dst.close();
    }
  });

  test('writePath auto with attachments refused on non-drafts: the large one goes by IMAP, the small by JSON', async () => {
    emu.setNonDraftAttachments('refuse');
    const dst = await connector.openDestination(server('auto'), appLogin(emu, U));
    try {
      const creates = emu.stats.creates;
      const big = withAttachment(5 * 1024 * 1024, new Date('2024-01-02T00:00:00Z'));
      const small = makeMessage({ subject: 'small one' });
      const results = await dst.append(
        ['Auto'],
        [
          { size: big.length, body: big, flags: [], internalDate: new Date('2024-01-02T00:00:00Z') },
          { size: small.length, body: small, flags: ['\\Seen'], internalDate: new Date() },
        ],
      );
      assert.equal(results.length, 2);
      const imap = (await imapView()).get('Auto') ?? [];
      assert.deepEqual(
        imap.map((m) => sha(m.raw)),
        [sha(big)],
        'only the large message went by IMAP, whole',
      );
      assert.equal(emu.stats.creates - creates, 1, 'the small one was created through Graph');
      const listed = [];
      for await (const page of dst.listMessages(['Auto'])) listed.push(...page);
      assert.deepEqual(
        listed.map(fingerprint).sort(),
        [expectedFingerprint(big), expectedFingerprint(small)].sort(),
      );
    } finally {
      emu.setNonDraftAttachments('allow');
      await dst.close();
    }
  });

  test('an app without IMAP access to the mailbox is refused with what to set up in the tenant', async () => {
    emu.imap.granted = undefined;
    const dst = await connector.openDestination(server('imap'), appLogin(emu, U));
    try {
      const raw = makeMessage({ subject: 'no grant' });
      await assert.rejects(
        dst.append(['Imported'], [{ size: raw.length, body: raw, flags: [], internalDate: new Date() }]),
        (e: unknown) =>
          e instanceof PermanentError &&
          e.code === ErrorCode.AuthFailed &&
          /IMAP\.AccessAsApp/.test(e.hint ?? ''),
      );
    } finally {
      emu.imap.granted = U;
      await dst.close();
    }
  });
});
