/**
 * Message templates: a subject, a plain-text body and an HTML body with {{placeholders}}. The defaults live
 * here; operators edit copies (stored). Values are escaped in the HTML body, never in the text.
 */
import { ErrorCode, PermanentError } from '../errors.js';
import { esc } from '../html/escape.js';

/** The messages Cutover sends. */
export const MESSAGE_KINDS = [
  'announcement',
  'reminder',
  'dns-change',
  'alert',
  'pre-cutover',
  'completion',
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** Placeholders a template may use. */
export const PLACEHOLDERS = [
  'name',
  'address',
  'newAddress',
  'link',
  'linkExpires',
  'cutoverDate',
  'project',
  'alert',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Partial<Record<Placeholder, string>>;

export interface MessageTemplate {
  subject: string;
  text: string;
  html: string;
}

const p = (...lines: string[]) => lines.map((l) => `<p>${l}</p>`).join('\n');

/** The templates as shipped. */
export const DEFAULT_TEMPLATES: Record<MessageKind, MessageTemplate> = {
  announcement: {
    subject: 'Your mailbox is moving on {{cutoverDate}}',
    text: 'Hello {{name}},\n\nyour mailbox {{address}} moves to a new mail system ({{project}}) on {{cutoverDate}}.\n\nPlease open your personal page, enter your current password so your mail can be copied, and set up your phone and computer:\n{{link}}\n\nThe link is personal: do not forward it. It works until {{linkExpires}}.\n',
    html: p(
      'Hello {{name}},',
      'your mailbox <strong>{{address}}</strong> moves to a new mail system ({{project}}) on <strong>{{cutoverDate}}</strong>.',
      'Please open your personal page, enter your current password so your mail can be copied, and set up your phone and computer:',
      '<a href="{{link}}">{{link}}</a>',
      'The link is personal: do not forward it. It works until {{linkExpires}}.',
    ),
  },
  reminder: {
    subject: 'Reminder: we still need your password to move your mailbox',
    text: 'Hello {{name}},\n\nwe cannot copy the mail of {{address}} yet: your password is still missing. The move is on {{cutoverDate}}.\n\nIt takes a minute: {{link}}\n',
    html: p(
      'Hello {{name}},',
      'we cannot copy the mail of <strong>{{address}}</strong> yet: your password is still missing. The move is on <strong>{{cutoverDate}}</strong>.',
      'It takes a minute: <a href="{{link}}">{{link}}</a>',
    ),
  },
  'pre-cutover': {
    subject: 'Your mailbox moves on {{cutoverDate}}',
    text: 'Hello {{name}},\n\nthe move of {{address}} happens on {{cutoverDate}}. Mail keeps arriving during the move; from then on it arrives in your new mailbox {{newAddress}}.\n\nSet up your devices: {{link}}\n',
    html: p(
      'Hello {{name}},',
      'the move of <strong>{{address}}</strong> happens on <strong>{{cutoverDate}}</strong>. Mail keeps arriving during the move; from then on it arrives in your new mailbox {{newAddress}}.',
      'Set up your devices: <a href="{{link}}">{{link}}</a>',
    ),
  },
  'dns-change': {
    subject: 'Your mail now goes to the new system',
    text: 'Hello {{name}},\n\nas of {{cutoverDate}} new mail for {{address}} is delivered to the new system. It can take a few hours until every sender uses the new route. Your older mail is being copied over.\n\nMail program settings: {{link}}\n',
    html: p(
      'Hello {{name}},',
      'as of {{cutoverDate}} new mail for <strong>{{address}}</strong> is delivered to the new system. It can take a few hours until every sender uses the new route. Your older mail is being copied over.',
      'Mail program settings: <a href="{{link}}">{{link}}</a>',
    ),
  },
  alert: {
    subject: 'Action needed for your mailbox {{address}}',
    text: 'Hello {{name}},\n\nthe move of {{address}} needs your help:\n\n{{alert}}\n\nYour personal page: {{link}}\n',
    html: p(
      'Hello {{name}},',
      'the move of <strong>{{address}}</strong> needs your help:',
      '{{alert}}',
      'Your personal page: <a href="{{link}}">{{link}}</a>',
    ),
  },
  completion: {
    subject: 'Your mailbox has moved',
    text: 'Hello {{name}},\n\nthe move of {{address}} is complete: your mail is in your new mailbox {{newAddress}}.\n\nIf something is missing, reply to this message.\n',
    html: p(
      'Hello {{name}},',
      'the move of <strong>{{address}}</strong> is complete: your mail is in your new mailbox {{newAddress}}.',
      'If something is missing, reply to this message.',
    ),
  },
};

const TOKEN = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** Refuse a template that uses a placeholder Cutover does not fill (a typo would reach every user). */
export function checkTemplate(t: MessageTemplate): void {
  for (const part of ['subject', 'text', 'html'] as const)
    for (const m of t[part].matchAll(TOKEN)) {
      const name = m[1] ?? '';
      if (!(PLACEHOLDERS as readonly string[]).includes(name))
        throw new PermanentError(
          ErrorCode.ConfigInvalid,
          `The template's ${part} uses {{${name}}}, which Cutover does not know.`,
          `Use one of: ${PLACEHOLDERS.map((x) => `{{${x}}}`).join(' ')}.`,
        );
    }
  if (t.subject.includes('\n') || t.subject.length > 250)
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      'The subject must be one line of at most 250 characters.',
      'Shorten the subject.',
    );
}

/** Fill a template. A value missing is shown as "(to be announced)". */
export function render(t: MessageTemplate, values: TemplateValues): MessageTemplate {
  const fill = (s: string, escape: (v: string) => string) =>
    s.replace(TOKEN, (whole, name: string) =>
      (PLACEHOLDERS as readonly string[]).includes(name)
        ? escape(values[name as Placeholder] ?? '(to be announced)')
        : whole,
    );
  return {
    subject: fill(t.subject, (v) => v.replace(/[\r\n]+/g, ' ')),
    text: fill(t.text, (v) => v),
    html: fill(t.html, esc),
  };
}

/**
 * For the point of contact or the operator: one message per user to forward, marked as such at the top.
 */
export function forForwarding(m: MessageTemplate, address: string): MessageTemplate {
  return {
    subject: `[to forward to ${address}] ${m.subject}`,
    text: `Please forward this message to ${address}.\n\n----\n${m.text}`,
    html: `<p><em>Please forward this message to ${esc(address)}.</em></p><hr>\n${m.html}`,
  };
}
