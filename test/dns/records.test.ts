/** requiredRecords for each destination, and diffRecords' rules (SPF, MX sets, CNAME exclusivity), in memory. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffRecords, type DnsChange } from '../../src/dns/diff.js';
import { formatRecord, requiredRecords, type DnsRecord } from '../../src/dns/records.js';

const lines = (rs: DnsRecord[]) => rs.map((r) => `${formatRecord(r)} ${r.ttl}`);
const summary = (cs: DnsChange[]) =>
  cs.map(
    (c) => `${c.action} ${c.previous ? `${formatRecord(c.previous)} -> ` : ''}${formatRecord(c.record)}`,
  );

void test('Microsoft 365: MX to <domain-dashes>.mail.protection.outlook.com, SPF, autodiscover; DKIM with a tenant', () => {
  assert.deepEqual(lines(requiredRecords('Contoso.CO.uk.', { kind: 'microsoft365' })), [
    'contoso.co.uk MX 0 contoso-co-uk.mail.protection.outlook.com 3600',
    'contoso.co.uk TXT "v=spf1 include:spf.protection.outlook.com -all" 3600',
    'autodiscover.contoso.co.uk CNAME autodiscover.outlook.com 3600',
  ]);
  const full = requiredRecords('contoso.com', {
    kind: 'microsoft365',
    tenantPrefix: 'contosoltd',
    verification: ['MS=ms12345678'],
    autoconfigHost: 'autoconfig.cutover.example',
  });
  assert.deepEqual(lines(full).slice(3), [
    'selector1._domainkey.contoso.com CNAME selector1-contoso-com._domainkey.contosoltd.onmicrosoft.com 3600',
    'selector2._domainkey.contoso.com CNAME selector2-contoso-com._domainkey.contosoltd.onmicrosoft.com 3600',
    'autoconfig.contoso.com CNAME autoconfig.cutover.example 3600',
    'contoso.com TXT "MS=ms12345678" 3600',
  ]);
  assert.ok(!full.some((r) => r.name === 'autodiscover.contoso.com' && r.value.includes('cutover')));
});

void test('Google Workspace: MX smtp.google.com priority 1, SPF with ~all; autoconfig and autodiscover to Cutover', () => {
  assert.deepEqual(
    lines(requiredRecords('example.org', { kind: 'google', autoconfigHost: 'AC.Cutover.example.' })),
    [
      'example.org MX 1 smtp.google.com 3600',
      'example.org TXT "v=spf1 include:_spf.google.com ~all" 3600',
      'autoconfig.example.org CNAME ac.cutover.example 3600',
      'autodiscover.example.org CNAME ac.cutover.example 3600',
      '_autodiscover._tcp.example.org SRV 0 0 443 ac.cutover.example 3600',
    ],
  );
});

void test('IMAP: MX to mxHost, RFC 6186 SRV records, hosts defaulting to mxHost', () => {
  assert.deepEqual(lines(requiredRecords('example.net', { kind: 'imap', mxHost: 'mail.host.example' })), [
    'example.net MX 10 mail.host.example 3600',
    'example.net TXT "v=spf1 mx ~all" 3600',
    '_imaps._tcp.example.net SRV 0 1 993 mail.host.example 3600',
    '_submission._tcp.example.net SRV 0 1 587 mail.host.example 3600',
  ]);
  const split = requiredRecords('example.net', {
    kind: 'imap',
    mxHost: 'mx.host.example',
    imapHost: 'imap.host.example',
    smtpHost: 'smtp.host.example',
    autoconfigHost: 'cfg.cutover.example',
  });
  assert.deepEqual(lines(split), [
    'example.net MX 10 mx.host.example 3600',
    'example.net TXT "v=spf1 mx a:smtp.host.example ~all" 3600',
    '_imaps._tcp.example.net SRV 0 1 993 imap.host.example 3600',
    '_submission._tcp.example.net SRV 0 1 587 smtp.host.example 3600',
    'autoconfig.example.net CNAME cfg.cutover.example 3600',
    'autodiscover.example.net CNAME cfg.cutover.example 3600',
    '_autodiscover._tcp.example.net SRV 0 0 443 cfg.cutover.example 3600',
  ]);
});

const rec = (
  name: string,
  type: DnsRecord['type'],
  value: string,
  extra: Partial<DnsRecord> = {},
): DnsRecord => ({
  name,
  type,
  ttl: 3600,
  value,
  ...extra,
});

void test('diff: the SPF is replaced, never added beside the old one; a second old SPF is deleted', () => {
  const required = requiredRecords('d.test', { kind: 'google' });
  const current = [
    rec('d.test', 'TXT', 'v=spf1 include:old.example -all'),
    rec('d.test', 'TXT', 'V=SPF1 a -all'),
    rec('d.test', 'TXT', 'keep-me=1'),
    rec('d.test', 'MX', 'smtp.google.com', { priority: 1 }),
  ];
  assert.deepEqual(summary(diffRecords(current, required)), [
    'replace d.test TXT "v=spf1 include:old.example -all" -> d.test TXT "v=spf1 include:_spf.google.com ~all"',
    'delete d.test TXT "V=SPF1 a -all"',
  ]);
  // Already right: nothing to do. No SPF at all: add one.
  assert.deepEqual(diffRecords([...required], required), []);
  assert.deepEqual(summary(diffRecords([], required)), [
    'add d.test MX 1 smtp.google.com',
    'add d.test TXT "v=spf1 include:_spf.google.com ~all"',
  ]);
});

void test('diff: the whole MX set is replaced; equal records stay', () => {
  const required = requiredRecords('d.test', { kind: 'imap', mxHost: 'mx.new.example' }).filter(
    (r) => r.type === 'MX',
  );
  const current = [
    rec('d.test', 'MX', 'mx1.old.example', { priority: 10 }),
    rec('d.test', 'MX', 'mx2.old.example', { priority: 20 }),
    rec('d.test', 'MX', 'mx3.old.example', { priority: 30 }),
  ];
  assert.deepEqual(summary(diffRecords(current, required)), [
    'replace d.test MX 10 mx1.old.example -> d.test MX 10 mx.new.example',
    'delete d.test MX 20 mx2.old.example',
    'delete d.test MX 30 mx3.old.example',
  ]);
  const already = [rec('d.test', 'MX', 'MX.NEW.EXAMPLE', { priority: 10 }), current[1]!];
  assert.deepEqual(summary(diffRecords(already, required)), ['delete d.test MX 20 mx2.old.example']);
  // The same host at another priority is a different record.
  const other = [rec('d.test', 'MX', 'mx.new.example', { priority: 5 })];
  assert.deepEqual(summary(diffRecords(other, required)), [
    'replace d.test MX 5 mx.new.example -> d.test MX 10 mx.new.example',
  ]);
});

void test('diff: a CNAME takes its name alone (A/AAAA/TXT there are deleted); an old CNAME is replaced', () => {
  const required = requiredRecords('d.test', {
    kind: 'microsoft365',
    tenantPrefix: 't',
    autoconfigHost: 'c.example',
  });
  const current = [
    rec('autodiscover.d.test', 'CNAME', 'autodiscover.old.example'),
    rec('autoconfig.d.test', 'A', '192.0.2.1'),
    rec('autoconfig.d.test', 'AAAA', '2001:db8::1'),
    rec('selector1._domainkey.d.test', 'TXT', 'v=DKIM1; k=rsa; p=MIIB'),
  ];
  const changes = summary(diffRecords(current, required)).filter((c) => !/ d\.test (MX|TXT) /.test(c));
  assert.deepEqual(changes, [
    'replace autodiscover.d.test CNAME autodiscover.old.example -> autodiscover.d.test CNAME autodiscover.outlook.com',
    'add selector1._domainkey.d.test CNAME selector1-d-test._domainkey.t.onmicrosoft.com',
    'delete selector1._domainkey.d.test TXT "v=DKIM1; k=rsa; p=MIIB"',
    'add selector2._domainkey.d.test CNAME selector2-d-test._domainkey.t.onmicrosoft.com',
    'add autoconfig.d.test CNAME c.example',
    'delete autoconfig.d.test A 192.0.2.1',
    'delete autoconfig.d.test AAAA 2001:db8::1',
  ]);
});
