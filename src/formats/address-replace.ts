/**
 * The plan's address replacements applied to groupware text: in iCalendar, the mailto: values of ORGANIZER
 * and ATTENDEE (alarms' attendees included) and the addresses in their EMAIL, SENT-BY, DELEGATED-TO and
 * DELEGATED-FROM parameters; in vCards, EMAIL values and mailto: MEMBERs of groups. The rules come in as a
 * function (the plan's `replaceAddress`), so this layer imports no configuration. Only lines whose address
 * changes are rewritten; every other byte stays.
 */
import { paramValues, withParam, type ContentLine } from './content-lines.js';
import { allProperties, parseDocument, serialiseDocument, setLine } from './component-tree.js';

/** The replaced text and how many addresses changed in it. */
export interface AddressReplacement {
  /** The same string when nothing changed. */
  text: string;
  changed: number;
}

const PARTICIPANTS = new Set(['ORGANIZER', 'ATTENDEE']);
const ADDRESS_PARAMS = ['EMAIL', 'SENT-BY', 'DELEGATED-TO', 'DELEGATED-FROM'];

/** `mailto:a@x` → `mailto:` + replaced address (the scheme as written); anything else unchanged. */
function replaceMailto(value: string, replace: (address: string) => string): string {
  const m = /^(\s*mailto:)(.*?)(\s*)$/is.exec(value);
  if (!m) return value;
  return `${m[1]}${replace(m[2] ?? '')}${m[3]}`;
}

function replaceInLine(
  line: ContentLine,
  replace: (address: string) => string,
  isCard: boolean,
): ContentLine {
  let out = line;
  if (isCard) {
    const address = line.value.trim();
    const qp = line.params.some((p) => /QUOTED-PRINTABLE/i.test([p.name, ...p.values].join()));
    if (line.name === 'EMAIL' && !qp && replace(address) !== address)
      out = { ...out, value: replace(address) };
    if (line.name === 'MEMBER' || line.name === 'X-ADDRESSBOOKSERVER-MEMBER')
      out = { ...out, value: replaceMailto(line.value, replace) };
    return out;
  }
  if (!PARTICIPANTS.has(line.name)) return out;
  out = { ...out, value: replaceMailto(line.value, replace) };
  for (const name of ADDRESS_PARAMS) {
    const values = paramValues(line, name);
    if (!values) continue;
    const next = values.map((v) => (name === 'EMAIL' ? replace(v) : replaceMailto(v, replace)));
    if (next.some((v, i) => v !== values[i])) out = withParam(out, name, next);
  }
  return out;
}

/** Count the addresses that differ between two versions of one line. */
function countChanged(a: ContentLine, b: ContentLine): number {
  let n = a.value === b.value ? 0 : 1;
  for (const name of ADDRESS_PARAMS) {
    const before = paramValues(a, name) ?? [];
    const after = paramValues(b, name) ?? [];
    n += before.filter((v, i) => v !== after[i]).length;
  }
  return n;
}

/**
 * Apply `replace` (address → address, returning it unchanged when no rule applies) to an iCalendar text or a
 * vCard text; see the file header for which values.
 */
export function replaceAddresses(text: string, replace: (address: string) => string): AddressReplacement {
  const doc = parseDocument(text);
  const isCard = doc.nodes.some((n) => n.kind === 'component' && n.name === 'VCARD');
  let changed = 0;
  for (const prop of allProperties(doc.nodes)) {
    const next = replaceInLine(prop.line, replace, isCard);
    const n = next === prop.line ? 0 : countChanged(prop.line, next);
    if (n > 0) {
      setLine(prop, next);
      changed += n;
    }
  }
  return changed === 0 ? { text, changed } : { text: serialiseDocument(doc), changed };
}
