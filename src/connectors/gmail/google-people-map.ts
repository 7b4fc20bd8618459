/**
 * One vCard ↔ one People API person. Any version is read (it is first written as 3.0, Google's own export
 * version, by formats/vcard.ts); fields: N ↔ names, FN ↔ unstructuredName, NICKNAME, EMAIL ↔ emailAddresses
 * (home/work/other or the vCard type as a custom type, TYPE=pref ↔ primary), TEL ↔ phoneNumbers (cell ↔
 * mobile, fax ↔ homeFax/workFax/otherFax, …), ADR ↔ addresses, BDAY ↔ birthdays (no year kept as no year),
 * ANNIVERSARY ↔ an event of type anniversary, NOTE ↔ biographies, ORG/TITLE ↔ organizations, URL ↔ urls,
 * CATEGORIES ↔ contact group memberships (Google's labels). Everything else — the photo, X- properties,
 * Apple's item groups — and the exact form of what was mapped is kept in the person's clientData
 * (google-shadow.ts). Group cards (KIND:group) are not contacts in Google: the caller refuses them.
 */
import { childComponents, parseDocument } from '../../formats/component-tree.js';
import { fold, formatLine } from '../../formats/content-lines.js';
import { escapeText, formatCompound, parseCompound, unescapeText } from '../../formats/text-values.js';
import { cardProps, toVersion, type CardProp } from '../../formats/vcard.js';
import { mergeShadow, readShadow, shadowPairs, type ShadowEntry } from './google-shadow.js';

interface DateParts {
  year?: number;
  month?: number;
  day?: number;
}

/** The parts of a People API person Cutover reads and writes. */
export interface Person {
  resourceName?: string;
  etag?: string;
  metadata?: { deleted?: boolean };
  names?: Array<{
    familyName?: string;
    givenName?: string;
    middleName?: string;
    honorificPrefix?: string;
    honorificSuffix?: string;
    unstructuredName?: string;
    displayName?: string;
  }>;
  nicknames?: Array<{ value?: string }>;
  emailAddresses?: Array<{ value?: string; type?: string; metadata?: { primary?: boolean } }>;
  phoneNumbers?: Array<{ value?: string; type?: string; metadata?: { primary?: boolean } }>;
  addresses?: Array<{
    poBox?: string;
    extendedAddress?: string;
    streetAddress?: string;
    city?: string;
    region?: string;
    postalCode?: string;
    country?: string;
    type?: string;
  }>;
  birthdays?: Array<{ date?: DateParts; text?: string }>;
  events?: Array<{ date?: DateParts; type?: string }>;
  biographies?: Array<{ value?: string; contentType?: string }>;
  organizations?: Array<{ name?: string; department?: string; title?: string }>;
  urls?: Array<{ value?: string; type?: string }>;
  memberships?: Array<{ contactGroupMembership?: { contactGroupResourceName?: string } }>;
  clientData?: Array<{ key?: string; value?: string }>;
}

/** The fields a write sets (updatePersonFields / personFields). */
export const PERSON_FIELDS =
  'names,nicknames,emailAddresses,phoneNumbers,addresses,birthdays,events,biographies,organizations,urls,memberships,clientData';

const str = (v: unknown): string => JSON.stringify(v ?? null);
const ADR_KEYS = [
  'poBox',
  'extendedAddress',
  'streetAddress',
  'city',
  'region',
  'postalCode',
  'country',
] as const;
const NAME_KEYS = ['familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix'] as const;

/** Fingerprints of the fields, computed alike when writing and reading. */
const sig = {
  name: (n: NonNullable<Person['names']>[number]) => `name=${str(NAME_KEYS.map((k) => n[k] ?? ''))}`,
  email: (e: NonNullable<Person['emailAddresses']>[number]) =>
    `email=${(e.value ?? '').toLowerCase()}|${e.type ?? ''}|${!!e.metadata?.primary}`,
  phone: (p: NonNullable<Person['phoneNumbers']>[number]) =>
    `phone=${p.value ?? ''}|${p.type ?? ''}|${!!p.metadata?.primary}`,
  address: (a: NonNullable<Person['addresses']>[number]) =>
    `address=${str(ADR_KEYS.map((k) => a[k] ?? ''))}|${a.type ?? ''}`,
  date: (what: string, d: DateParts | undefined, t?: string) =>
    `${what}=${str([d?.year ?? 0, d?.month ?? 0, d?.day ?? 0, t ?? ''])}`,
};

function phoneType(types: string[]): string {
  const has = (t: string) => types.includes(t);
  if (has('fax')) return has('home') ? 'homeFax' : has('work') ? 'workFax' : 'otherFax';
  if (has('pager')) return has('work') ? 'workPager' : 'pager';
  if (has('cell')) return has('work') ? 'workMobile' : 'mobile';
  if (has('main')) return 'main';
  if (has('work')) return 'work';
  if (has('home')) return 'home';
  return 'other';
}

const PHONE_TYPES: Record<string, string> = {
  mobile: 'CELL',
  workMobile: 'WORK,CELL',
  homeFax: 'HOME,FAX',
  workFax: 'WORK,FAX',
  otherFax: 'FAX',
  pager: 'PAGER',
  workPager: 'WORK,PAGER',
  main: 'MAIN',
  work: 'WORK',
  home: 'HOME',
};

