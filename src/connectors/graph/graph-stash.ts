/**
 * What Graph cannot hold of a contact, event or task is kept beside it, so nothing is lost and a read gives
 * the item back as it was written. Each written item carries two of Cutover's named MAPI properties
 * (singleValueExtendedProperties; a task, which has none, an open extension): its iCalendar/vCard UID, by
 * which a rerun finds its own copy, and the original content lines ("the stash").
 *
 * Reading rebuilds the item from Graph's JSON, then reconciles it with the stash line by line: a line Graph
 * produced that means the same as an original line is replaced by the original (its parameters and exact
 * form come back: `EMAIL;TYPE=work`, `DTSTART;TZID=W. Europe Standard Time`), original lines of properties
 * Graph has no field for are put back, and original lines of properties Graph does hold but that no longer
 * match were changed in Outlook since: Graph's value wins.
 */
import { fold, formatLine, parseLine, type ContentLine } from '../../formats/content-lines.js';

/** Cutover's named properties (the GUID is the one graph-flags.ts uses for mail). */
const NS = '{6c1f5d2e-8a4b-4f7e-9c3d-2b1a0e9f8d7c}';
export const GW_PROP = {
  uid: `String ${NS} Name CutoverUid`,
  stash: `String ${NS} Name CutoverOriginal`,
} as const;

/** Open extension name used on To Do tasks (which have no extended properties). */
export const TASK_EXTENSION = 'org.cutover.original';

/** Largest stash written (bytes of JSON); a bigger one is left out and said. */
export const STASH_MAX = 256 * 1024;

/** One component's original lines. */
export interface Stash {
  v: 1;
  uid?: string;
  /** Unfolded content lines of the component, without BEGIN/END. */
  lines: string[];
  /** Indexes into `lines` of lines Graph's fields could not take (a fax number, a fourth address): always put back. */
  unkept?: number[];
  /** Whole sub-components Graph cannot hold (VALARMs beyond the reminder), as text. */
  subs?: string[];
  /** The alarm Graph's reminder stands for, as text. */
  alarm?: string;
  /** Calendar-level lines of the original (CALSCALE, X-WR-…), for a master. */
  cal?: string[];
  /** VTIMEZONEs the original named, as text. */
  zones?: string[];
  /** Overridden instances, by their RECURRENCE-ID value. */
  overrides?: Record<string, Stash>;
  /** For an override: the instant of its RECURRENCE-ID (ms). */
  at?: number;
  /** The zone a floating time was written in (Graph has no floating times). */
  floatingZone?: string;
}

/** A stash as JSON, or undefined (with a note) when it is too large to keep. */
export function stashText(stash: Stash, notes: string[]): string | undefined {
  const text = JSON.stringify(stash);
  if (Buffer.byteLength(text) <= STASH_MAX) return text;
  notes.push(
    `the original text (${Buffer.byteLength(text)} bytes) is over ${STASH_MAX} bytes and was not kept beside the item: only what Microsoft 365 holds is kept`,
  );
  return undefined;
}

/** A stash read back; undefined when absent or not Cutover's. */
export function readStash(text: string | undefined): Stash | undefined {
  if (!text) return undefined;
  try {
    const s = JSON.parse(text) as Stash;
    return s && s.v === 1 && Array.isArray(s.lines) ? s : undefined;
  } catch {
    return undefined;
  }
}

/** The value of one of an item's singleValueExtendedProperties. */
export function extProp(
  item: { singleValueExtendedProperties?: Array<{ id: string; value: string }> },
  id: string,
): string | undefined {
  const norm = (s: string) => s.replace(/\s+/g, ' ').trim().toLowerCase();
  return item.singleValueExtendedProperties?.find((p) => norm(p.id) === norm(id))?.value;
}

/** `$expand` for reading both of Cutover's properties. */
export const EXPAND_PROPS = `singleValueExtendedProperties($filter=id eq '${GW_PROP.uid}' or id eq '${GW_PROP.stash}')`;

/**
 * Fresh lines (from Graph) reconciled with the stash (see the file header): original order, originals kept
 * where they mean the same, unmapped originals put back, fresh lines nothing matched appended.
 */
export function reconcile(
  fresh: ContentLine[],
  stashed: string[],
  mapped: ReadonlySet<string>,
  same: (fresh: ContentLine, original: ContentLine) => boolean,
  unkept: ReadonlyArray<number> = [],
): string[] {
  const used = new Set<number>();
  const originals = stashed.map((t) => ({ text: t, line: parseLine(t) }));
  const matchOf = new Map<number, number>();
  fresh.forEach((f, fi) => {
    const oi = originals.findIndex(
      (o, i) =>
        !used.has(i) &&
        !unkept.includes(i) &&
        o.line !== undefined &&
        o.line.name === f.name &&
        same(f, o.line),
    );
    if (oi >= 0) {
      used.add(oi);
      matchOf.set(oi, fi);
    }
  });
  const out: string[] = [];
  originals.forEach((o, i) => {
    if (!o.line) return;
    if (!mapped.has(o.line.name) || used.has(i) || unkept.includes(i)) out.push(o.text);
  });
  fresh.forEach((f, fi) => {
    if (![...matchOf.values()].includes(fi)) out.push(formatLine(f));
  });
  return out;
}

/** Logical lines → folded text with CRLF. */
export function linesText(lines: string[]): string {
  return lines.map((l) => `${fold(l)}\r\n`).join('');
}
