/**
 * Communications against a real SMTP receiver: who gets which message with which personal link, reminders
 * each evening only while credentials are missing, nothing in "none" mode, one message per user to the point
 * of contact, retries after a 451, a 550 recorded and not retried, and no message sent twice across restarts
 * (including one whose intent was recorded but whose send never finished).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPlan, fromZonedWallTime, type PlanConfig } from '../../src/config/plan.js';
import type { ServerSpec } from '../../src/config/types.js';
import { SmtpMailer } from '../../src/notify/smtp-mailer.js';
import { openSecretBox } from '../../src/security/secret-key.js';
import { CommsService } from '../../src/services/comms-service.js';
import { volumeWarning } from '../../src/services/comms-content.js';
import { CredentialLinks } from '../../src/services/credential-links.js';
import { emailAlert } from '../../src/services/notify-service.js';
import { AlertRepo } from '../../src/store/alert-repo.js';
import { CredentialLinkRepo } from '../../src/store/credential-link-repo.js';
import { CredentialRepo } from '../../src/store/credential-repo.js';
import { openStore, type Store } from '../../src/store/db.js';
import { MailboxRepo } from '../../src/store/mailbox-repo.js';
import { MessageRepo } from '../../src/store/message-repo.js';
import { tempDataDir } from '../integration/helpers.js';
import { startSmtpReceiver, type SmtpReceiver } from './smtp-receiver.js';

const TZ = 'Europe/Berlin';
const at = (d: number, h: number, min = 0) => fromZonedWallTime([2026, 12, d, h, min], TZ);
const server = (host: string, admin = false): ServerSpec => ({
  kind: 'imap',
  host,
  port: 993,
  tls: 'tls',
  allowInvalidCertificates: false,
  maxConnections: 10,
  admin: admin ? { user: 'admin', password: { value: 'x' }, mode: 'master' } : undefined,
});
const PUBLIC = 'https://migrate.example.test';

let smtp: SmtpReceiver;
before(async () => {
  smtp = await startSmtpReceiver();
});
after(() => smtp.stop());

/** A fresh store with alice and bob, and a way to build the service as a (re)started server would. */
async function world(plan: Partial<PlanConfig>) {
  const dataDir = tempDataDir();
  let store: Store = await openStore(dataDir);
  const repo = new MailboxRepo(store.db);
  const ids = {
    alice: await repo.upsert({
      key: 'a',
      sourceUser: 'alice@old.example',
      destUser: 'alice@new.example',
      starred: false,
    }),
    bob: await repo.upsert({
      key: 'b',
      sourceUser: 'bob@old.example',
      destUser: 'bob@new.example',
      starred: false,
    }),
  };
  const project = {
    name: 'Move to New',
    source: server('imap.old.example'),
    destination: server('imap.new.example', true),
    plan: {
      ...defaultPlan(),
      timezone: TZ,
      notifyFrom: at(1, 9),
      cutoverAt: at(12, 18),
      communications: 'users' as const,
      domains: ['new.example'],
      ...plan,
    },
  };
  const mailer = new SmtpMailer(
    { host: '127.0.0.1', port: smtp.port, secure: false, from: 'IT <it@new.example>' },
    { retries: 3, baseDelayMs: 10 },
  );
  const build = () => {
    const links = new CredentialLinks(new CredentialLinkRepo(store.db), openSecretBox(dataDir, {}));
    return {
      links,
      comms: new CommsService(
        { store, mailer, links, publicUrl: PUBLIC, operatorAddress: 'ops@new.example' },
        project,
      ),
    };
  };
  return {
    ids,
    get store() {
      return store;
    },
    build,
    /** Close and reopen the store: what a restart does. */
    async restart() {
      await store.close();
      store = await openStore(dataDir);
      return build();
    },
    async close() {
      mailer.close();
      await store.close();
    },
  };
}

const linkIn = (raw: string) => /https:\/\/migrate\.example\.test\/p\/([A-Za-z0-9_-]{43})/.exec(raw)?.[1];