function plainType(types: string[]): string {
  return types.find((t) => t === 'home' || t === 'work') ?? types.find((t) => t !== 'voice') ?? 'other';
}

function dateOf(value: string): { date?: DateParts; text?: string } {
  const noYear = /^--(\d{2})-?(\d{2})$/.exec(value.trim());
  if (noYear) return { date: { month: Number(noYear[1]), day: Number(noYear[2]) } };
  const full = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(value.trim());
  if (full) return { date: { year: Number(full[1]), month: Number(full[2]), day: Number(full[3]) } };
  return { text: unescapeText(value) };
}

function dateText(d: DateParts | undefined, t: string | undefined): string {
  const two = (n: number | undefined) => String(n ?? 0).padStart(2, '0');
  if (!d) return escapeText(t ?? '');
  return d.year ? `${d.year}-${two(d.month)}-${two(d.day)}` : `--${two(d.month)}${two(d.day)}`;
}

/** A card written for Google: the person, the labels it names (CATEGORIES), and whether it is a group card. */
export interface PersonWrite {
  person: Person;
  groupNames: string[];
  isGroup: boolean;
}

/** A vCard (any version) as a person. */
export function personOf(vcf: string): PersonWrite {
  const doc = parseDocument(toVersion(vcf, '3.0'));
  const card = childComponents(doc.nodes, 'VCARD')[0];
  const person: Person = {};
  const kept: ShadowEntry[] = [];
  const groupNames: string[] = [];
  let isGroup = false;
  const props = card ? cardProps(card) : [];
  const name: NonNullable<Person['names']>[number] = {};
  const best = new Map<string, number>();
  for (const p of props)
    if (p.pref !== undefined) best.set(p.name, Math.min(best.get(p.name) ?? 100, p.pref));
  const primary = (p: CardProp) => p.pref !== undefined && p.pref === best.get(p.name);
  for (const p of props) {
    const t = formatLine(p.source.line);
    const keep = (s?: string) => kept.push(s === undefined ? { text: t } : { sig: s, text: t });
    if (p.group !== undefined && p.name !== 'EMAIL' && p.name !== 'TEL' && p.name !== 'ADR') {
      keep();
      continue;
    }
    switch (p.name) {
      case 'N': {
        const parts = parseCompound(p.value).map((items) => items.join(','));
        NAME_KEYS.forEach((k, i) => {
          if (parts[i]) name[k] = parts[i];
        });
        keep(sig.name(name));
        continue;
      }
      case 'FN':
        name.unstructuredName = unescapeText(p.value);
        keep(`fn=${str(name.unstructuredName)}`);
        continue;
      case 'NICKNAME': {
        const values = parseCompound(p.value)[0] ?? [];
        person.nicknames = [...(person.nicknames ?? []), ...values.map((value) => ({ value }))];
        keep(`nicknames=${str(values)}`);
        continue;
      }
      case 'EMAIL': {
        const e = {
          value: p.value.trim(),
          type: plainType(p.types),
          ...(primary(p) ? { metadata: { primary: true } } : {}),
        };
        (person.emailAddresses ??= []).push(e);
        keep(sig.email(e));
        continue;
      }
      case 'TEL': {
        const ph = {
          value: p.value.replace(/^tel:/i, '').trim(),
          type: phoneType(p.types),
          ...(primary(p) ? { metadata: { primary: true } } : {}),
        };
        (person.phoneNumbers ??= []).push(ph);
        keep(sig.phone(ph));
        continue;
      }
      case 'ADR': {
        const parts = parseCompound(p.value).map((items) => items.join(', '));
        const a: NonNullable<Person['addresses']>[number] = { type: plainType(p.types) };
        ADR_KEYS.forEach((k, i) => {
          if (parts[i]) a[k] = parts[i];
        });
        (person.addresses ??= []).push(a);
        keep(sig.address(a));
        continue;
      }
      case 'BDAY': {
        const b = dateOf(p.value);
        (person.birthdays ??= []).push(b);
        keep(sig.date('birthday', b.date, b.text));
        continue;
      }
      case 'ANNIVERSARY': {
        const d = dateOf(p.value);
        if (!d.date) break;
        (person.events ??= []).push({ date: d.date, type: 'anniversary' });
        keep(sig.date('anniversary', d.date));
        continue;
      }
      case 'NOTE': {
        if (person.biographies) break;
        const value = unescapeText(p.value);
        person.biographies = [{ value, contentType: 'TEXT_PLAIN' }];
        keep(`bio=${str(value)}`);
        continue;
      }
      case 'ORG': {
        const [org, dept] = parseCompound(p.value).map((items) => items.join(', '));
        const o = (person.organizations ??= [{}])[0]!;
        if (org) o.name = org;
        if (dept) o.department = dept;
        keep(`org=${str([org ?? '', dept ?? ''])}`);
        continue;
      }
      case 'TITLE': {
        const o = (person.organizations ??= [{}])[0]!;
        o.title = unescapeText(p.value);
        keep(`title=${str(o.title)}`);
        continue;
      }
      case 'URL': {
        const u = { value: p.value.trim(), type: plainType(p.types) };
        (person.urls ??= []).push(u);
        keep(`url=${u.value}|${u.type}`);
        continue;
      }
      case 'CATEGORIES': {
        const names = (parseCompound(p.value)[0] ?? []).map((s) => s.trim()).filter(Boolean);
        groupNames.push(...names);
        keep(`groups=${str([...names].sort())}`);
        continue;
      }
      case 'KIND':
        isGroup = p.value === 'group';
        break;
    }
    keep();
  }
  if (Object.keys(name).length > 0) person.names = [name];
  const pairs = shadowPairs(kept);
  person.clientData = Object.entries(pairs).map(([key, value]) => ({ key, value }));
  return { person, groupNames, isGroup };
}

