/**
 * NUL bytes that a source server hides in BODY[]. IMAP literals may not carry NUL (RFC 3501 §4.3), so
 * Dovecot serves each NUL of a stored message as 0x80 in BODY[]; only BINARY[] (RFC 3516) returns the real
 * bytes — but BINARY[] also decodes every base64/quoted-printable part, so it cannot simply replace BODY[].
 *
 * These pure functions put the NULs back into the BODY[] bytes from BINARY answers: a byte is changed only
 * where BODY[] has 0x80 and the BINARY answer has 0x00 at the same place of the same section, so a message
 * without hidden NULs comes out byte-identical.
 */

/** Whether the 0x80 at `i` continues a well-formed UTF-8 sequence (then it is a real character byte). */
function inUtf8Sequence(b: Buffer, i: number): boolean {
  for (let j = i - 1; j >= Math.max(0, i - 3); j--) {
    const lead = b[j]!;
    if (lead >= 0x80 && lead <= 0xbf) continue;
    const len =
      lead >= 0xc2 && lead <= 0xdf
        ? 2
        : lead >= 0xe0 && lead <= 0xef
          ? 3
          : lead >= 0xf0 && lead <= 0xf4
            ? 4
            : 0;
    if (len === 0 || i >= j + len || j + len > b.length) return false;
    for (let k = j + 1; k < j + len; k++) if (b[k]! < 0x80 || b[k]! > 0xbf) return false;
    return true;
  }
  return false;
}

/**
 * Whether BODY[] bytes could have hidden a NUL: a 0x80 byte that is not part of a well-formed UTF-8
 * character (a NUL right after a UTF-8 lead byte is not something mail holds).
 */
export function mayHideNul(body: Buffer): boolean {
  for (let i = body.indexOf(0x80); i >= 0; i = body.indexOf(0x80, i + 1))
    if (!inUtf8Sequence(body, i)) return true;
  return false;
}

/**
 * The message with its NULs back, from BODY[] (`a`) and BINARY[] (`b`) of the whole message: when the two
 * differ only where `a` has 0x80 and `b` has 0x00 (nothing was decoded), `b` is the exact message.
 * Undefined when they differ otherwise (a part was decoded): restore section by section instead.
 */
export function restoreWhole(a: Buffer, b: Buffer): Buffer | undefined {
  if (a.length !== b.length) return undefined;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(a[i] === 0x80 && b[i] === 0)) return undefined;
  return b;
}

/**
 * Put back the NULs of one section: `bodySection` is the section as BODY[] serves it (found in `message` at
 * or after `from`), `binarySection` the same section from BINARY. Patches `message` in place; returns the
 * range checked, or undefined when the section could not be matched (then nothing is changed).
 */
export function patchSection(
  message: Buffer,
  bodySection: Buffer,
  binarySection: Buffer,
  from: number,
): { start: number; end: number } | undefined {
  if (bodySection.length !== binarySection.length || bodySection.length === 0) return undefined;
  for (let i = 0; i < bodySection.length; i++) {
    const x = bodySection[i]!;
    const y = binarySection[i]!;
    if (x !== y && !(x === 0x80 && y === 0)) return undefined;
  }
  const start = message.indexOf(bodySection, from);
  if (start < 0) return undefined;
  for (let i = 0; i < binarySection.length; i++) if (binarySection[i] === 0) message[start + i] = 0;
  return { start, end: start + bodySection.length };
}

/** Where the header block ends (after its blank line), or the whole length for a message without body. */
export function headerEnd(message: Buffer): number {
  const i = message.indexOf('\r\n\r\n');
  if (i >= 0) return i + 4;
  const j = message.indexOf('\n\n');
  return j >= 0 ? j + 2 : message.length;
}

/** How many 0x80 bytes of `message` lie outside every checked range: each may have been a NUL. */
export function uncheckedHighBytes(message: Buffer, checked: Array<{ start: number; end: number }>): number {
  let n = 0;
  for (let i = message.indexOf(0x80); i >= 0; i = message.indexOf(0x80, i + 1))
    if (!checked.some((r) => i >= r.start && i < r.end) && message[i] === 0x80) n++;
  return n;
}