test('users: each gets the announcement with a personal link that opens their own mailbox; a restart sends nothing again', async (t) => {
  smtp.received.length = 0;
  const w = await world({});
  t.after(() => w.close());
  const { comms, links } = w.build();
  assert.equal((await comms.tick(at(1, 8))).attempts.length, 0, 'nothing before notifyFrom');
  const r = await comms.tick(at(1, 9, 5));
  assert.deepEqual(
    r.attempts.map((a) => [a.mailboxId, a.event, a.status]),
    [
      [w.ids.alice, 'announcement', 'sent'],
      [w.ids.bob, 'announcement', 'sent'],
    ],
  );
  assert.equal(smtp.received.length, 2);
  for (const [name, id] of Object.entries(w.ids)) {
    const [m, ...more] = smtp.to(`${name}@old.example`);
    assert.equal(more.length, 0);
    assert.equal(m!.subject, 'Your mailbox is moving on Saturday, 12 December 2026 at 18:00 (Europe/Berlin)');
    assert.match(
      m!.raw,
      new RegExp(`your mailbox ${name}@old\\.example moves to a new mail system \\(Move to New\\)`),
    );
    const token = linkIn(m!.raw)!;
    const resolved = await links.resolve(token);
    assert.ok(resolved.ok && resolved.link.mailboxId === id, `${name}'s link opens ${name}'s mailbox`);
    assert.ok(!smtp.received.some((o) => o !== m && o.raw.includes(token)), 'nobody else has this link');
  }
  assert.equal((await comms.tick(at(1, 9, 10))).attempts.length, 0, 'the same process does not repeat');
  const again = await w.restart();
  assert.equal((await again.comms.tick(at(1, 9, 15))).attempts.length, 0, 'a restart does not repeat');
  assert.equal(smtp.received.length, 2);
  const rows = await new MessageRepo(w.store.db).list(w.ids.alice);
  assert.deepEqual(
    rows.map((x) => [x.event, x.recipient, x.status, x.attempts]),
    [['announcement', 'alice@old.example', 'sent', 1]],
  );
});

test('reminders go out each evening to those whose credentials are missing, and stop once they arrive', async (t) => {
  smtp.received.length = 0;
  const w = await world({});
  t.after(() => w.close());
  const { comms } = w.build();
  await comms.tick(at(1, 9, 5));
  assert.equal(
    (await comms.tick(at(1, 18, 30))).attempts.length,
    0,
    'not on the evening of the announcement',
  );
  const day2 = await comms.tick(at(2, 18, 1));
  assert.deepEqual(
    day2.attempts.map((a) => [a.mailboxId, a.event]),
    [
      [w.ids.alice, 'reminder:2026-12-02'],
      [w.ids.bob, 'reminder:2026-12-02'],
    ],
  );
  assert.equal((await comms.tick(at(2, 19))).attempts.length, 0, 'once per evening');
  // alice hands over her password (verified); bob does not.
  await new CredentialRepo(w.store.db).put({
    mailboxId: w.ids.alice,
    side: 'source',
    sealed: 'v1.x',
    enteredBy: 'portal',
    verifiedAt: new Date().toISOString(),
  });
  const again = await w.restart();
  assert.equal((await again.comms.tick(at(3, 12))).attempts.length, 0, 'no reminder before the evening');
  const day3 = await again.comms.tick(at(3, 18, 2));
  assert.deepEqual(
    day3.attempts.map((a) => [a.mailboxId, a.event]),
    [[w.ids.bob, 'reminder:2026-12-03']],
  );
  assert.equal(smtp.to('alice@old.example').length, 2, 'announcement and one reminder');
  assert.equal(smtp.to('bob@old.example').length, 3);
  const reminder = smtp.to('bob@old.example')[2]!;
  assert.equal(reminder.subject, 'Reminder: we still need your password to move your mailbox');
  assert.ok(
    linkIn(reminder.raw) === linkIn(smtp.to('bob@old.example')[0]!.raw),
    'the reminder carries the same personal link',
  );
});

