/**
 * Value parsers shared by the project file (YAML), the mailboxes CSV and server URLs, so that a size,
 * a date, a yes/no or an item list means the same thing wherever an operator writes it.
 * Each returns either the value or a message (what is wrong) and a hint (what to write instead).
 */
import type { ItemType } from './types.js';

/** A parsed value, or why it could not be parsed. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string; hint: string };

/** Every item type, in display order. */
export const ITEM_TYPES: readonly ItemType[] = ['mail', 'contacts', 'calendars', 'tasks', 'filters'];

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(message: string, hint: string): Parsed<T> => ({ ok: false, message, hint });

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** A byte size: a whole number of bytes, or a number with a 1024-based unit (500KB, 25MB, 1.5GB, 2TB). */
export function parseSize(input: string | number): Parsed<number> {
  const hint = 'Write a number of bytes or a number with a unit: 500KB, 25MB, 1.5GB (1 KB = 1024 bytes).';
  if (typeof input === 'number') {
    return Number.isInteger(input) && input > 0
      ? ok(input)
      : bad(`${input} is not a positive whole number of bytes`, hint);
  }
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i.exec(input.trim());
  const mult = m ? SIZE_UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || mult === undefined) return bad(`'${input}' is not a size`, hint);
  const bytes = Math.floor(Number(m[1]) * mult);
  return bytes > 0 ? ok(bytes) : bad(`'${input}' is not more than zero bytes`, hint);
}

/** A calendar date written YYYY-MM-DD, as midnight UTC. */
export function parseDate(input: string | Date): Parsed<Date> {
  if (input instanceof Date)
    return Number.isNaN(input.getTime()) ? bad('invalid date', 'Write YYYY-MM-DD.') : ok(input);
  const text = input.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const date = new Date(Date.UTC(y, mo - 1, d));
    if (date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d)
      return ok(date);
    return bad(
      `'${input}' is not a real date`,
      'Check the month (01-12) and the day of the month; the format is YYYY-MM-DD.',
    );
  }
  const reformatted = /^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.test(text);
  return bad(
    `'${input}' is not a date in the form YYYY-MM-DD`,
    reformatted
      ? 'Write the date as YYYY-MM-DD, e.g. 2024-01-31 (a spreadsheet may have reformatted it: format the column as text).'
      : 'Write the date as YYYY-MM-DD, e.g. 2024-01-31.',
  );
}

const TRUE_WORDS = new Set(['yes', 'y', 'true', '1', '*', '★', 'x', 'on']);
const FALSE_WORDS = new Set(['no', 'n', 'false', '0', '', 'off']);

/** A yes/no flag: yes/no, true/false, 1/0, on/off, * or ★ for yes; empty means no. */
export function parseBool(input: string | boolean): Parsed<boolean> {
  if (typeof input === 'boolean') return ok(input);
  const word = input.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return ok(true);
  if (FALSE_WORDS.has(word)) return ok(false);
  return bad(
    `'${input}' is not yes or no`,
    'Write yes or no (also accepted: true/false, 1/0, * or ★ for yes, empty for no).',
  );
}

/** A list of item types, as an array or a string separated by commas, semicolons or spaces. */
export function parseItemList(input: string | readonly unknown[]): Parsed<ItemType[]> {
  const words = typeof input === 'string' ? input.split(/[\s,;]+/) : input.map((w) => String(w));
  const items: ItemType[] = [];
  for (const raw of words) {
    const word = raw.trim().toLowerCase();
    if (word === '') continue;
    const item = ITEM_TYPES.find((t) => t === word || t === `${word}s`);
    if (!item) return bad(`'${raw}' is not an item type`, `Use one or more of: ${ITEM_TYPES.join(', ')}.`);
    if (!items.includes(item)) items.push(item);
  }
  if (items.length === 0)
    return bad('the item list is empty', `Use one or more of: ${ITEM_TYPES.join(', ')} (e.g. mail).`);
  return ok(items);
}

/** True when `name` can be an environment variable name (letters, digits, underscores; no leading digit). */
export function isEnvName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

/** The known name closest to a misspelt one (case-insensitive, at most 2 edits or a third of it), if any. */
export function suggest(word: string, known: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDist = Math.max(2, Math.floor(w.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(w, k.toLowerCase());
    if (d < bestDist) [best, bestDist] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}
