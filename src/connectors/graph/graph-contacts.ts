/**
 * Outlook contacts (Graph `contact`) ↔ vCard 4.0. Names, e-mail addresses, phones, addresses, birthday,
 * notes, company, department, job title, nickname, categories and web page map onto Graph's fields; the
 * limits Exchange sets (three e-mail addresses, two business and two home phones, one mobile, one address
 * per kind) and what has no field at all (fax and pager numbers, photos, anniversaries, X- properties,
 * contact groups) are said in words per item, and kept in Cutover's stash (graph-stash.ts) so a later read
 * gives them back. A card of any version is converted to 4.0 first (formats/vcard.ts).
 */
import { formatLine, unfold, type ContentLine } from '../../formats/content-lines.js';
import {
  childComponents,
  childProperties,
  parseDocument,
  type Property,
} from '../../formats/component-tree.js';
import { escapeText, formatCompound, parseCompound, unescapeText } from '../../formats/text-values.js';
import { cardProps, toVersion, type CardProp } from '../../formats/vcard.js';
import { extProp, GW_PROP, linesText, readStash, reconcile, stashText, type Stash } from './graph-stash.js';

/** Graph's physicalAddress. */
interface Address {
  street?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  countryOrRegion?: string;
}

/** A contact as Graph returns it (the fields Cutover maps). */
export interface GraphContact {
  id: string;
  changeKey?: string;
  '@odata.etag'?: string;
  displayName?: string | null;
  givenName?: string | null;
  surname?: string | null;
  middleName?: string | null;
  title?: string | null;
  generation?: string | null;
  nickName?: string | null;
  companyName?: string | null;
  department?: string | null;
  jobTitle?: string | null;
  profession?: string | null;
  emailAddresses?: Array<{ address?: string; name?: string }>;
  businessPhones?: string[];
  homePhones?: string[];
  mobilePhone?: string | null;
  homeAddress?: Address;
  businessAddress?: Address;
  otherAddress?: Address;
  birthday?: string | null;
  personalNotes?: string | null;
  categories?: string[];
  businessHomePage?: string | null;
  singleValueExtendedProperties?: Array<{ id: string; value: string }>;
}

/** Properties a contact's fields hold (the rest live only in the stash). */
const MAPPED = new Set([
  'FN',
  'N',
  'NICKNAME',
  'ORG',
  'TITLE',
  'ROLE',
  'EMAIL',
  'TEL',
  'ADR',
  'BDAY',
  'NOTE',
  'CATEGORIES',
  'URL',
  'UID',
]);
/** Properties that say nothing a person would miss in Outlook. */
const QUIET = new Set([
  'VERSION',
  'PRODID',
  'REV',
  'KIND',
  'X-ABLABEL',
  'X-ABADR',
  'X-MS-OL-DEFAULT-POSTAL-ADDRESS',
  'X-MS-OL-DESIGN',
  'LABEL',
]);

const LIMITS = { email: 3, business: 2, home: 2 };

/** The logical text of a property line (folds undone, no line break). */
export function logicalLine(p: Property): string {
  return p.raw !== undefined ? unfold(p.raw).replace(/\r?\n$/, '') : '';
}

const text = (v: string | undefined) => (v === undefined ? '' : unescapeText(v).trim());
const compound = (v: string) => parseCompound(v).map((items) => items.join(' ').trim());

function addressOf(value: string): Address {
  const [pobox = '', ext = '', street = '', city = '', state = '', postalCode = '', country = ''] =
    compound(value);
  const a: Address = {};
  const st = [pobox, ext, street].filter(Boolean).join('\n');
  if (st) a.street = st;
  if (city) a.city = city;
  if (state) a.state = state;
  if (postalCode) a.postalCode = postalCode;
  if (country) a.countryOrRegion = country;
  return a;
}

