/** Synthetic RFC 5322 messages for tests. */
import { randomBytes } from 'node:crypto';

// 76 base64 characters + CRLF: padding looks like an encoded attachment and keeps lines short.
const PAD_LINE = Buffer.from(
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/ABCDEFGHIJKL\r\n',
);

/** RFC 5322 date, e.g. "Tue, 04 Mar 2025 09:05:00 +0000". */
function rfc5322Date(d: Date): string {
  const [wd, day, mon, year, time] = d.toUTCString().replace(',', '').split(' ');
  return `${wd}, ${day} ${mon} ${year} ${time} +0000`;
}

/**
 * A valid message with CRLF line endings. `messageId: null` omits the header (undefined makes one up);
 * `sizeBytes` pads the body with base64-like lines to exactly that many bytes.
 */
export function makeMessage(
  opts: {
    messageId?: string | null;
    subject?: string;
    date?: Date;
    from?: string;
    to?: string;
    body?: string;
    sizeBytes?: number;
  } = {},
): Buffer {
  const body = (opts.body ?? 'Hello from the Cutover test suite.')
    .replace(/\r?\n/g, '\r\n')
    .replace(/(\r\n)?$/, '\r\n');
  const ascii = Buffer.byteLength(body) === body.length; // no UTF-8 multi-byte sequences
  const headers = [
    `From: ${opts.from ?? 'Alice Example <alice@example.test>'}`,
    `To: ${opts.to ?? 'Bob Example <bob@example.test>'}`,
    `Subject: ${opts.subject ?? 'Test message'}`,
    `Date: ${rfc5322Date(opts.date ?? new Date())}`,
  ];
  if (opts.messageId !== null) {
    headers.push(`Message-ID: ${opts.messageId ?? `<${randomBytes(12).toString('hex')}@cutover.test>`}`);
  }
  headers.push(
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Transfer-Encoding: ${ascii ? '7bit' : '8bit'}`,
  );
  const msg = Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`, 'utf8');
  if (opts.sizeBytes === undefined || opts.sizeBytes === msg.length) return msg;
  const missing = opts.sizeBytes - msg.length;
  if (missing < 0)
    throw new RangeError(`sizeBytes ${opts.sizeBytes} is below the unpadded size ${msg.length}`);
  if (missing === 1) {
    // Too short for a line of its own: lengthen the last body line by one character.
    return Buffer.concat([msg.subarray(0, -2), Buffer.from('=\r\n')]);
  }
  // Buffer.alloc repeats the pattern natively: 30 MB in a few milliseconds.
  const pad = Buffer.alloc(missing, PAD_LINE);
  pad[missing - 2] = 0x0d;
  pad[missing - 1] = 0x0a;
  // Cutting the pattern right after a CR would leave a bare CR before the final CRLF.
  if (missing >= 3 && pad[missing - 3] === 0x0d) pad[missing - 3] = 0x41;
  return Buffer.concat([msg, pad]);
}
