/**
 * LOCAL EMULATOR of Microsoft Graph (test code, not the real service): the header fields of a message created
 * from JSON, as Exchange Online treats them.
 * - internetMessageHeaders are taken only at creation (message resource: "Add custom headers only when
 *   creating a message, and name them starting with 'x-'"); a name without the x- prefix is refused, and more
 *   than 5 are refused with the error the service answers ("InvalidInternetMessageHeaderCollection: Maximum
 *   number of headers in one message should be less than or equal to 5", Microsoft Q&A 762243), and the
 *   header block stays within Exchange Online's 256 KB message-header limit.
 * - The MIME Exchange renders copies In-Reply-To from PidTagInReplyToId (String 0x1042), References from
 *   PidTagInternetReferences (String 0x1039) and List-Help/-Subscribe/-Unsubscribe from 0x1043–0x1045
 *   ([MS-OXCMAIL]: MIME writers copy the property to the header field).
 */
import { fail, type EmResponse } from './emulator-http.js';
import type { EmMessage } from './emulator-store.js';

/** Custom headers per message the service takes. */
export const MAX_CUSTOM_HEADERS = 5;
/** Exchange Online's message header limit. */
export const MAX_HEADER_BYTES = 256 * 1024;

/** Validate the internetMessageHeaders of a create request; the headers to keep, or the refusal. */
export function customHeaders(value: unknown): Array<{ name: string; value: string }> | EmResponse {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return fail(400, 'BadRequest', 'internetMessageHeaders must be a collection.');
  const out: Array<{ name: string; value: string }> = [];
  let bytes = 0;
  for (const h of value as Array<{ name?: unknown; value?: unknown }>) {
    if (typeof h?.name !== 'string' || typeof h.value !== 'string')
      return fail(400, 'BadRequest', 'Each internet message header needs a name and a value.');
    if (!/^x-/i.test(h.name))
      return fail(
        400,
        'InvalidInternetMessageHeader',
        `The internet message header name '${h.name}' should start with 'x-' or 'X-'.`,
      );
    bytes += Buffer.byteLength(h.name) + Buffer.byteLength(h.value) + 4;
    out.push({ name: h.name, value: h.value });
  }
  if (out.length > MAX_CUSTOM_HEADERS)
    return fail(
      400,
      'InvalidInternetMessageHeaderCollection',
      `Maximum number of headers in one message should be less than or equal to ${MAX_CUSTOM_HEADERS}.`,
    );
  if (bytes > MAX_HEADER_BYTES)
    return fail(400, 'InvalidInternetMessageHeaderCollection', 'The message header is over 256 KB.');
  return out;
}

const FROM_PROPS: Array<[string, string]> = [
  ['string 0x1042', 'In-Reply-To'],
  ['string 0x1039', 'References'],
  ['string 0x1043', 'List-Help'],
  ['string 0x1044', 'List-Subscribe'],
  ['string 0x1045', 'List-Unsubscribe'],
];

/** The header lines Exchange renders from a message's properties and custom headers. */
export function renderedHeaderLines(m: EmMessage): string[] {
  const out: string[] = [];
  for (const [key, name] of FROM_PROPS) {
    const v = m.ext.get(key);
    if (v !== undefined) out.push(`${name}: ${v}`);
  }
  if (m.importance && m.importance !== 'normal') out.push(`Importance: ${m.importance}`);
  for (const h of m.customHeaders ?? []) out.push(`${h.name}: ${h.value}`);
  return out;
}
