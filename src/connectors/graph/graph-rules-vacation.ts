/**
 * Microsoft 365 automatic replies (mailboxSettings.automaticRepliesSetting) ↔ the neutral vacation reply.
 * Exchange keeps two HTML texts (inside and outside the organisation), who outside gets one (none, contacts
 * only, all) and an optional schedule; it has no subject, no interval between replies to one sender and no
 * list of the user's own addresses: those are left out when writing, and the result says so.
 */
import type { Untranslated, VacationReply } from '../filters-contract.js';
import type { GraphAutoReplies } from './graph-rules-types.js';
import { graphInstant, graphUtc } from './graph-time-zone.js';

const AUDIENCE_READ: Record<string, VacationReply['audience']> = {
  none: 'internal',
  contactsOnly: 'contacts',
  all: 'all',
};
const AUDIENCE_WRITE: Record<VacationReply['audience'], string> = {
  internal: 'none',
  contacts: 'contactsOnly',
  all: 'all',
};
/** Bounds written when a schedule has only one: "already begun" and "until further notice". */
const OPEN_START = new Date('2000-01-01T00:00:00Z');
const OPEN_END = new Date('2099-12-31T00:00:00Z');

/** The automatic replies as a vacation reply; nothing when they are off and empty. */
export function readAutoReplies(s: GraphAutoReplies): {
  vacation?: VacationReply;
  untranslated?: Untranslated;
} {
  const internal = s.internalReplyMessage ?? '';
  const external = s.externalReplyMessage ?? '';
  if ((s.status ?? 'disabled') === 'disabled' && !internal && !external) return {};
  const original = JSON.stringify(s);
  const vacation: VacationReply = {
    enabled: s.status !== 'disabled',
    body: internal || external,
    html: true,
    audience: AUDIENCE_READ[s.externalAudience ?? 'all'] ?? 'all',
    original,
  };
  if (internal && external && external !== internal) vacation.externalBody = external;
  if (s.status === 'scheduled') {
    for (const [key, at] of [
      ['start', s.scheduledStartDateTime],
      ['end', s.scheduledEndDateTime],
    ] as const) {
      const when = at && graphInstant(at);
      if (!when)
        return {
          untranslated: {
            name: 'vacation reply',
            reason: `its scheduled ${key} ${at ? `'${at.dateTime}' in time zone '${at.timeZone}'` : '(missing)'} cannot be read as a time`,
            original,
          },
        };
      vacation[key] = when;
    }
  }
  return { vacation };
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** Plain text as the HTML Exchange keeps: escaped, line breaks as <br>. */
const asHtml = (text: string) => escapeHtml(text).replace(/\r?\n/g, '<br>\n');

/** The automatic replies for a vacation reply, and what of it Exchange cannot keep. */
export function writeAutoReplies(v: VacationReply): { setting: GraphAutoReplies; notes: string[] } {
  const notes: string[] = [];
  const internal = v.html ? v.body : asHtml(v.body);
  const external = v.externalBody === undefined ? internal : v.html ? v.externalBody : asHtml(v.externalBody);
  const setting: GraphAutoReplies = {
    status: !v.enabled ? 'disabled' : v.start || v.end ? 'scheduled' : 'alwaysEnabled',
    externalAudience: AUDIENCE_WRITE[v.audience],
    internalReplyMessage: internal,
    externalReplyMessage: external,
  };
  if (v.enabled && (v.start || v.end)) {
    setting.scheduledStartDateTime = graphUtc(v.start ?? OPEN_START);
    setting.scheduledEndDateTime = graphUtc(v.end ?? OPEN_END);
    if (!v.start) notes.push('Microsoft 365 schedules need a start: it is 2000-01-01');
    if (!v.end) notes.push('Microsoft 365 schedules need an end: it is 2099-12-31');
  }
  if (!v.html) notes.push('the plain-text reply is written as HTML (Exchange keeps HTML)');
  if (v.subject) notes.push(`Microsoft 365 automatic replies have no subject: '${v.subject}' was left out`);
  if (v.days !== undefined)
    notes.push(`Exchange answers each sender once; the interval of ${v.days} days was left out`);
  if (v.addresses?.length)
    notes.push('Exchange answers mail to every address of the mailbox; the address list was left out');
  return { setting, notes };
}

const squash = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
const instant = (d: GraphAutoReplies['scheduledStartDateTime']) =>
  d ? graphInstant(d)?.getTime() : undefined;

/** Whether the mailbox's automatic replies already are `want` (texts compared with blanks collapsed). */
export function sameAutoReplies(have: GraphAutoReplies, want: GraphAutoReplies): boolean {
  if ((have.status ?? 'disabled') !== want.status) return false;
  if ((have.externalAudience ?? 'all') !== want.externalAudience) return false;
  if (squash(have.internalReplyMessage) !== squash(want.internalReplyMessage)) return false;
  if (squash(have.externalReplyMessage) !== squash(want.externalReplyMessage)) return false;
  if (want.status !== 'scheduled') return true;
  return (
    instant(have.scheduledStartDateTime) === instant(want.scheduledStartDateTime) &&
    instant(have.scheduledEndDateTime) === instant(want.scheduledEndDateTime)
  );
}