test('"none": nothing is sent and nothing recorded', async (t) => {
  smtp.received.length = 0;
  const w = await world({ communications: 'none' });
  t.after(() => w.close());
  const { comms } = w.build();
  for (const when of [at(1, 10), at(2, 18, 5), at(12, 8), at(12, 19)])
    assert.equal((await comms.tick(when)).attempts.length, 0);
  assert.equal(smtp.received.length, 0);
  assert.deepEqual(await new MessageRepo(w.store.db).list(), []);
});

test('point of contact: one message per user to forward, and the operator is warned about the volume', async (t) => {
  smtp.received.length = 0;
  const w = await world({ communications: 'contact', contact: 'helpdesk@new.example' });
  t.after(() => w.close());
  const { comms } = w.build();
  await comms.tick(at(1, 9, 5));
  const got = smtp.to('helpdesk@new.example');
  assert.deepEqual(got.map((m) => m.subject.split(']')[0]).sort(), [
    '[to forward to alice@old.example',
    '[to forward to bob@old.example',
  ]);
  assert.match(got[0]!.raw, /Please forward this message to (alice|bob)@old\.example\./);
  assert.equal(smtp.received.length, 2);
  assert.match(
    volumeWarning({ ...defaultPlan(), communications: 'contact', contact: 'helpdesk@new.example' }, 2)!,
    /helpdesk@new\.example receives one message per user to forward: 2 mailbox/,
  );
});

