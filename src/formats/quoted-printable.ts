/**
 * QUOTED-PRINTABLE values of vCard 2.1 (RFC 2045 §6.7 as vCard 2.1 uses it): `=XX` octets and `=` soft line
 * breaks, decoded in the CHARSET the property names (UTF-8 when none, or one this Node does not know).
 */

/** Decode a quoted-printable value (soft breaks `=\r\n` / `=\n` removed) into text. */
export function decodeQuotedPrintable(value: string, charset = 'utf-8'): string {
  const bytes: number[] = [];
  const text = value.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    const hex = c === '=' ? /^[0-9A-Fa-f]{2}/.exec(text.slice(i + 1))?.[0] : undefined;
    if (hex) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset);
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  return decoder.decode(Uint8Array.from(bytes));
}
