/**
 * Escaping inside property values of iCalendar (RFC 5545 §3.3.11) and vCard (RFC 6350 §3.4, RFC 2426 §4):
 * TEXT values escape `\ ; ,` and newlines with a backslash, and compound values (N, ADR, ORG, REQUEST-STATUS)
 * separate their parts with unescaped `;` and the items of a part with unescaped `,`. Splitting happens on
 * the escaped form, so an escaped `\;` inside a part never splits it.
 */

/** A TEXT value as written → the text it stands for (`\n`/`\N` → newline; `\x` → `x` for anything else). */
export function unescapeText(value: string): string {
  return value.replace(/\\(.)/gsu, (_, c: string) => (c === 'n' || c === 'N' ? '\n' : c));
}

/** Text → a TEXT value (backslash, semicolon, comma and newlines escaped; CRLF and CR become `\n`). */
export function escapeText(text: string): string {
  return text.replace(/\r\n|[\r\n\\;,]/g, (c) => (c === '\\' || c === ';' || c === ',' ? `\\${c}` : '\\n'));
}

/**
 * Split `value` on every `sep` not escaped by a backslash, keeping each piece as written (still escaped).
 * `splitUnescaped('a\\;b;c', ';')` → `['a\\;b', 'c']`.
 */
export function splitUnescaped(value: string, sep: ';' | ','): string[] {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\') i++;
    else if (c === sep) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts;
}

/** A compound value (N, ADR) → its parts, each a list of unescaped items: `Doe;John,J.;;` → [[Doe],[John,J.],[''],['']]. */
export function parseCompound(value: string): string[][] {
  return splitUnescaped(value, ';').map((part) => splitUnescaped(part, ',').map(unescapeText));
}

/** Parts of a compound value → its escaped text (the inverse of `parseCompound`). */
export function formatCompound(parts: ReadonlyArray<ReadonlyArray<string>>): string {
  return parts.map((items) => items.map(escapeText).join(',')).join(';');
}
