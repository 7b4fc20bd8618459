/**
 * What Google has no field for, kept beside the item where Google keeps hidden key/value pairs (an event's
 * private extended properties, a contact's clientData), so a round trip through Google gives the item back:
 *
 * - a line Google has no field for (X- properties, CATEGORIES on events, ATTACH, a VTIMEZONE, an alarm that
 *   is not "minutes before the start") is kept as it was and written back as it was;
 * - a line Google does have a field for is kept with the field's fingerprint as Cutover wrote it. Reading,
 *   the field's current fingerprint decides: unchanged → the original line (its parameters, its exact form:
 *   a floating time, a Windows zone name, TYPE=cell,voice), changed in Google → a line made from the field.
 *
 * So what Google's users edit wins, and nothing Google cannot show is lost while the item stays unedited.
 * The entries are JSON, cut into values of at most `CHUNK` characters under `cutover.0`, `cutover.1`, …
 * (Calendar: 1,024 characters per value, 32 kB per event).
 */

/** One kept line (a logical content line) or a whole sub-component (folded text with CRLF). */
export interface ShadowEntry {
  /** The fingerprint of the Google field it was written to; absent for a line Google has no field for. */
  sig?: string;
  text: string;
}

const PREFIX = 'cutover.';
const CHUNK = 1000;
/** Calendar's documented ceiling for all extended properties of an event, with room for others. */
export const SHADOW_BUDGET = 30_000;

/** Entries as key/value pairs; entries with a fingerprint are left out first when over `budget`. */
export function shadowPairs(entries: ShadowEntry[], budget = SHADOW_BUDGET): Record<string, string> {
  let kept = entries;
  let json = encode(kept);
  // Over the budget: lines Google shows anyway go first, the largest first; then the largest others.
  while (json.length > budget && kept.length > 0) {
    const mapped = kept.filter((e) => e.sig !== undefined);
    const pool = mapped.length > 0 ? mapped : kept;
    const largest = pool.reduce((a, b) => (b.text.length > a.text.length ? b : a));
    kept = kept.filter((e) => e !== largest);
    json = encode(kept);
  }
  const out: Record<string, string> = {};
  if (kept.length === 0) return out;
  for (let i = 0, n = 0; i < json.length; i += CHUNK, n++) out[`${PREFIX}${n}`] = json.slice(i, i + CHUNK);
  return out;
}

function encode(entries: ShadowEntry[]): string {
  return JSON.stringify(entries.map((e) => (e.sig === undefined ? [e.text] : [e.text, e.sig])));
}

/** The entries kept in `pairs` (empty when none, or when they cannot be read). */
export function readShadow(pairs: Record<string, string> | undefined): ShadowEntry[] {
  if (!pairs) return [];
  let json = '';
  for (let n = 0; pairs[`${PREFIX}${n}`] !== undefined; n++) json += pairs[`${PREFIX}${n}`];
  if (!json) return [];
  try {
    const raw = JSON.parse(json) as unknown;
    if (!Array.isArray(raw)) return [];
    return raw
      .filter((e): e is string[] => Array.isArray(e) && typeof e[0] === 'string')
      .map((e) => (typeof e[1] === 'string' ? { text: e[0]!, sig: e[1] } : { text: e[0]! }));
  } catch {
    return [];
  }
}

/** True for a key this module writes (so other hidden pairs are left alone). */
export function isShadowKey(key: string): boolean {
  return key.startsWith(PREFIX);
}

/**
 * The text for each generated line: the kept original where its fingerprint still matches (each kept line
 * used once), else the generated line; then every kept line Google has no field for.
 */
export function mergeShadow(generated: ShadowEntry[], kept: ShadowEntry[]): string[] {
  const pool = kept.filter((e) => e.sig !== undefined);
  const out: string[] = [];
  for (const g of generated) {
    const at = g.sig === undefined ? -1 : pool.findIndex((e) => e.sig === g.sig);
    if (at >= 0) {
      out.push(pool[at]!.text);
      pool.splice(at, 1);
    } else out.push(g.text);
  }
  for (const e of kept) if (e.sig === undefined) out.push(e.text);
  return out;
}