/** The lines a person's fields say, each with its fingerprint. */
function generated(p: Person, groupName: (resource: string) => string | undefined): ShadowEntry[] {
  const out: ShadowEntry[] = [];
  const add = (s: string | undefined, t: string) =>
    out.push(s === undefined ? { text: t } : { sig: s, text: t });
  const n = p.names?.[0];
  if (n) {
    if (NAME_KEYS.some((k) => n[k]))
      add(sig.name(n), `N:${formatCompound(NAME_KEYS.map((k) => [n[k] ?? '']))}`);
    const fn = n.unstructuredName ?? n.displayName;
    if (fn) add(`fn=${str(n.unstructuredName)}`, `FN:${escapeText(fn)}`);
  }
  if (!n?.unstructuredName && !n?.displayName)
    add(undefined, `FN:${escapeText(p.emailAddresses?.[0]?.value ?? p.organizations?.[0]?.name ?? '')}`);
  const nick = (p.nicknames ?? []).map((x) => x.value ?? '').filter(Boolean);
  if (nick.length) add(`nicknames=${str(nick)}`, `NICKNAME:${nick.map(escapeText).join(',')}`);
  const pref = (m?: { primary?: boolean }) => (m?.primary ? ',PREF' : '');
  for (const e of p.emailAddresses ?? [])
    if (e.value)
      add(
        sig.email(e),
        `EMAIL;TYPE=INTERNET,${(e.type ?? 'other').toUpperCase()}${pref(e.metadata)}:${e.value}`,
      );
  for (const ph of p.phoneNumbers ?? [])
    if (ph.value)
      add(
        sig.phone(ph),
        `TEL;TYPE=${PHONE_TYPES[ph.type ?? ''] ?? (ph.type ?? 'OTHER').toUpperCase()}${pref(ph.metadata)}:${ph.value}`,
      );
  for (const a of p.addresses ?? [])
    add(
      sig.address(a),
      `ADR;TYPE=${(a.type ?? 'other').toUpperCase()}:${formatCompound(ADR_KEYS.map((k) => [a[k] ?? '']))}`,
    );
  for (const b of p.birthdays ?? [])
    add(
      sig.date('birthday', b.date, b.text),
      `BDAY${b.date ? '' : ';VALUE=text'}:${dateText(b.date, b.text)}`,
    );
  for (const e of p.events ?? [])
    if (e.type === 'anniversary' && e.date)
      add(sig.date('anniversary', e.date), `X-ANNIVERSARY:${dateText(e.date, undefined)}`);
  const bio = p.biographies?.[0]?.value;
  if (bio) add(`bio=${str(bio)}`, `NOTE:${escapeText(bio)}`);
  const o = p.organizations?.[0];
  if (o?.name || o?.department)
    add(
      `org=${str([o.name ?? '', o.department ?? ''])}`,
      `ORG:${formatCompound([[o.name ?? ''], ...(o.department ? [[o.department]] : [])])}`,
    );
  if (o?.title) add(`title=${str(o.title)}`, `TITLE:${escapeText(o.title)}`);
  for (const u of p.urls ?? [])
    if (u.value)
      add(`url=${u.value}|${u.type ?? 'other'}`, `URL;TYPE=${(u.type ?? 'other').toUpperCase()}:${u.value}`);
  const groups = (p.memberships ?? [])
    .map((m) => m.contactGroupMembership?.contactGroupResourceName)
    .map((r) => (r ? groupName(r) : undefined))
    .filter((x): x is string => x !== undefined);
  if (groups.length)
    add(`groups=${str([...groups].sort())}`, `CATEGORIES:${groups.map(escapeText).join(',')}`);
  return out;
}

/** A person as a vCard 3.0 (labels through `groupName`; system groups give undefined and are left out). */
export function vcardOf(p: Person, groupName: (resource: string) => string | undefined): string {
  const data = Object.fromEntries((p.clientData ?? []).map((c) => [c.key ?? '', c.value ?? '']));
  const lines = mergeShadow(generated(p, groupName), readShadow(data));
  const body = lines
    .filter((l) => l !== '')
    .map((l) => `${fold(l)}\r\n`)
    .join('');
  return `BEGIN:VCARD\r\nVERSION:3.0\r\n${body}END:VCARD\r\n`;
}
