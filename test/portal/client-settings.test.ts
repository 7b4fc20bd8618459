/** Client settings by destination: an IMAP server as configured, Microsoft 365 and Google by their published endpoints. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPlan } from '../../src/config/plan.js';
import type { ServerSpec } from '../../src/config/types.js';
import { addressOf, clientSettings, servesAddress } from '../../src/services/client-setup-service.js';

const server = (over: Partial<ServerSpec>): ServerSpec => ({
  kind: 'imap',
  host: 'imap.new.example',
  port: 143,
  tls: 'starttls',
  allowInvalidCertificates: false,
  maxConnections: 10,
  ...over,
});

test('an IMAP destination: its host, port and TLS mode; SMTP from the plan, else the IMAP host', () => {
  const s = clientSettings({ name: 'p', destination: server({}) });
  assert.deepEqual(
    [s.imap, s.smtp],
    [
      { host: 'imap.new.example', port: 143, socket: 'STARTTLS' },
      { host: 'imap.new.example', port: 587, socket: 'STARTTLS' },
    ],
  );
  const plan = {
    ...defaultPlan(),
    dnsTarget: { kind: 'imap' as const, mxHost: 'mx.new.example', verification: [] },
  };
  assert.equal(
    clientSettings({ name: 'p', destination: server({ tls: 'tls', port: 993 }), plan }).smtp.host,
    'mx.new.example',
  );
});

test('Microsoft 365 and Google destinations use the providers’ published endpoints', () => {
  const m365 = clientSettings({
    name: 'p',
    destination: server({ kind: 'graph', host: 'graph.microsoft.com', port: 443, tls: 'tls' }),
  });
  assert.deepEqual(
    [m365.imap, m365.smtp],
    [
      { host: 'outlook.office365.com', port: 993, socket: 'SSL' },
      { host: 'smtp.office365.com', port: 587, socket: 'STARTTLS' },
    ],
  );
  const plan = { ...defaultPlan(), dnsTarget: { kind: 'google' as const, verification: [] } };
  const google = clientSettings({ name: 'p', destination: server({}), plan });
  assert.deepEqual([google.imap.host, google.smtp.host], ['imap.gmail.com', 'smtp.gmail.com']);
});

test('addresses: a login that is not an address gets the first domain; served domains only', () => {
  const s = { domains: ['new.example'] };
  assert.equal(addressOf('ann', s), 'ann@new.example');
  assert.equal(addressOf('ann@x.example', s), 'ann@x.example');
  assert.equal(servesAddress('ann@NEW.example', s), true);
  assert.equal(servesAddress('ann@other.example', s), false);
  assert.equal(servesAddress('@new.example', s), false);
  assert.equal(servesAddress('ann@', { domains: [] }), false);
});
