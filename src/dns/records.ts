/**
 * The DNS records a mail destination needs, and the record shape the whole DNS module speaks.
 *
 * Sources (checked when written; the provider's admin console shows the exact values for a tenant):
 * - Microsoft 365: "Add DNS records to connect your domain" and "External Domain Name System records for
 *   Office 365" (learn.microsoft.com/microsoft-365/admin/get-help-with-domains/create-dns-records-at-any-dns-hosting-provider,
 *   learn.microsoft.com/microsoft-365/enterprise/external-domain-name-system-records): MX
 *   `<domain with dots as dashes>.mail.protection.outlook.com` preference 0, CNAME `autodiscover` →
 *   `autodiscover.outlook.com`, SPF `v=spf1 include:spf.protection.outlook.com -all`, TTL 1 hour; DKIM
 *   (learn.microsoft.com/defender-office-365/email-authentication-dkim-configure): CNAMEs
 *   `selector1._domainkey` → `selector1-<domain-dashes>._domainkey.<tenant>.onmicrosoft.com` (and selector2).
 *   Tenants may be shown a newer form (`….mx.microsoft` MX, `….dkim.mail.microsoft` DKIM): pass those values
 *   from the admin center as an IMAP-style destination when they differ.
 * - Google Workspace: "Set up MX records for Google Workspace email" and "Define your SPF record"
 *   (support.google.com/a/answer/174125, support.google.com/a/answer/10685031): the single MX
 *   `smtp.google.com` priority 1 (since 2023; the five `aspmx` hosts still work), SPF
 *   `v=spf1 include:_spf.google.com ~all`. DKIM keys are generated in the Admin console: add them as
 *   `verification` TXT values are added, or by hand.
 * - Any IMAP server: RFC 6186 SRV records `_imaps._tcp` (993) and `_submission._tcp` (587), and the
 *   Thunderbird autoconfig / Outlook autodiscover host names pointed at Cutover's autoconfig service.
 */
import { normalizeName } from './name.js';

/** The record types Cutover reads and writes. */
export type DnsRecordType = 'A' | 'AAAA' | 'NS' | 'CNAME' | 'SOA' | 'MX' | 'TXT' | 'SRV';

/**
 * One resource record. Names (owner and targets) are fully qualified, lower-case, without the trailing dot.
 * `value`: the address (A, AAAA), the target name (NS, CNAME, MX exchange, SRV target), the text (TXT, its
 * character-strings concatenated as SPF and DKIM read them, RFC 7208 §3.3), or
 * `mname rname serial refresh retry expire minimum` (SOA). `priority` is the MX preference or SRV priority.
 */
export type DnsRecord = {
  name: string;
  type: DnsRecordType;
  ttl: number;
  value: string;
  priority?: number;
  weight?: number;
  port?: number;
  /**
   * TXT only: the character-strings as they are on the wire (each at most 255 bytes). Kept from lookups so
   * that deleting a record split in an unusual place matches it byte for byte (RFC 2136 §2.5.4);
   * when absent, `value` is split every 255 bytes.
   */
  strings?: string[];
};

/** Where the mail goes after cutover. */
export type MailDestination = (
  | { kind: 'microsoft365'; tenantPrefix?: string }
  | { kind: 'google' }
  | { kind: 'imap'; mxHost: string; imapHost?: string; smtpHost?: string }
) & {
  /** TXT values the new provider asks for at the apex to prove the domain is yours (e.g. `MS=ms12345678`). */
  verification?: string[];
  /** Cutover's own autoconfig/autodiscover service host: `autoconfig` (and for non-Microsoft `autodiscover`) point at it. */
  autoconfigHost?: string;
};

/** TTL for the records Cutover asks for: one hour, as both providers publish theirs. */
export const REQUIRED_TTL = 3600;

