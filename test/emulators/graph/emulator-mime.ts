/**
 * LOCAL EMULATOR of Microsoft Graph (test code, not the real service): the MIME side. Reads the few
 * headers Exchange surfaces as message properties from raw MIME (seeded or created with MIME), and renders
 * the MIME `$value` returns for a message created from JSON, as Exchange does (headers rebuilt from the
 * properties, the body and every attachment base64-encoded in multipart/mixed).
 */
import { randomBytes } from 'node:crypto';
import { renderedHeaderLines } from './emulator-headers.js';
import type { EmMessage } from './emulator-store.js';

/** Unfolded header fields of a raw message, names lower-cased. */
export function headerFields(raw: Buffer): Array<{ name: string; value: string }> {
  let end = raw.indexOf('\r\n\r\n');
  if (end < 0) end = raw.indexOf('\n\n');
  const text = raw.subarray(0, end < 0 ? raw.length : end).toString('latin1');
  const out: Array<{ name: string; value: string }> = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && out.length) out[out.length - 1]!.value += ' ' + line.trim();
    else {
      const i = line.indexOf(':');
      if (i > 0) out.push({ name: line.slice(0, i).trim().toLowerCase(), value: line.slice(i + 1).trim() });
    }
  }
  return out;
}

/** Properties Exchange derives from a MIME message's headers. */
export function propsFromMime(raw: Buffer): Partial<EmMessage> {
  const h = new Map(headerFields(raw).map((f) => [f.name, f.value]));
  const date = h.get('date') ? new Date(h.get('date')!) : undefined;
  const addr = (v?: string) => {
    const m = v ? /<([^>]+)>/.exec(v) : null;
    return v
      ? { emailAddress: { address: (m?.[1] ?? v).trim(), name: v.replace(/<[^>]*>/, '').trim() } }
      : undefined;
  };
  return {
    subject: h.get('subject') ?? '',
    internetMessageId: h.get('message-id'),
    sentDateTime: date && !isNaN(date.getTime()) ? date.toISOString() : undefined,
    from: addr(h.get('from')),
    toRecipients: h.get('to') ? [addr(h.get('to'))!] : [],
  };
}

const enc = (s: string) =>
  /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;
const b64 = (b: Buffer) => b.toString('base64').replace(/.{76}/g, '$&\r\n');
type Recipient = { emailAddress: { address: string; name?: string } };
const addrs = (list?: Recipient[]) =>
  (list ?? [])
    .map((r) =>
      r.emailAddress.name
        ? `${enc(r.emailAddress.name)} <${r.emailAddress.address}>`
        : r.emailAddress.address,
    )
    .join(', ');

/** The MIME Exchange hands out for a message created from JSON. */
export function renderMime(m: EmMessage): Buffer {
  const boundary = `emu_${randomBytes(6).toString('hex')}`;
  const head = [
    m.from ? `From: ${addrs([m.from])}` : undefined,
    m.toRecipients?.length ? `To: ${addrs(m.toRecipients)}` : undefined,
    m.ccRecipients?.length ? `Cc: ${addrs(m.ccRecipients)}` : undefined,
    `Subject: ${enc(m.subject ?? '')}`,
    `Date: ${new Date(m.sentDateTime ?? m.receivedDateTime).toUTCString().replace('GMT', '+0000')}`,
    m.internetMessageId ? `Message-ID: ${m.internetMessageId}` : undefined,
    ...renderedHeaderLines(m),
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${boundary}"`,
  ].filter((x) => x !== undefined);
  const parts = [
    `Content-Type: text/${m.body.contentType === 'html' ? 'html' : 'plain'}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64(Buffer.from(m.body.content, 'utf8'))}`,
    ...m.attachments.map(
      (a) =>
        `Content-Type: ${a.contentType}; name="${enc(a.name)}"\r\nContent-Disposition: ${a.isInline ? 'inline' : 'attachment'}; filename="${enc(a.name)}"\r\n` +
        (a.contentId ? `Content-ID: <${a.contentId}>\r\n` : '') +
        `Content-Transfer-Encoding: base64\r\n\r\n${b64(a.content)}`,
    ),
  ];
  return Buffer.from(
    `${head.join('\r\n')}\r\n\r\n${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('')}--${boundary}--\r\n`,
  );
}
