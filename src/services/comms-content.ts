/**
 * What a message says and to whom: the recipient per the plan's communications setting, the placeholder values
 * of a mailbox, and the template in force (the operator's edit, else the default).
 */
import type { PlanConfig } from '../config/plan.js';
import {
  DEFAULT_TEMPLATES,
  MESSAGE_KINDS,
  checkTemplate,
  type MessageKind,
  type MessageTemplate,
  type TemplateValues,
} from '../notify/templates.js';
import type { CommsTemplateRepo } from '../store/comms-template-repo.js';
import type { MailboxRow } from '../store/mailbox-repo.js';
import { addressOf, clientSettings } from './client-setup-service.js';
import type { PortalProject } from './credential-service.js';

/** Who receives a mailbox's messages; `forward` when it is a point of contact or the operator, not the user. */
export type Recipient = { to: string; forward: boolean } | { to?: undefined; why: string };

/** The recipient of a mailbox's messages under the plan (undefined: nobody is to be written to). */
export function recipientFor(
  m: Pick<MailboxRow, 'sourceUser' | 'destUser'>,
  plan: PlanConfig,
  operator?: string,
): Recipient | undefined {
  switch (plan.communications) {
    case 'none':
      return undefined;
    case 'contact':
      return plan.contact
        ? { to: plan.contact, forward: true }
        : { why: 'The plan names no point of contact to write to.' };
    case 'operator':
      return operator
        ? { to: operator, forward: true }
        : { why: 'No operator address is set for this server (CUTOVER_OPERATOR_EMAIL).' };
    case 'users': {
      const to = [m.sourceUser, m.destUser].find((u) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(u));
      return to
        ? { to, forward: false }
        : { why: `Neither ${m.sourceUser} nor ${m.destUser} is an e-mail address.` };
    }
  }
}

/** A warning for the operator when one person receives a message per user. */
export function volumeWarning(plan: PlanConfig, mailboxes: number, operator?: string): string | undefined {
  const to =
    plan.communications === 'contact'
      ? plan.contact
      : plan.communications === 'operator'
        ? operator
        : undefined;
  if (!to) return undefined;
  return `${to} receives one message per user to forward: ${mailboxes} mailbox(es), so ${mailboxes} announcements and up to ${mailboxes} reminders each evening. Consider sending to the users directly.`;
}

/** Format an instant for people, in the plan's time zone. */
export function formatWhen(t: Date | undefined, timeZone: string): string | undefined {
  if (!t) return undefined;
  const s = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'full', timeStyle: 'short' }).format(t);
  return `${s} (${timeZone})`;
}

/** The placeholder values of a mailbox (the link passed in, since issuing one is the caller's business). */
export function valuesFor(
  m: Pick<MailboxRow, 'sourceUser' | 'destUser'>,
  project: PortalProject,
  link?: { url: string; expiresAt: string },
): TemplateValues {
  const tz = project.plan?.timezone ?? 'UTC';
  const address = [m.sourceUser, m.destUser].find((u) => u.includes('@')) ?? m.sourceUser;
  return {
    name: address.split('@')[0],
    address,
    newAddress: addressOf(m.destUser, clientSettings(project)),
    link: link?.url,
    linkExpires: link ? formatWhen(new Date(link.expiresAt), tz) : undefined,
    cutoverDate: formatWhen(project.plan?.cutoverAt, tz),
    project: project.name,
  };
}

/** The templates in force. */
export class TemplateBook {
  constructor(private readonly repo: CommsTemplateRepo) {}

  /** Every kind with its template and whether it was edited. */
  async all(): Promise<Array<MessageTemplate & { kind: MessageKind; edited: boolean }>> {
    const edits = new Map((await this.repo.list()).map((t) => [t.kind, t]));
    return MESSAGE_KINDS.map((kind) => {
      const e = edits.get(kind);
      return {
        kind,
        edited: Boolean(e),
        ...(e ? { subject: e.subject, text: e.text, html: e.html } : DEFAULT_TEMPLATES[kind]),
      };
    });
  }

  async get(kind: MessageKind): Promise<MessageTemplate> {
    return (await this.all()).find((t) => t.kind === kind)!;
  }

  /** Save an edit after checking its placeholders. */
  async save(kind: MessageKind, t: MessageTemplate): Promise<void> {
    checkTemplate(t);
    await this.repo.put({ kind, ...t });
  }

  /** Back to the default. */
  async reset(kind: MessageKind): Promise<void> {
    await this.repo.remove(kind);
  }
}
