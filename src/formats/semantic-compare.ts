/**
 * Two iCalendar texts, or two vCards, compared for what they mean rather than their bytes — for `verify` and
 * for tests: lines unfolded, parameter order and the case of names and enumerated values ignored, text
 * unescaped, list properties (CATEGORIES, EXDATE, RDATE, RESOURCES) compared as sets, vCards read
 * version-neutrally (vcard-props.ts), so a 3.0 card and its 4.0 conversion compare equal. Volatile
 * properties are ignored: PRODID, DTSTAMP, LAST-MODIFIED, CREATED, REV, VERSION of a vCard, METHOD, and
 * SEQUENCE — Microsoft 365 and Google assign their own sequence numbers on import and a DAV copy keeps the
 * bytes anyway, so a differing SEQUENCE says nothing about the copy. Differences come back in words, e.g.
 * `VEVENT 8F3C…: ATTENDEE mailto:b@x: PARTSTAT ACCEPTED vs NEEDS-ACTION`.
 */
import type { ContentLine } from './content-lines.js';
import { childComponents, childProperties, parseDocument, type Component } from './component-tree.js';
import { cardProps, type CardProp } from './vcard.js';
import { splitUnescaped, unescapeText } from './text-values.js';

const VOLATILE = new Set([
  'PRODID',
  'DTSTAMP',
  'LAST-MODIFIED',
  'CREATED',
  'REV',
  'SEQUENCE',
  'METHOD',
  'VERSION',
]);
const LISTS = new Set(['CATEGORIES', 'EXDATE', 'RDATE', 'RESOURCES']);
const ENUM_PARAMS = new Set([
  'PARTSTAT',
  'ROLE',
  'CUTYPE',
  'RSVP',
  'VALUE',
  'RELATED',
  'RELTYPE',
  'FBTYPE',
  'ENCODING',
]);
const URI_VALUED = new Set(['ORGANIZER', 'ATTENDEE', 'MEMBER', 'EMAIL']);

/** A property reduced to what it means: its value and its parameters, each normalised. */
interface Meaning {
  name: string;
  /** Participants are matched by this (the lower-cased address); others by their whole form. */
  key: string;
  value: string;
  params: Map<string, string>;
}

function normalParams(line: ContentLine, skip: ReadonlySet<string> = new Set()): Map<string, string> {
  const params = new Map<string, string>();
  for (const p of [...line.params].sort((a, b) => a.name.localeCompare(b.name))) {
    if (skip.has(p.name)) continue;
    const values = p.values.map((v) => (ENUM_PARAMS.has(p.name) ? v.toUpperCase() : v));
    const joined = values.join(',');
    params.set(p.name, /^mailto:/i.test(joined) ? joined.toLowerCase() : joined);
  }
  return params;
}

function meaningsOf(line: ContentLine): Meaning[] {
  if (LISTS.has(line.name)) {
    const params = normalParams(line);
    return splitUnescaped(line.value, ',').map((v) => {
      const value = unescapeText(v).trim();
      const m: Meaning = { name: line.name, key: '', value, params };
      return { ...m, key: formOf(m) };
    });
  }
  const value = URI_VALUED.has(line.name)
    ? line.value.trim().toLowerCase()
    : RULES.has(line.name)
      ? normalRule(line.value)
      : DURATIONS.has(line.name) && /^[+-]?P/i.test(line.value.trim())
        ? normalDuration(line.value)
        : unescapeText(line.value);
  const params = normalParams(line);
  return [{ name: line.name, key: URI_VALUED.has(line.name) ? `${line.name} ${value}` : '', value, params }];
}

/** Recurrence rules: their parts are a set (servers write them in their own order). */
const RULES = new Set(['RRULE', 'EXRULE']);
/** Durations: PT0S and P0D, PT60M and PT1H are the same length (servers rewrite them). */
const DURATIONS = new Set(['TRIGGER', 'DURATION']);

function normalRule(value: string): string {
  return value.trim().toUpperCase().split(';').filter(Boolean).sort().join(';');
}

/** A duration as signed seconds (weeks, days, hours, minutes, seconds summed); the text when it does not parse. */
function normalDuration(value: string): string {
  const m = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/i.exec(value.trim());
  if (!m) return value.trim();
  const n = (i: number) => Number(m[i] ?? 0);
  const seconds = (((n(2) * 7 + n(3)) * 24 + n(4)) * 60 + n(5)) * 60 + n(6);
  return `${m[1] === '-' && seconds ? '-' : ''}${seconds}s`;
}

function formOf(m: Meaning): string {
  return `${m.name}${[...m.params].map(([k, v]) => `;${k}=${v}`).join('')}:${m.value}`;
}

/** `a` vs `b` for one property present once on each side, in words. */
function describeChange(label: string, a: Meaning, b: Meaning): string[] {
  const out: string[] = [];
  if (a.value !== b.value) out.push(`${label}: ${JSON.stringify(a.value)} vs ${JSON.stringify(b.value)}`);
  for (const name of new Set([...a.params.keys(), ...b.params.keys()])) {
    const va = a.params.get(name);
    const vb = b.params.get(name);
    if (va !== vb) out.push(`${label}: ${name} ${va ?? '(none)'} vs ${vb ?? '(none)'}`);
  }
  return out;
}

