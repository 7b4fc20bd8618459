/**
 * vCards in the version a destination stores best: `toVersion(text, '3.0' | '4.0')` rewrites a card of any
 * version (2.1, 3.0, 4.0) without loss — inline photos (3.0 `ENCODING=b;TYPE=JPEG` ↔ 4.0 `data:` URIs),
 * typed and preferred EMAIL/TEL/ADR (`TYPE=pref` ↔ `PREF=1`), N and ADR with escaped parts, birthdays without
 * a year (4.0 `--MMDD` ↔ Apple's `X-APPLE-OMIT-YEAR=1604`), groups (4.0 KIND:group + MEMBER ↔ Apple's
 * X-ADDRESSBOOKSERVER-KIND/-MEMBER), unknown X- properties kept. A card already in that version is returned
 * as it is, byte for byte; in a converted card every line the conversion does not change keeps its bytes.
 *
 * What 3.0 cannot say is kept in the nearest form a 3.0 reader keeps: a 4.0 preference rank above 1 is
 * dropped except on the most preferred property of its name (3.0 has only `TYPE=pref`), KIND:individual
 * (the default) is dropped, other kinds go to X-ADDRESSBOOKSERVER-KIND, ANNIVERSARY to X-ANNIVERSARY.
 */
import { formatLine, type ContentLine, type Param } from './content-lines.js';
import {
  childComponents,
  childProperties,
  parseDocument,
  serialiseComponent,
  serialiseDocument,
  setLine,
  type Component,
} from './component-tree.js';
import { readCardProp, type CardProp, type VcardVersion } from './vcard-props.js';

export type { CardProp, VcardVersion } from './vcard-props.js';

/** The version of a card (its VERSION property), undefined when missing or unknown. */
export function cardVersion(card: Component): VcardVersion | undefined {
  const v = childProperties(card, 'VERSION')[0]?.line.value.trim();
  return v === '2.1' || v === '3.0' || v === '4.0' ? v : undefined;
}

/** The cards of a .vcf text, each as its own text (bytes as they were). */
export function splitVcards(text: string): string[] {
  const doc = parseDocument(text);
  return childComponents(doc.nodes, 'VCARD').map((c) => serialiseComponent(c, doc.eol));
}

/** The properties of a card, version-neutral (see vcard-props.ts); VERSION, BEGIN and END left out. */
export function cardProps(card: Component): CardProp[] {
  const version = cardVersion(card) ?? '3.0';
  return childProperties(card)
    .filter((p) => p.line.name !== 'VERSION')
    .map((p) => readCardProp(p, version));
}

/** The UID of the first card of a text. */
export function vcardUid(text: string): string | undefined {
  const card = childComponents(parseDocument(text).nodes, 'VCARD')[0];
  return card && childProperties(card, 'UID')[0]?.line.value.trim();
}

const TO_30: Record<string, string> = {
  KIND: 'X-ADDRESSBOOKSERVER-KIND',
  MEMBER: 'X-ADDRESSBOOKSERVER-MEMBER',
};
const TO_30_NAME: Record<string, string> = { ANNIVERSARY: 'X-ANNIVERSARY' };

/** `image/jpeg` → `JPEG` (the 3.0 TYPE of inline data). */
function typeOfMedia(mediaType: string | undefined): string | undefined {
  return mediaType?.split('/')[1]?.toUpperCase();
}

/** One property written for `target`; undefined drops it (only KIND:individual going to 3.0). */
function writeProp(prop: CardProp, target: '3.0' | '4.0', preferred: boolean): ContentLine | undefined {
  const params: Param[] = [];
  let name = prop.name;
  let value = prop.value;
  const types = [...prop.types];
  if (target === '3.0') {
    if (name === 'KIND') {
      if (value === 'individual') return undefined;
    }
    name = TO_30[name] ?? TO_30_NAME[name] ?? name;
    if (prop.binary) {
      params.push({ name: 'ENCODING', values: ['b'] });
      const t = typeOfMedia(prop.binary.mediaType);
      if (t) params.push({ name: 'TYPE', values: [t] });
      value = prop.binary.base64;
    }
    if (preferred) types.push('pref');
    if (types.length > 0) params.push({ name: 'TYPE', values: types });
    if (prop.name === 'TEL' && prop.valueType === 'uri' && /^tel:/i.test(value)) value = value.slice(4);
    else if (prop.valueType !== undefined) params.push({ name: 'VALUE', values: [prop.valueType] });
    const noYear = /^--(\d{2})(\d{2})$/.exec(value);
    if ((prop.name === 'BDAY' || prop.name === 'ANNIVERSARY') && noYear) {
      params.push({ name: 'X-APPLE-OMIT-YEAR', values: ['1604'] });
      value = `1604-${noYear[1]}-${noYear[2]}`;
    }
  } else {
    if (prop.binary)
      value = `data:${prop.binary.mediaType ?? 'application/octet-stream'};base64,${prop.binary.base64}`;
    if (types.length > 0) params.push({ name: 'TYPE', values: types });
    if (prop.pref !== undefined) params.push({ name: 'PREF', values: [String(prop.pref)] });
    if (prop.valueType !== undefined && !prop.binary)
      params.push({ name: 'VALUE', values: [prop.valueType] });
  }
  const line: ContentLine = { name, params: [...params, ...prop.params], value };
  if (prop.group !== undefined) line.group = prop.group;
  return line;
}

/** The same line, written as it would be: equal means the original bytes can stay. */
function sameLine(a: ContentLine, b: ContentLine): boolean {
  const norm = (l: ContentLine): string =>
    formatLine({
      ...l,
      params: l.params.map((p) => ({ name: p.name, values: p.values.map((v) => v.toLowerCase()) })),
    });
  return norm(a) === norm(b);
}

function convertCard(card: Component, target: '3.0' | '4.0'): void {
  const props = cardProps(card);
  // 3.0 knows one preferred property per name: the lowest PREF of each name becomes TYPE=pref.
  const best = new Map<string, number>();
  for (const p of props)
    if (p.pref !== undefined) best.set(p.name, Math.min(best.get(p.name) ?? 100, p.pref));
  const children = card.children.filter((n) => n.kind !== 'other' || n.raw.trim() !== '');
  card.children = [];
  const byProp = new Map(props.map((p) => [p.source, p]));
  for (const node of children) {
    if (node.kind !== 'property') {
      card.children.push(node);
      continue;
    }
    if (node.line.name === 'VERSION') {
      setLine(node, { ...node.line, value: target });
      card.children.push(node);
      continue;
    }
    const prop = byProp.get(node) as CardProp;
    const line = writeProp(prop, target, prop.pref !== undefined && prop.pref === best.get(prop.name));
    if (!line) continue;
    if (!sameLine(line, node.line)) setLine(node, line);
    card.children.push(node);
  }
}

/**
 * Every card of `text` in vCard `target` (see the file header). Cards already in that version keep their
 * bytes; when all are, the very same string is returned.
 */
export function toVersion(text: string, target: '3.0' | '4.0'): string {
  const doc = parseDocument(text);
  const cards = childComponents(doc.nodes, 'VCARD').filter((c) => cardVersion(c) !== target);
  if (cards.length === 0) return text;
  for (const card of cards) convertCard(card, target);
  return serialiseDocument(doc);
}