/** The records `domain` must publish for mail to reach `dest` and clients to configure themselves. */
export function requiredRecords(domain: string, dest: MailDestination): DnsRecord[] {
  const d = normalizeName(domain);
  const rr = (label: string, type: DnsRecord['type'], value: string, extra: Partial<DnsRecord> = {}) => ({
    name: label ? `${label}.${d}` : d,
    type,
    ttl: REQUIRED_TTL,
    value: type === 'TXT' ? value : normalizeName(value),
    ...extra,
  });
  const out: DnsRecord[] = [];
  const dashed = d.replaceAll('.', '-');
  if (dest.kind === 'microsoft365') {
    out.push(rr('', 'MX', `${dashed}.mail.protection.outlook.com`, { priority: 0 }));
    out.push(rr('', 'TXT', 'v=spf1 include:spf.protection.outlook.com -all'));
    out.push(rr('autodiscover', 'CNAME', 'autodiscover.outlook.com'));
    if (dest.tenantPrefix) {
      const tenant = normalizeName(dest.tenantPrefix).replace(/\.onmicrosoft\.com$/, '');
      for (const s of ['selector1', 'selector2'])
        out.push(rr(`${s}._domainkey`, 'CNAME', `${s}-${dashed}._domainkey.${tenant}.onmicrosoft.com`));
    }
  } else if (dest.kind === 'google') {
    out.push(rr('', 'MX', 'smtp.google.com', { priority: 1 }));
    out.push(rr('', 'TXT', 'v=spf1 include:_spf.google.com ~all'));
  } else {
    const mx = normalizeName(dest.mxHost);
    const smtp = normalizeName(dest.smtpHost ?? mx);
    out.push(rr('', 'MX', mx, { priority: 10 }));
    // Not in RFC 6186, but without it mail sent from the new server fails SPF at receivers; softfail (~all)
    // because Cutover cannot know every other sender (newsletters, CRM) the domain uses.
    out.push(rr('', 'TXT', smtp === mx ? 'v=spf1 mx ~all' : `v=spf1 mx a:${smtp} ~all`));
    // RFC 6186 §3.1/§3.3: priority 0, weight 1; a single-host server answers IMAP and submission on mxHost.
    out.push(rr('_imaps._tcp', 'SRV', dest.imapHost ?? mx, { priority: 0, weight: 1, port: 993 }));
    out.push(rr('_submission._tcp', 'SRV', smtp, { priority: 0, weight: 1, port: 587 }));
  }
  if (dest.autoconfigHost) {
    out.push(rr('autoconfig', 'CNAME', dest.autoconfigHost));
    // Microsoft 365's autodiscover must stay with Microsoft (Outlook would otherwise find no mailbox).
    if (dest.kind !== 'microsoft365') {
      out.push(rr('autodiscover', 'CNAME', dest.autoconfigHost));
      // Outlook's last lookup (MS-OXDISCO §3.1.5.2): the SRV target's HTTPS endpoint answers autodiscover.
      out.push(rr('_autodiscover._tcp', 'SRV', dest.autoconfigHost, { priority: 0, weight: 0, port: 443 }));
    }
  }
  for (const v of dest.verification ?? []) out.push(rr('', 'TXT', v));
  return out;
}

/** True when `r` is an SPF policy (RFC 7208 §4.5: a TXT starting with `v=spf1` then a space or nothing). */
export function isSpf(r: DnsRecord): boolean {
  return r.type === 'TXT' && /^v=spf1(\s|$)/i.test(r.value);
}

/** True when `a` and `b` are the same record (TTL and TXT string splitting aside). */
export function sameRecord(a: DnsRecord, b: DnsRecord): boolean {
  const valuesEqual =
    a.type === 'TXT' ? a.value === b.value : a.value.toLowerCase() === b.value.toLowerCase();
  return (
    normalizeName(a.name) === normalizeName(b.name) &&
    a.type === b.type &&
    valuesEqual &&
    (a.priority ?? 0) === (b.priority ?? 0) &&
    (a.weight ?? 0) === (b.weight ?? 0) &&
    (a.port ?? 0) === (b.port ?? 0)
  );
}

/** `name TYPE`: the key of an RRset, as `currentTtls` uses it. */
export const rrsetKey = (r: { name: string; type: string }): string => `${normalizeName(r.name)} ${r.type}`;

/** One line for people: `example.com MX 10 mx.example.net`, `example.com TXT "v=spf1 …"`. */
export function formatRecord(r: DnsRecord): string {
  const value = r.type === 'TXT' ? JSON.stringify(r.value) : r.value;
  const pre =
    r.type === 'MX'
      ? `${r.priority ?? 0} `
      : r.type === 'SRV'
        ? `${r.priority ?? 0} ${r.weight ?? 0} ${r.port ?? 0} `
        : '';
  return `${r.name} ${r.type} ${pre}${value}`;
}