/** Differences between two lists of meanings of one component, in words prefixed with `where`. */
function compareMeanings(where: string, a: Meaning[], b: Meaning[]): string[] {
  const out: string[] = [];
  for (const name of [...new Set([...a, ...b].map((m) => m.name))].sort()) {
    const left = a.filter((m) => m.name === name);
    const right = b.filter((m) => m.name === name);
    const keyed = left.every((m) => m.key !== '') && right.every((m) => m.key !== '');
    if (keyed) {
      for (const key of new Set([...left, ...right].map((m) => m.key))) {
        const x = left.find((m) => m.key === key);
        const y = right.find((m) => m.key === key);
        if (x && y) out.push(...describeChange(`${where}${key}`, x, y));
        else out.push(`${where}${key}: only in ${x ? 'first' : 'second'}`);
      }
    } else if (left.length === 1 && right.length === 1) {
      out.push(...describeChange(`${where}${name}`, left[0] as Meaning, right[0] as Meaning));
    } else {
      const forms = (ms: Meaning[]): string[] => ms.map(formOf).sort();
      const fa = forms(left);
      const fb = forms(right);
      for (const f of fa) if (!fb.includes(f)) out.push(`${where}${f}: only in first`);
      for (const f of fb) if (!fa.includes(f)) out.push(`${where}${f}: only in second`);
    }
  }
  return out;
}

function componentMeanings(comp: Component): Meaning[] {
  return childProperties(comp)
    .filter((p) => !VOLATILE.has(p.line.name))
    .flatMap((p) => meaningsOf(p.line));
}

/** What identifies a component inside its parent: UID + RECURRENCE-ID for items, TZID for zones. */
function componentKey(comp: Component): string {
  const uid = childProperties(comp, 'UID')[0]?.line.value.trim();
  const rid = childProperties(comp, 'RECURRENCE-ID')[0]?.line;
  const tzid = childProperties(comp, 'TZID')[0]?.line.value.trim();
  if (uid !== undefined) return `${comp.name} ${uid}${rid ? ` RECURRENCE-ID ${rid.value.trim()}` : ''}`;
  if (tzid !== undefined) return `${comp.name} ${tzid}`;
  // Alarms and observances: identified by what they say.
  return `${comp.name} (${componentMeanings(comp).map(formOf).sort().join(' ')})`;
}

function compareComponents(where: string, a: Component[], b: Component[]): string[] {
  const out: string[] = [];
  const index = (cs: Component[]): Map<string, Component> => new Map(cs.map((c) => [componentKey(c), c]));
  const ia = index(a);
  const ib = index(b);
  for (const key of new Set([...ia.keys(), ...ib.keys()])) {
    const x = ia.get(key);
    const y = ib.get(key);
    if (!x || !y) {
      out.push(`${where}${key}: only in ${x ? 'first' : 'second'}`);
      continue;
    }
    const label = `${where}${key}: `;
    out.push(...compareMeanings(label, componentMeanings(x), componentMeanings(y)));
    out.push(...compareComponents(label, childComponents(x), childComponents(y)));
  }
  return out;
}

/** Differences between two iCalendar texts, in words; empty when they mean the same. */
export function compareCalendars(a: string, b: string): string[] {
  const ca = childComponents(parseDocument(a).nodes, 'VCALENDAR');
  const cb = childComponents(parseDocument(b).nodes, 'VCALENDAR');
  const out: string[] = [];
  const max = Math.max(ca.length, cb.length);
  for (let i = 0; i < max; i++) {
    const x = ca[i];
    const y = cb[i];
    if (!x || !y) {
      out.push(`VCALENDAR #${i + 1}: only in ${x ? 'first' : 'second'}`);
      continue;
    }
    out.push(...compareMeanings('VCALENDAR: ', componentMeanings(x), componentMeanings(y)));
    out.push(...compareComponents('', childComponents(x), childComponents(y)));
  }
  return out;
}

function cardMeanings(card: Component): Meaning[] {
  const props = cardProps(card).filter(
    (p) => !VOLATILE.has(p.name) && !(p.name === 'KIND' && p.value === 'individual'),
  );
  const best = new Map<string, number>();
  for (const p of props)
    if (p.pref !== undefined) best.set(p.name, Math.min(best.get(p.name) ?? 100, p.pref));
  return props.map((p: CardProp) => {
    const params = normalParams({ name: p.name, params: p.params, value: '' }, new Set(['X-ABLABEL']));
    if (p.types.length > 0) params.set('TYPE', [...p.types].sort().join(','));
    if (p.pref !== undefined && p.pref === best.get(p.name)) params.set('PREF', 'most preferred');
    if (p.binary) params.set('MEDIATYPE', p.binary.mediaType ?? '');
    let value = p.binary ? p.binary.base64 : unescapeText(p.value);
    if (p.name === 'TEL') value = value.replace(/^tel:/i, '');
    else if (p.valueType !== undefined && p.valueType !== 'text') params.set('VALUE', p.valueType);
    if (URI_VALUED.has(p.name)) value = value.trim().toLowerCase();
    const key = p.name === 'EMAIL' || p.name === 'MEMBER' ? `${p.name} ${value}` : '';
    return { name: p.name, key, value, params };
  });
}

/** Differences between two vCard texts (first card of each), whatever their versions, in words. */
export function compareVcards(a: string, b: string): string[] {
  const ca = childComponents(parseDocument(a).nodes, 'VCARD')[0];
  const cb = childComponents(parseDocument(b).nodes, 'VCARD')[0];
  if (!ca || !cb) return ca === cb ? [] : [`VCARD: only in ${ca ? 'first' : 'second'}`];
  const uid = childProperties(ca, 'UID')[0]?.line.value;
  return compareMeanings(`VCARD${uid ? ` ${uid.trim()}` : ''}: `, cardMeanings(ca), cardMeanings(cb));
}
