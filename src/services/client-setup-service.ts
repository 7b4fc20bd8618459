/**
 * What a mail program needs to reach the new server: the destination's IMAP endpoint and the SMTP submission
 * host from the plan's DNS target. Autoconfig, autodiscover and the Apple profile are all rendered from this.
 */
import type { PlanConfig } from '../config/plan.js';
import type { ServerSpec } from '../config/types.js';
import { descriptorFor } from '../connectors/registry.js';

/** How a connection is secured, in the words of the client formats. */
export type SocketType = 'SSL' | 'STARTTLS' | 'plain';

export interface ServerEndpoint {
  host: string;
  port: number;
  socket: SocketType;
}

/** Incoming and outgoing servers for the new mailboxes. */
export interface ClientSettings {
  /** Mail domains served (the plan's domains); empty = any. */
  domains: string[];
  /** Shown in clients as the provider's name. */
  displayName: string;
  imap: ServerEndpoint;
  smtp: ServerEndpoint;
}

const SOCKET: Record<ServerSpec['tls'], SocketType> = { tls: 'SSL', starttls: 'STARTTLS', none: 'plain' };

/**
 * Hosted destinations' published IMAP/SMTP endpoints: Microsoft 365 ("POP, IMAP, and SMTP settings for
 * Outlook.com", learn.microsoft.com) and Google Workspace ("Read Gmail messages on other email clients using
 * IMAP", support.google.com/mail/answer/7126229).
 */
const HOSTED = {
  microsoft365: { imap: 'outlook.office365.com', smtp: 'smtp.office365.com' },
  google: { imap: 'imap.gmail.com', smtp: 'smtp.gmail.com' },
} as const;

/** The client settings of a project: IMAP from the destination server, SMTP from the plan (587 STARTTLS). */
export function clientSettings(p: {
  name: string;
  destination: ServerSpec;
  plan?: PlanConfig;
}): ClientSettings {
  const target = p.plan?.dnsTarget;
  // A hosted destination (its descriptor says which) is set up like the DNS target of that system.
  const system = descriptorFor(p.destination.kind)?.hosted;
  const hosted =
    target?.kind === 'microsoft365' || system === 'microsoft365'
      ? HOSTED.microsoft365
      : target?.kind === 'google' || system === 'google'
        ? HOSTED.google
        : undefined;
  const domains = (p.plan?.domains ?? []).map((d) => d.toLowerCase());
  if (hosted)
    return {
      domains,
      displayName: p.name,
      imap: { host: hosted.imap, port: 993, socket: 'SSL' },
      smtp: { host: hosted.smtp, port: 587, socket: 'STARTTLS' },
    };
  const imapHost = target?.imapHost ?? p.destination.host;
  return {
    domains,
    displayName: p.name,
    imap: { host: imapHost, port: p.destination.port, socket: SOCKET[p.destination.tls] },
    smtp: { host: target?.smtpHost ?? target?.mxHost ?? imapHost, port: 587, socket: 'STARTTLS' },
  };
}

/** The e-mail address of a destination login: the login when it is an address, else login@first domain. */
export function addressOf(login: string, settings: Pick<ClientSettings, 'domains'>): string {
  if (login.includes('@') || settings.domains.length === 0) return login;
  return `${login}@${settings.domains[0]}`;
}

/** True when `address` is in one of the served domains (any, when none are configured). */
export function servesAddress(address: string, settings: Pick<ClientSettings, 'domains'>): boolean {
  const at = address.lastIndexOf('@');
  if (at < 1 || at === address.length - 1) return false;
  return settings.domains.length === 0 || settings.domains.includes(address.slice(at + 1).toLowerCase());
}
