/**
 * The UID of an iCalendar object or a vCard, and nothing else: deliberately tiny and local to this
 * connector (src/formats/ parses iCalendar and vCard fully; a PUT needs only the UID to name its resource).
 * Lines are unfolded (RFC 5545 §3.1); the UID is the first one directly inside a VEVENT, VTODO or VJOURNAL
 * (not a VALARM's or VTIMEZONE's), or directly inside the VCARD.
 */

/** The UID, or undefined when the object has none. */
export function readUid(data: string): string | undefined {
  const lines = data.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
  const stack: string[] = [];
  for (const line of lines) {
    const m = /^(BEGIN|END):(.+)$/i.exec(line.trim());
    if (m) {
      if (m[1]!.toUpperCase() === 'BEGIN') stack.push(m[2]!.trim().toUpperCase());
      else stack.pop();
      continue;
    }
    const inside = stack[stack.length - 1];
    if (!/^UID[;:]/i.test(line)) continue;
    if (inside === 'VCARD' || (stack.length === 2 && /^V(EVENT|TODO|JOURNAL)$/.test(inside ?? ''))) {
      const value = valueOf(line);
      if (value !== '') return value;
    }
  }
  return undefined;
}

/** The value of a content line: after the first colon that is not inside a quoted parameter. */
function valueOf(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ':' && !quoted) return line.slice(i + 1).trim();
  }
  return '';
}
