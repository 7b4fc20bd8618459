/**
 * The header fields of a message that Graph's JSON form can keep, and the ones it cannot — said on the copy,
 * never lost silently. Graph stores no header block for a message it creates: Exchange keeps properties and
 * renders MIME from them ([MS-OXCMAIL]: "MIME writers copy the value of the property to the header"). So:
 * - In-Reply-To → PidTagInReplyToId (String 0x1042, [MS-OXPROPS] 2.743, [MS-OXOMSG] 2.2.1.13) and
 *   References → PidTagInternetReferences (String 0x1039, [MS-OXPROPS] 2.750): conversations stay threaded.
 * - List-Help, List-Subscribe, List-Unsubscribe → PidTagListHelp / PidTagListSubscribe /
 *   PidTagListUnsubscribe (String 0x1043–0x1045, [MS-OXPROPS] 2.770–2.772, [MS-OXCMAIL] 2.1.3.2.15). The
 *   other List-* fields (List-Id, List-Post, List-Archive, List-Owner) have no property.
 * - Importance / X-Priority → importance; Disposition-Notification-To → isReadReceiptRequested.
 * - X- fields → internetMessageHeaders, which Graph takes only at creation and only for names starting
 *   "x-" (message resource), at most 5 per message (400 InvalidInternetMessageHeaderCollection, "Maximum
 *   number of headers in one message should be less than or equal to 5"), within Exchange Online's 256 KB
 *   header limit. X-MS-Exchange-Organization-* belong to Exchange transport and are not written.
 * - Everything else (Received, Return-Path, Auto-Submitted, DKIM-Signature, Authentication-Results, ...) has
 *   no place in the message resource ("Received: no corresponding MAPI property") and is dropped.
 * The IMAP write path (graph-imap.ts) keeps the whole header block instead.
 */
import type { Field } from './mime-parse.js';

/** The extended properties the header fields map to, in Graph's id syntax. */
export const HEADER_PROP = {
  inReplyTo: 'String 0x1042',
  references: 'String 0x1039',
  listHelp: 'String 0x1043',
  listSubscribe: 'String 0x1044',
  listUnsubscribe: 'String 0x1045',
} as const;

/** Graph's limit on custom internet message headers per message. */
export const MAX_X_HEADERS = 5;
/** Exchange Online's limit on a message's header size. */
export const MAX_HEADER_BYTES = 256 * 1024;

/** Fields the converter (mime-to-graph.ts) carries itself, or that describe the MIME structure. */
const CARRIED = new Set([
  'from',
  'sender',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
  'content-id',
  'content-description',
  'content-language',
]);

const TO_PROP: Record<string, string> = {
  'in-reply-to': HEADER_PROP.inReplyTo,
  references: HEADER_PROP.references,
  'list-help': HEADER_PROP.listHelp,
  'list-subscribe': HEADER_PROP.listSubscribe,
  'list-unsubscribe': HEADER_PROP.listUnsubscribe,
};

/** What of a header block goes into the create request, and what cannot. */
export interface HeaderPlan {
  /** Extended properties to set at creation. */
  props: Array<{ id: string; value: string }>;
  /** Message properties (importance, isReadReceiptRequested, internetMessageHeaders). */
  message: Record<string, unknown>;
  /** Field names that are not kept, each with how often it occurred ("Received ×3"). */
  dropped: string[];
}

/** "x-spam-flag" → "X-Spam-Flag". */
const display = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());

/** RFC 2047-free text of a raw header value (8-bit bytes read as UTF-8). */
const text = (value: string) => Buffer.from(value, 'latin1').toString('utf8');

function importanceOf(fields: Field[]): 'high' | 'low' | 'normal' | undefined {
  const imp = fields
    .find((f) => f.name === 'importance')
    ?.value.trim()
    .toLowerCase();
  if (imp === 'high' || imp === 'low' || imp === 'normal') return imp;
  const prio = Number(/^\s*(\d)/.exec(fields.find((f) => f.name === 'x-priority')?.value ?? '')?.[1]);
  if (prio === 1 || prio === 2) return 'high';
  if (prio === 4 || prio === 5) return 'low';
  return prio === 3 ? 'normal' : undefined;
}

/** Plan the header fields of one message (the top-level header block, unfolded). */
export function planHeaders(fields: Field[]): HeaderPlan {
  const props: HeaderPlan['props'] = [];
  const message: Record<string, unknown> = {};
  const drop = new Map<string, number>();
  const dropOne = (name: string) => drop.set(name, (drop.get(name) ?? 0) + 1);
  const custom: Array<{ name: string; value: string }> = [];
  let customBytes = 0;
  const importance = importanceOf(fields);
  if (importance) message.importance = importance;
  for (const f of fields) {
    if (CARRIED.has(f.name)) continue;
    const prop = TO_PROP[f.name];
    if (prop) {
      // One value per property: a second In-Reply-To (malformed mail) cannot be kept.
      if (props.some((p) => p.id === prop)) dropOne(f.name);
      else props.push({ id: prop, value: text(f.value) });
      continue;
    }
    if (f.name === 'importance') continue;
    if (f.name === 'x-priority' && importance) continue;
    if (f.name === 'disposition-notification-to') {
      message.isReadReceiptRequested = true;
      continue;
    }
    const cost = f.name.length + f.value.length + 4;
    if (
      f.name.startsWith('x-') &&
      !f.name.startsWith('x-ms-exchange-organization-') &&
      custom.length < MAX_X_HEADERS &&
      customBytes + cost <= MAX_HEADER_BYTES
    ) {
      custom.push({ name: display(f.name), value: text(f.value) });
      customBytes += cost;
      continue;
    }
    dropOne(f.name);
  }
  if (custom.length) message.internetMessageHeaders = custom;
  const dropped = [...drop].map(([n, count]) => `${display(n)}${count > 1 ? ` ×${count}` : ''}`);
  return { props, message, dropped };
}

/** The note on a copy that lost header fields (a long list is cut, with how many more). */
export function droppedNote(dropped: string[]): string | undefined {
  if (dropped.length === 0) return undefined;
  const shown = dropped.slice(0, 10).join(', ');
  const more = dropped.length > 10 ? ` and ${dropped.length - 10} more` : '';
  return `Graph's JSON form cannot keep these header fields: ${shown}${more} (the IMAP write path keeps the whole message)`;
}
