/**
 * vCard properties read into one form whatever the version (2.1, RFC 2426 3.0, RFC 6350 4.0): types as a
 * lower-case list (2.1 bare `TEL;HOME;VOICE`, 3.0 `TYPE=home,voice` or repeated `type=`), preference as a
 * number (4.0 PREF=n, 3.0 TYPE=pref and 2.1 PREF as 1), QUOTED-PRINTABLE and CHARSET decoded, values in the
 * escaped form 3.0 and 4.0 share, inline photos/logos/sounds/keys as media type + base64, birthdays without
 * a year as `--MMDD`, and Apple's group properties under their 4.0 names (KIND, MEMBER). Connectors read
 * cards through this; vcard.ts writes them back in a version.
 */
import { paramValues, type ContentLine, type Param } from './content-lines.js';
import type { Property } from './component-tree.js';
import { decodeQuotedPrintable } from './quoted-printable.js';
import { escapeText, formatCompound, splitUnescaped } from './text-values.js';

/** A vCard version as written in VERSION. */
export type VcardVersion = '2.1' | '3.0' | '4.0';

/** One property, version-neutral. */
export interface CardProp {
  group?: string;
  /** Upper-case name; Apple's X-ADDRESSBOOKSERVER-KIND/-MEMBER read as KIND/MEMBER, X-ANNIVERSARY as ANNIVERSARY. */
  name: string;
  /** Lower-case TYPE values in order, without `pref` (and without 3.0's default `internet` on EMAIL). */
  types: string[];
  /** 1 = most preferred; absent = no preference. */
  pref?: number;
  /** The value in the escaped text form of 3.0/4.0 (for binary data, empty). */
  value: string;
  /** VALUE parameter, lower-case (uri, text, date, …), when given. */
  valueType?: string;
  /** Inline data (PHOTO, LOGO, SOUND, KEY): media type (e.g. image/jpeg) and base64 without whitespace. */
  binary?: { mediaType?: string; base64: string };
  /** Every other parameter, as written (LANGUAGE, LABEL, X-…, PID, ALTID, …). */
  params: Param[];
  /** The property this came from. */
  source: Property;
}

const BINARY_PROPS = new Set(['PHOTO', 'LOGO', 'SOUND', 'KEY']);
const COMPOUND_PROPS = new Set(['N', 'ADR', 'ORG']);
const TEXT_PROPS = new Set(['FN', 'NOTE', 'TITLE', 'ROLE', 'LABEL', 'SORT-STRING', 'MAILER']);
const ENCODINGS = new Set(['QUOTED-PRINTABLE', 'BASE64', 'B', '8BIT', '7BIT']);
const HANDLED = new Set(['TYPE', 'PREF', 'ENCODING', 'CHARSET', 'VALUE']);
const RENAMED: Record<string, string> = {
  'X-ADDRESSBOOKSERVER-KIND': 'KIND',
  'X-ADDRESSBOOKSERVER-MEMBER': 'MEMBER',
  'X-ANNIVERSARY': 'ANNIVERSARY',
};

/** `JPEG` / `image/jpeg` → `image/jpeg`. */
export function mediaTypeOf(type: string | undefined, prop: string): string | undefined {
  if (!type) return undefined;
  if (type.includes('/')) return type.toLowerCase();
  const kind = prop === 'SOUND' ? 'audio' : prop === 'KEY' ? 'application' : 'image';
  return `${kind}/${type.toLowerCase()}`;
}

/** A 2.1 value (only `\;` and `\\` escaped, newlines raw after decoding) → the 3.0/4.0 escaped form. */
function from21(name: string, value: string): string {
  const unescape = (s: string): string => s.replace(/\\([;\\])/g, '$1');
  if (COMPOUND_PROPS.has(name)) return formatCompound(splitUnescaped(value, ';').map((p) => [unescape(p)]));
  if (TEXT_PROPS.has(name)) return escapeText(unescape(value));
  return value.replace(/\r\n|\r|\n/g, '\\n');
}

/** A BDAY/ANNIVERSARY value → `--MMDD` when it has no year (4.0 form, or Apple's X-APPLE-OMIT-YEAR). */
function dateValue(line: ContentLine): string {
  const omit = paramValues(line, 'X-APPLE-OMIT-YEAR')?.[0];
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(line.value.trim());
  if (omit && m && m[1] === omit) return `--${m[2]}${m[3]}`;
  const noYear = /^--(\d{2})-?(\d{2})$/.exec(line.value.trim());
  return noYear ? `--${noYear[1]}${noYear[2]}` : line.value;
}

/** Read one property of a card of `version`. */
export function readCardProp(prop: Property, version: VcardVersion): CardProp {
  const line = prop.line;
  const name = RENAMED[line.name] ?? line.name;
  const types: string[] = [];
  let pref: number | undefined;
  let encoding: string | undefined;
  const params: Param[] = [];
  for (const p of line.params) {
    if (p.values.length === 0) {
      // vCard 2.1 bare parameter: an encoding, PREF, or a type.
      if (ENCODINGS.has(p.name)) encoding = p.name;
      else if (p.name === 'PREF') pref = 1;
      else types.push(p.name.toLowerCase());
    } else if (p.name === 'TYPE') {
      for (const v of p.values.flatMap((x) => x.split(','))) {
        if (v.toLowerCase() === 'pref') pref = 1;
        else if (v !== '') types.push(v.toLowerCase());
      }
    } else if (p.name === 'PREF') {
      const n = Number(p.values[0]);
      if (Number.isInteger(n) && n >= 1) pref = n;
    } else if (p.name === 'ENCODING') {
      encoding = p.values[0]?.toUpperCase();
    } else if (!HANDLED.has(p.name) && !(p.name === 'X-APPLE-OMIT-YEAR')) {
      params.push(p);
    }
  }
  const charset = paramValues(line, 'CHARSET')?.[0];
  const valueType = paramValues(line, 'VALUE')?.[0]?.toLowerCase();
  let value = encoding === 'QUOTED-PRINTABLE' ? decodeQuotedPrintable(line.value, charset) : line.value;
  if (version === '2.1' && encoding !== 'BASE64') value = from21(name, value);
  const out: CardProp = { name, types, value, params, source: prop };
  if (line.group !== undefined) out.group = line.group;
  if (name === 'EMAIL') out.types = types.filter((t) => t !== 'internet');
  if (pref !== undefined) out.pref = pref;
  if (valueType !== undefined) out.valueType = valueType;
  if (BINARY_PROPS.has(name)) {
    const data = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(value);
    if (encoding === 'BASE64' || encoding === 'B') {
      const mediaType = mediaTypeOf(out.types[0], name);
      out.binary = { base64: value.replace(/\s+/g, ''), ...(mediaType ? { mediaType } : {}) };
      out.types = out.types.slice(1);
      out.value = '';
    } else if (data && data[2]) {
      out.binary = {
        base64: (data[3] ?? '').replace(/\s+/g, ''),
        ...(data[1] ? { mediaType: data[1] } : {}),
      };
      out.value = '';
      delete out.valueType;
    }
  }
  if (name === 'BDAY' || name === 'ANNIVERSARY') out.value = dateValue(line);
  if (name === 'KIND') out.value = out.value.toLowerCase();
  return out;
}
