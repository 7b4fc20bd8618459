/**
 * A per-user Apple configuration profile (.mobileconfig) with one IMAP account (payload type
 * com.apple.mail.managed, developer.apple.com/documentation/devicemanagement/mail). No password inside: the
 * device asks for it. Identifiers are stable per mailbox, so a second download replaces the first profile.
 */
import { createHash } from 'node:crypto';
import type { ClientSettings } from '../services/client-setup-service.js';
import { esc } from './html.js';

type PlistValue = string | number | boolean | PlistValue[] | { [key: string]: PlistValue };

function plistValue(v: PlistValue, indent: string): string {
  if (typeof v === 'string') return `${indent}<string>${esc(v)}</string>`;
  if (typeof v === 'number') return `${indent}<integer>${Math.trunc(v)}</integer>`;
  if (typeof v === 'boolean') return `${indent}<${v}/>`;
  if (Array.isArray(v))
    return `${indent}<array>\n${v.map((x) => plistValue(x, `${indent}  `)).join('\n')}\n${indent}</array>`;
  const entries = Object.entries(v).map(
    ([k, x]) => `${indent}  <key>${esc(k)}</key>\n${plistValue(x, `${indent}  `)}`,
  );
  return `${indent}<dict>\n${entries.join('\n')}\n${indent}</dict>`;
}

/** A UUID (version-4 layout) derived from `seed`, so the same mailbox always gets the same one. */
function stableUuid(seed: string): string {
  const h = createHash('sha256').update(seed).digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex').toUpperCase();
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The profile for one user: `address` shown and sent from, `login` used for IMAP and SMTP. */
export function mobileconfig(
  s: ClientSettings,
  user: { mailboxId: number; address: string; login: string; name?: string },
): string {
  const id = `org.cutover.mail.${s.displayName.replace(/[^A-Za-z0-9-]+/g, '-').toLowerCase()}.${user.mailboxId}`;
  const account: PlistValue = {
    PayloadType: 'com.apple.mail.managed',
    PayloadVersion: 1,
    PayloadIdentifier: `${id}.account`,
    PayloadUUID: stableUuid(`${id}.account`),
    PayloadDisplayName: `Mail: ${user.address}`,
    EmailAccountDescription: `${s.displayName} (${user.address})`,
    EmailAccountName: user.name ?? user.address,
    EmailAccountType: 'EmailTypeIMAP',
    EmailAddress: user.address,
    IncomingMailServerAuthentication: 'EmailAuthPassword',
    IncomingMailServerHostName: s.imap.host,
    IncomingMailServerPortNumber: s.imap.port,
    IncomingMailServerUseSSL: s.imap.socket === 'SSL',
    IncomingMailServerUsername: user.login,
    OutgoingMailServerAuthentication: 'EmailAuthPassword',
    OutgoingMailServerHostName: s.smtp.host,
    OutgoingMailServerPortNumber: s.smtp.port,
    OutgoingMailServerUseSSL: s.smtp.socket !== 'plain',
    OutgoingMailServerUsername: user.login,
    OutgoingPasswordSameAsIncomingPassword: true,
  };
  const profile: PlistValue = {
    PayloadType: 'Configuration',
    PayloadVersion: 1,
    PayloadIdentifier: id,
    PayloadUUID: stableUuid(id),
    PayloadDisplayName: `${s.displayName}: ${user.address}`,
    PayloadDescription: `Sets up ${user.address} on the new mail server.`,
    PayloadRemovalDisallowed: false,
    PayloadContent: [account],
  };
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
${plistValue(profile, '')}
</plist>
`;
}
