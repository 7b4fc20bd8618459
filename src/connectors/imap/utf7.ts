/**
 * IMAP "modified UTF-7" mailbox names (RFC 3501 §5.1.3), used only at the protocol edge.
 *
 * Printable US-ASCII (0x20–0x7e) stands for itself, except '&' which is written "&-". Every other
 * character is written as "&" + modified BASE64 of its UTF-16BE code units + "-", where modified BASE64
 * is RFC 2045 base64 with ',' instead of '/' and no '=' padding. The decoder is strict: it accepts only
 * the single canonical spelling, so `encodeMailboxName(decodeMailboxName(x)) === x` whenever decoding
 * succeeds and a connector can always re-address a folder by its decoded name.
 */

const B64_RUN = /^[A-Za-z0-9+,]*$/;

function isPrintableAscii(code: number): boolean {
  return code >= 0x20 && code <= 0x7e;
}

function fail(name: string, sequence: string, why: string): never {
  throw new Error(`Invalid modified UTF-7 mailbox name "${name}": "${sequence}" ${why}`);
}

/** Throw unless every surrogate in `units` is part of a well-formed pair. */
function checkSurrogates(units: number[], onBad: (index: number) => never): void {
  for (let i = 0; i < units.length; i++) {
    const u = units[i]!;
    if (u >= 0xd800 && u <= 0xdbff) {
      const next = units[i + 1];
      if (next === undefined || next < 0xdc00 || next > 0xdfff) onBad(i);
      i++;
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      onBad(i);
    }
  }
}

function encodeRun(units: number[]): string {
  const bytes = Buffer.alloc(units.length * 2);
  units.forEach((u, i) => bytes.writeUInt16BE(u, i * 2));
  return '&' + bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',') + '-';
}

/** Encode a decoded mailbox name (one segment or a delimiter-joined path) as IMAP modified UTF-7. */
export function encodeMailboxName(name: string): string {
  const all = Array.from({ length: name.length }, (_, i) => name.charCodeAt(i));
  checkSurrogates(all, (i) => {
    throw new Error(`Cannot encode mailbox name "${name}": lone UTF-16 surrogate at index ${i}`);
  });
  let out = '';
  let run: number[] = [];
  for (const code of all) {
    if (isPrintableAscii(code)) {
      if (run.length > 0) out += encodeRun(run);
      run = [];
      out += code === 0x26 ? '&-' : String.fromCharCode(code);
    } else {
      run.push(code);
    }
  }
  if (run.length > 0) out += encodeRun(run);
  return out;
}

/** Decode an IMAP modified UTF-7 mailbox name; throws an Error naming the offending sequence. */
export function decodeMailboxName(name: string): string {
  let out = '';
  let i = 0;
  let lastRunEnd = -1; // index just after the previous "&...-" run, to reject "&AOQ-&APY-"
  while (i < name.length) {
    const code = name.charCodeAt(i);
    if (code !== 0x26) {
      // RFC 3501: characters outside printable US-ASCII MUST be base64-encoded.
      if (!isPrintableAscii(code)) {
        const cp = name.codePointAt(i) ?? code;
        fail(
          name,
          String.fromCodePoint(cp),
          `(U+${cp.toString(16).toUpperCase().padStart(4, '0')}) must be encoded`,
        );
      }
      out += name.charAt(i);
      i++;
      continue;
    }
    const start = i;
    const end = name.indexOf('-', start + 1);
    if (end < 0) fail(name, name.slice(start), 'is not terminated by "-"');
    const seq = name.slice(start, end + 1);
    const b64 = name.slice(start + 1, end);
    i = end + 1;
    if (b64 === '') {
      out += '&'; // "&-" is the escaped ampersand
      continue;
    }
    if (!B64_RUN.test(b64)) fail(name, seq, 'contains characters that are not modified BASE64');
    if (lastRunEnd === start) fail(name, seq, 'directly follows another encoded run');
    lastRunEnd = i;
    if (b64.length % 4 === 1) fail(name, seq, 'has an impossible BASE64 length');
    const bytes = Buffer.from(b64.replace(/,/g, '/'), 'base64');
    // The unused low bits of the last character must be zero (RFC 4648 §3.5 canonical encoding).
    const again = bytes.toString('base64').replace(/=+$/, '').replace(/\//g, ',');
    if (again !== b64) fail(name, seq, 'has non-zero padding bits');
    if (bytes.length % 2 !== 0) fail(name, seq, 'is not a whole number of UTF-16 code units');
    const units: number[] = [];
    for (let b = 0; b < bytes.length; b += 2) units.push(bytes.readUInt16BE(b));
    checkSurrogates(units, () => fail(name, seq, 'contains an unpaired UTF-16 surrogate'));
    // RFC 3501: modified BASE64 MUST NOT represent a printable US-ASCII character.
    if (units.some(isPrintableAscii))
      fail(name, seq, 'encodes printable US-ASCII that must be written as-is');
    out += String.fromCharCode(...units);
  }
  return out;
}
