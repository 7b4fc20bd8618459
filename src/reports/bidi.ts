/**
 * Right-to-left text inside a left-to-right line, for the PDF renderer: a reduced Unicode Bidirectional
 * Algorithm (UAX #9) for a left-to-right paragraph without explicit embeddings — strong letters, numbers
 * (rules W2/W7), bracket pairs (N0), neutrals (N1/N2), marks (W1), mirroring (L4) and reordering (L2) —
 * which is what mailbox and folder names and server messages need. Explicit bidi controls (U+202A–E, U+2066–9, LRM/RLM/ALM) are dropped, so a
 * hostile name cannot reorder the rest of the line.
 *
 * Runs come out in visual order, each in logical order, ready for a shaping engine that reverses a run
 * itself when its script is right-to-left (fontkit does): Arabic must be shaped in logical order. A
 * right-to-left run with no such letters (neutrals only) is reversed here instead.
 */

const RTL_LETTER =
  /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}]/u;
const BIDI_CONTROLS = /[\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]/gu;
const MIRROR: Record<string, string> = {
  '(': ')',
  ')': '(',
  '[': ']',
  ']': '[',
  '{': '}',
  '}': '{',
  '<': '>',
  '>': '<',
  '«': '»',
  '»': '«',
  '‹': '›',
  '›': '‹',
};

type Kind = 'L' | 'R' | 'D' | 'N';

const PAIRS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/**
 * N0, for a left-to-right paragraph: a bracket pair with a left-to-right letter inside is LTR; one with
 * only right-to-left content inside takes the direction before its opening bracket; one with no strong
 * content stays neutral. Resolved brackets count as strong for the pairs after them.
 */
function resolveBrackets(chars: string[], kinds: Kind[], levels: number[]): void {
  const pairs: Array<[number, number]> = [];
  const open: number[] = [];
  chars.forEach((c, i) => {
    if (kinds[i] !== 'N') return;
    if (PAIRS[c] && open.length < 63) open.push(i);
    else {
      const at = open.findLastIndex((o) => PAIRS[chars[o]!] === c);
      if (at >= 0) {
        pairs.push([open[at]!, i]);
        open.length = at;
      }
    }
  });
  pairs.sort((a, b) => a[0] - b[0]);
  const dir = (k: number): 'L' | 'R' | null =>
    kinds[k] === 'L' || (kinds[k] === 'D' && levels[k] === 0) ? 'L' : kinds[k] === 'N' ? null : 'R';
  for (const [o, c] of pairs) {
    let inside: 'L' | 'R' | null = null;
    for (let k = o + 1; k < c && inside !== 'L'; k++) inside = dir(k) ?? inside;
    if (inside === null) continue;
    let before: 'L' | 'R' = 'L';
    for (let k = o - 1; k >= 0; k--) {
      const d = kinds[k] === 'D' ? null : dir(k); // numbers do not set the context (W7 made them L or kept R)
      if (d) {
        before = d;
        break;
      }
    }
    const d = inside === 'L' ? 'L' : before;
    kinds[o] = kinds[c] = d;
    levels[o] = levels[c] = d === 'R' ? 1 : 0;
  }
}

function kindOf(ch: string, prev: Kind): Kind {
  if (/\p{M}/u.test(ch)) return prev; // W1: a mark takes its base's type
  if (/\p{Nd}/u.test(ch)) return 'D';
  if (/\p{L}/u.test(ch)) return RTL_LETTER.test(ch) ? 'R' : 'L';
  return 'N';
}

/** The runs of one line in visual order (left to right). */
export function visualRuns(text: string): string[] {
  const chars = Array.from(text.replace(BIDI_CONTROLS, ''));
  if (!chars.some((c) => RTL_LETTER.test(c))) return chars.length ? [chars.join('')] : [];
  const kinds: Kind[] = [];
  for (const c of chars) kinds.push(kindOf(c, kinds.at(-1) ?? 'N'));
  // Levels: L 0, R 1, a number 2 after an R (W2: it stays left-to-right inside the RTL run) else 0 (W7).
  const levels = new Array<number>(chars.length).fill(0);
  let strong: Kind = 'L';
  kinds.forEach((k, i) => {
    if (k === 'L' || k === 'R') strong = k;
    levels[i] = k === 'R' ? 1 : k === 'D' && strong === 'R' ? 2 : 0;
  });
  resolveBrackets(chars, kinds, levels);
  // N1/N2: neutrals between two right-to-left sides (numbers in an RTL context count as R) go RTL.
  const side = (i: number): 'L' | 'R' => (i < 0 || i >= chars.length ? 'L' : levels[i]! > 0 ? 'R' : 'L');
  for (let i = 0; i < chars.length;) {
    if (kinds[i] !== 'N') {
      i++;
      continue;
    }
    let j = i;
    while (j < chars.length && kinds[j] === 'N') j++;
    if (side(i - 1) === 'R' && side(j) === 'R') levels.fill(1, i, j);
    i = j;
  }
  // Logical runs of one level, then L2: reverse every sequence of runs at level ≥ 2, then ≥ 1.
  const runs: Array<{ text: string; level: number }> = [];
  chars.forEach((c, i) => {
    const last = runs.at(-1);
    if (last && last.level === levels[i]) last.text += c;
    else runs.push({ text: c, level: levels[i]! });
  });
  for (const min of [2, 1]) {
    for (let i = 0; i < runs.length;) {
      if (runs[i]!.level < min) {
        i++;
        continue;
      }
      let j = i;
      while (j < runs.length && runs[j]!.level >= min) j++;
      runs.splice(i, j - i, ...runs.slice(i, j).reverse());
      i = j;
    }
  }
  return runs.flatMap(({ text: t, level }) => {
    const hasRtl = RTL_LETTER.test(t);
    if (level % 2 === 0) return hasRtl ? Array.from(t) : [t]; // Arabic-Indic digits: one run each, never reversed
    const mirrored = Array.from(t, (c) => MIRROR[c] ?? c);
    return [hasRtl ? mirrored.join('') : mirrored.reverse().join('')];
  });
}