/** A vCard (any version) → Graph's contact body, its UID, the stash, and what could not be kept. */
export function vcardToContact(data: string): {
  body: Record<string, unknown>;
  uid?: string;
  notes: string[];
} {
  const v4 = toVersion(data, '4.0');
  const card = childComponents(parseDocument(v4).nodes, 'VCARD')[0];
  const notes: string[] = [];
  if (!card) return { body: {}, notes: ['the text holds no VCARD'] };
  const props = cardProps(card);
  const unkept = new Set<Property>();
  const first = (name: string) => props.find((p) => p.name === name);
  const body: Record<string, unknown> = {};
  const set = (k: string, v: string | undefined) => {
    if (v) body[k] = v;
  };
  const n = first('N');
  if (n) {
    const [family, given, additional, prefix, suffix] = compound(n.value);
    set('surname', family);
    set('givenName', given);
    set('middleName', additional);
    set('title', prefix);
    set('generation', suffix);
  }
  set('displayName', text(first('FN')?.value));
  set('nickName', text(first('NICKNAME')?.value.split(/(?<!\\),/)[0]));
  const org = first('ORG');
  if (org) {
    const [company, ...units] = compound(org.value);
    set('companyName', company);
    set('department', units.filter(Boolean).join(', '));
  }
  set('jobTitle', text(first('TITLE')?.value));
  set('profession', text(first('ROLE')?.value));
  const byPref = (a: CardProp, b: CardProp) => (a.pref ?? 100) - (b.pref ?? 100);
  const emails = props.filter((p) => p.name === 'EMAIL').sort(byPref);
  body.emailAddresses = emails.slice(0, LIMITS.email).map((e) => ({
    address: text(e.value).replace(/^mailto:/i, ''),
    ...(body.displayName ? { name: body.displayName } : {}),
  }));
  for (const e of emails.slice(LIMITS.email)) unkept.add(e.source);
  for (const e of emails.slice(LIMITS.email))
    notes.push(`EMAIL ${text(e.value)}: Microsoft 365 keeps ${LIMITS.email} e-mail addresses per contact`);
  const business: string[] = [];
  const home: string[] = [];
  for (const t of props.filter((p) => p.name === 'TEL').sort(byPref)) {
    const number = text(t.value).replace(/^tel:/i, '');
    const types = t.types;
    if (types.some((x) => ['fax', 'pager', 'textphone', 'video'].includes(x)) && unkept.add(t.source))
      notes.push(
        `TEL ${number} (${types.join(',')}): Microsoft 365 contacts have no field for this kind of number`,
      );
    else if (types.includes('cell') && body.mobilePhone === undefined) body.mobilePhone = number;
    else if (types.includes('home') && home.length < LIMITS.home) home.push(number);
    else if (!types.includes('home') && !types.includes('cell') && business.length < LIMITS.business)
      business.push(number);
    else if (unkept.add(t.source))
      notes.push(
        `TEL ${number}: no free ${types.join(',') || 'phone'} field left on the Microsoft 365 contact`,
      );
  }
  body.businessPhones = business;
  body.homePhones = home;
  for (const a of props.filter((p) => p.name === 'ADR')) {
    const key = a.types.includes('home')
      ? 'homeAddress'
      : a.types.includes('work')
        ? 'businessAddress'
        : 'otherAddress';
    if (body[key] === undefined) body[key] = addressOf(a.value);
    else if (unkept.add(a.source))
      notes.push(`ADR ${compound(a.value).filter(Boolean).join(', ')}: Microsoft 365 keeps one ${key}`);
  }
  const bday = first('BDAY')?.value.trim();
  const ymd = bday && /^(\d{4})-?(\d{2})-?(\d{2})/.exec(bday);
  const md = bday && /^--(\d{2})(\d{2})$/.exec(bday);
  if (ymd) body.birthday = `${ymd[1]}-${ymd[2]}-${ymd[3]}T00:00:00Z`;
  else if (md)
    body.birthday = `1604-${md[1]}-${md[2]}T00:00:00Z`; // Apple's and Outlook's year for "no year"
  else if (bday) notes.push(`BDAY ${bday}: not a date Microsoft 365 takes`);
  set('personalNotes', text(first('NOTE')?.value));
  const cats = props
    .filter((p) => p.name === 'CATEGORIES')
    .flatMap((p) => p.value.split(/(?<!\\),/).map(text));
  if (cats.length) body.categories = cats.filter(Boolean);
  set('businessHomePage', text(first('URL')?.value));
  if (first('KIND')?.value === 'group')
    notes.push(
      "a contact group: Graph cannot write Outlook contact lists, so it was written as a contact; its members are kept in Cutover's property, not as a list Outlook shows",
    );
  const hidden = [...new Set(props.map((p) => p.name).filter((x) => !MAPPED.has(x) && !QUIET.has(x)))];
  if (hidden.length)
    notes.push(
      `${hidden.join(', ')}: no Microsoft 365 contact field; kept in Cutover's property (Outlook does not show it)`,
    );
  const uid = first('UID')?.value.trim();
  const kept = childProperties(card).filter((p) => logicalLine(p) !== '' && p.line.name !== 'VERSION');
  const stash: Stash = { v: 1, ...(uid ? { uid } : {}), lines: kept.map(logicalLine) };
  const unkeptAt = kept.flatMap((p, i) => (unkept.has(p) ? [i] : []));
  if (unkeptAt.length) stash.unkept = unkeptAt;
  const ext = [
    ...(uid ? [{ id: GW_PROP.uid, value: uid }] : []),
    ...((t) => (t ? [{ id: GW_PROP.stash, value: t }] : []))(stashText(stash, notes)),
  ];
  if (ext.length) body.singleValueExtendedProperties = ext;
  return { body, ...(uid ? { uid } : {}), notes };
}

