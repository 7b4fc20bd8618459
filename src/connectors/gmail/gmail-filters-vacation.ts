/**
 * Gmail's vacation responder (VacationSettings) ↔ the neutral vacation reply. Gmail keeps one subject, one
 * body (HTML or plain), "only my contacts" and "only my domain", and an optional start and end; it has no
 * second text for outside senders, no interval between replies to one sender (Gmail decides) and no list of
 * the user's addresses: those are left out when writing, and the result says so.
 */
import type { VacationReply } from '../filters-contract.js';
import type { GmailVacation } from './gmail-filters-types.js';

/** The responder as a vacation reply; nothing when it is off and empty. */
export function readVacation(v: GmailVacation): VacationReply | undefined {
  const html = !!v.responseBodyHtml;
  const body = v.responseBodyHtml || v.responseBodyPlainText || '';
  if (!v.enableAutoReply && !body && !v.responseSubject) return undefined;
  const reply: VacationReply = {
    enabled: !!v.enableAutoReply,
    body,
    html,
    audience: v.restrictToDomain ? 'internal' : v.restrictToContacts ? 'contacts' : 'all',
    original: JSON.stringify(v),
  };
  if (v.responseSubject) reply.subject = v.responseSubject;
  if (v.startTime && Number(v.startTime) > 0) reply.start = new Date(Number(v.startTime));
  if (v.endTime && Number(v.endTime) > 0) reply.end = new Date(Number(v.endTime));
  return reply;
}

/** The responder for a vacation reply, and what of it Gmail cannot keep. */
export function writeVacation(v: VacationReply): { settings: GmailVacation; notes: string[] } {
  const notes: string[] = [];
  const settings: GmailVacation = {
    enableAutoReply: v.enabled,
    responseSubject: v.subject ?? '',
    ...(v.html ? { responseBodyHtml: v.body } : { responseBodyPlainText: v.body }),
    restrictToContacts: v.audience === 'contacts',
    restrictToDomain: v.audience === 'internal',
    ...(v.start ? { startTime: String(v.start.getTime()) } : {}),
    ...(v.end ? { endTime: String(v.end.getTime()) } : {}),
  };
  if (v.externalBody !== undefined && v.externalBody !== v.body)
    notes.push('Gmail has one reply text: the one for senders outside the organisation was left out');
  if (v.days !== undefined)
    notes.push(`Gmail decides how often one sender is answered: ${v.days} days was left out`);
  if (v.addresses?.length)
    notes.push("Gmail answers mail to the user's addresses itself: the address list was left out");
  return { settings, notes };
}

const squash = (s: string | undefined) => (s ?? '').replace(/\s+/g, ' ').trim();
const ms = (s: string | undefined) => (s && Number(s) > 0 ? Number(s) : undefined);

/** Whether the responder already is `want` (texts compared with blanks collapsed). */
export function sameVacation(have: GmailVacation, want: GmailVacation): boolean {
  return (
    !!have.enableAutoReply === !!want.enableAutoReply &&
    squash(have.responseSubject) === squash(want.responseSubject) &&
    squash(have.responseBodyHtml) === squash(want.responseBodyHtml) &&
    (!!want.responseBodyHtml || squash(have.responseBodyPlainText) === squash(want.responseBodyPlainText)) &&
    !!have.restrictToContacts === !!want.restrictToContacts &&
    !!have.restrictToDomain === !!want.restrictToDomain &&
    ms(have.startTime) === ms(want.startTime) &&
    ms(have.endTime) === ms(want.endTime)
  );
}