test('a deferred (451) send is retried and arrives once; a refused (550) one is recorded and not retried', async (t) => {
  smtp.received.length = 0;
  const w = await world({});
  t.after(() => w.close());
  const { comms } = w.build();
  smtp.refuse.add('bob@old.example');
  smtp.deferNext(2);
  const r = await comms.tick(at(1, 9, 5));
  smtp.refuse.clear();
  assert.deepEqual(
    r.attempts.map((a) => [a.mailboxId, a.status]),
    [
      [w.ids.alice, 'sent'],
      [w.ids.bob, 'refused'],
    ],
  );
  assert.equal(smtp.to('alice@old.example').length, 1);
  const bob = await new MessageRepo(w.store.db).list(w.ids.bob);
  assert.equal(bob[0]!.status, 'refused');
  assert.match(bob[0]!.error!, /The mail server refused the message \(550/);
  assert.equal((await comms.tick(at(1, 9, 10))).attempts.length, 0, 'a refusal is final');
});

test('an intent recorded before a crash is not sent again; the later notices follow the plan', async (t) => {
  smtp.received.length = 0;
  const w = await world({ mode: 'admin' });
  t.after(() => w.close());
  // The process died after recording bob's announcement but before its answer: it may have gone out.
  await new MessageRepo(w.store.db).claim({
    mailboxId: w.ids.bob,
    event: 'announcement',
    recipient: 'bob@old.example',
    subject: 's',
  });
  const { comms } = await w.restart();
  await comms.tick(at(1, 9, 5));
  assert.deepEqual(
    smtp.received.map((m) => m.rcpt[0]),
    ['alice@old.example'],
  );
  assert.equal((await comms.tick(at(2, 18, 5))).attempts.length, 0, 'no reminders outside credentials mode');
  const pre = await comms.tick(at(11, 20));
  assert.deepEqual(
    pre.attempts.map((a) => a.event),
    ['pre-cutover', 'pre-cutover'],
  );
  const dns = await comms.tick(at(12, 18, 30));
  assert.deepEqual(
    dns.attempts.map((a) => a.event),
    ['dns-change', 'dns-change'],
  );
  await w.store.db
    .insertInto('phase_runs')
    .values({
      key: 'final',
      phase: 'final',
      due_at: at(12, 18).toISOString(),
      started_at: at(12, 18).toISOString(),
      finished_at: at(12, 21).toISOString(),
      status: 'done',
      note: null,
    })
    .execute();
  await new MailboxRepo(w.store.db).setStatus(w.ids.alice, 'done');
  await new MailboxRepo(w.store.db).setStatus(w.ids.bob, 'failed');
  const done = await comms.tick(at(12, 22));
  assert.deepEqual(
    done.attempts.map((a) => [a.mailboxId, a.event]),
    [[w.ids.alice, 'completion']],
    'only a mailbox that finished',
  );
  assert.equal(smtp.to('alice@old.example').at(-1)!.subject, 'Your mailbox has moved');
  assert.equal((await comms.tick(at(14, 9))).attempts.length, 0);
});

test('alerts a user can act on reach the user once, others do not; emailAlert sends an alert to a person once', async (t) => {
  smtp.received.length = 0;
  const w = await world({ notifyFrom: at(20, 9) });
  t.after(() => w.close());
  const alerts = new AlertRepo(w.store.db);
  const id = await alerts.raise({
    mailboxId: w.ids.alice,
    type: 'quota-too-small',
    level: 'critical',
    text: 'The new mailbox holds 1 GB; the old one has 3 GB <over quota>.',
  });
  await alerts.raise({
    mailboxId: w.ids.bob,
    type: 'folder-renamed',
    level: 'advisory',
    text: 'advisory only',
  });
  await alerts.raise({
    mailboxId: w.ids.bob,
    type: 'scan-failed',
    level: 'critical',
    text: 'for the operator',
  });
  const { comms } = w.build();
  const r = await comms.tick(at(1, 9));
  assert.deepEqual(
    r.attempts.map((a) => [a.mailboxId, a.event]),
    [[w.ids.alice, `alert:${id}`]],
  );
  const alertMail = smtp.to('alice@old.example')[0]!.raw;
  assert.match(
    alertMail,
    /The new mailbox holds 1 GB; the old one has 3 GB <over quota>\./,
    'as is in the text part',
  );
  assert.match(alertMail, /the old one has 3 GB &#60;over quota&#62;\./, 'escaped in the HTML part');
  assert.equal((await comms.tick(at(1, 10))).attempts.length, 0);

  const mailer = new SmtpMailer({
    host: '127.0.0.1',
    port: smtp.port,
    secure: false,
    from: 'cutover@new.example',
  });
  t.after(() => mailer.close());
  const [alert] = (await alerts.list('active')).filter((a) => a.id === id);
  assert.equal(
    await emailAlert({ store: w.store, mailer }, 'ops@new.example', alert!, {
      project: 'Move to New',
      mailbox: 'alice@old.example',
    }),
    'sent',
  );
  assert.equal(
    await emailAlert({ store: w.store, mailer }, 'ops@new.example', alert!),
    undefined,
    'not twice',
  );
  const [ops, ...more] = smtp.to('ops@new.example');
  assert.equal(more.length, 0);
  assert.equal(ops!.subject, '[Cutover critical] quota-too-small (Move to New, alice@old.example)');
});

test('templates: edits are used, unknown placeholders refused; preview and test send', async (t) => {
  smtp.received.length = 0;
  const w = await world({});
  t.after(() => w.close());
  const { comms } = w.build();
  await assert.rejects(
    comms.templates.save('announcement', { subject: 'Hi {{nmae}}', text: 'x', html: 'x' }),
    /uses \{\{nmae\}\}, which Cutover does not know/,
  );
  await comms.templates.save('announcement', {
    subject: 'Moving {{address}} <soon>',
    text: 'Go to {{link}} before {{cutoverDate}}.',
    html: '<p>{{name}} & {{link}}</p>',
  });
  const preview = await comms.preview('announcement');
  assert.equal(preview.subject, 'Moving jane.doe@old.example <soon>');
  assert.match(
    preview.html,
    /<p>jane\.doe & https:\/\/migrate\.example\.test\/p\/EXAMPLE-PERSONAL-LINK<\/p>/,
  );
  assert.equal(await comms.testSend('announcement', 'tester@new.example'), 'sent');
  assert.equal(smtp.to('tester@new.example')[0]!.subject, '[test] Moving jane.doe@old.example <soon>');
  await comms.tick(at(1, 9, 5));
  assert.match(
    smtp.to('alice@old.example')[0]!.raw,
    /Go to https:\/\/migrate\.example\.test\/p\/[A-Za-z0-9_-]{43} before Saturday, 12 December 2026/,
  );
});