const line = (name: string, value: string, params: Array<[string, string]> = []): ContentLine => ({
  name,
  params: params.map(([k, v]) => ({ name: k, values: [v] })),
  value,
});

function adrValue(a: Address): string {
  return formatCompound([
    [''],
    [''],
    [a.street ?? ''],
    [a.city ?? ''],
    [a.state ?? ''],
    [a.postalCode ?? ''],
    [a.countryOrRegion ?? ''],
  ]);
}

/** Two lines of one property that say the same (see graph-stash.ts). */
function same(f: ContentLine, o: ContentLine): boolean {
  const digits = (v: string) =>
    text(v)
      .replace(/^tel:/i, '')
      .replace(/[^\d+]/g, '');
  const parts = (v: string) =>
    compound(v)
      .map((x) => x.replace(/\s+/g, ' '))
      .join(';')
      .replace(/;+$/, '');
  switch (f.name) {
    case 'EMAIL':
      return (
        text(f.value).toLowerCase() ===
        text(o.value)
          .replace(/^mailto:/i, '')
          .toLowerCase()
      );
    case 'TEL':
      return digits(f.value) === digits(o.value);
    case 'N':
    case 'ORG':
      return parts(f.value) === parts(o.value);
    case 'ADR':
      return adrValue(addressOf(f.value)) === adrValue(addressOf(o.value));
    case 'BDAY':
      return f.value.replace(/-/g, '') === o.value.trim().replace(/-/g, '');
    case 'CATEGORIES':
    case 'NICKNAME':
      return text(f.value) === text(o.value.split(/(?<!\\),/)[0]) || text(f.value) === text(o.value);
    default:
      return text(f.value) === text(o.value);
  }
}

/** A Graph contact → a vCard 4.0 (reconciled with Cutover's stash when the contact carries one). */
export function contactToVcard(c: GraphContact): { uid?: string; data: string } {
  const stash = readStash(extProp(c, GW_PROP.stash));
  const uid = extProp(c, GW_PROP.uid) ?? stash?.uid;
  const fresh: ContentLine[] = uid ? [line('UID', uid)] : [];
  const s = (v: string | null | undefined) => escapeText(v ?? '');
  if (c.displayName) fresh.push(line('FN', s(c.displayName)));
  const nParts = [c.surname, c.givenName, c.middleName, c.title, c.generation].map((x) => [x ?? '']);
  if (nParts.some(([x]) => x)) fresh.push(line('N', formatCompound(nParts)));
  if (c.nickName) fresh.push(line('NICKNAME', s(c.nickName)));
  if (c.companyName || c.department)
    fresh.push(
      line('ORG', formatCompound([[c.companyName ?? ''], ...(c.department ? [[c.department]] : [])])),
    );
  if (c.jobTitle) fresh.push(line('TITLE', s(c.jobTitle)));
  if (c.profession) fresh.push(line('ROLE', s(c.profession)));
  for (const e of c.emailAddresses ?? []) if (e.address) fresh.push(line('EMAIL', e.address));
  if (c.mobilePhone) fresh.push(line('TEL', c.mobilePhone, [['TYPE', 'cell']]));
  for (const p of c.businessPhones ?? []) fresh.push(line('TEL', p, [['TYPE', 'work']]));
  for (const p of c.homePhones ?? []) fresh.push(line('TEL', p, [['TYPE', 'home']]));
  const adr: Array<[Address | undefined, string | undefined]> = [
    [c.homeAddress, 'home'],
    [c.businessAddress, 'work'],
    [c.otherAddress, undefined],
  ];
  for (const [a, type] of adr)
    if (a && Object.values(a).some(Boolean))
      fresh.push(line('ADR', adrValue(a), type ? [['TYPE', type]] : []));
  const b = c.birthday && /^(\d{4})-(\d{2})-(\d{2})/.exec(c.birthday);
  if (b) fresh.push(line('BDAY', b[1] === '1604' ? `--${b[2]}${b[3]}` : `${b[1]}${b[2]}${b[3]}`));
  if (c.personalNotes) fresh.push(line('NOTE', s(c.personalNotes)));
  if (c.categories?.length) fresh.push(line('CATEGORIES', c.categories.map(escapeText).join(',')));
  if (c.businessHomePage) fresh.push(line('URL', c.businessHomePage));
  const lines = stash ? reconcile(fresh, stash.lines, MAPPED, same, stash.unkept) : fresh.map(formatLine);
  return { ...(uid ? { uid } : {}), data: `BEGIN:VCARD\r\nVERSION:4.0\r\n${linesText(lines)}END:VCARD\r\n` };
}
