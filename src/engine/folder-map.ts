/**
 * The folder planner: decides, without any I/O, where each source folder goes on the destination.
 *
 * Order: include/exclude → explicit `map` → `regex` rules → special-use placement → out of folders that
 * cannot hold folders at the destination → per-segment sanitising for the destination → (planFolders only)
 * numeric suffixes for sanitising collisions.
 *
 * Folders that cannot hold folders (Gmail: INBOX, Sent, Drafts, Trash, Spam are system labels, and "no user
 * label can be created with the same name as any system label", nested under one included): a folder inside
 * INBOX goes to the top level ('INBOX/Receipts' → 'Receipts', as Cyrus and Courier folders, all listed under
 * `INBOX.`, are the user's top-level folders); a folder inside another such folder goes under the folder's
 * name with '_' appended ('Sent/2019' → 'Sent_/2019'), the suffix reserved names get. Every move says why.
 * Rules see the source path joined with '/', with a top-level INBOX always spelled "INBOX".
 */
import type { FolderRules } from '../config/types.js';
import { specialUseLookup, type SpecialUse } from '../connectors/special-use.js';

/** What the planner needs to know about the destination's folder namespace. */
export interface DestinationFolderTraits {
  /** Destination hierarchy delimiter, e.g. '.' or '/' ('' for a flat namespace). */
  delimiter: string;
  /** Destination's existing special-use folders (paths). */
  specialUse: Partial<Record<SpecialUse, string[]>>;
  /** Names the destination refuses at any level (case-insensitive). */
  reservedNames?: string[];
  /** Names the destination refuses at the top level only (case-insensitive). */
  reservedTopNames?: string[];
  /** INBOX (`inbox`) and special folders that cannot hold folders at the destination. */
  noSubfolders?: SpecialUse[];
  /** Per segment, in Unicode code points, where the destination declares a limit. */
  maxNameLength?: number;
}

/** Where one source folder goes, or why it is not migrated; renames always carry a readable reason. */
export type FolderDecision =
  | { action: 'migrate'; destPath: string[]; renamed?: { reason: string }; specialUse?: SpecialUse }
  | { action: 'exclude'; reason: string };

type Source = { path: string[]; specialUse?: SpecialUse; selectable?: boolean };
/** A destination path before sanitising; its first `fixed` segments already exist verbatim. */
type RawPlan = { path: string[]; fixed: number; notes: string[]; specialUse?: SpecialUse };
type Rules = { include: RegExp[]; exclude: RegExp[]; map: Map<string, string>; regex: [RegExp, string][] };
/** One distinct raw destination prefix: `seg` is its last raw segment, `name` what it becomes. */
interface Node {
  seg: string;
  raw: string[];
  fixed: boolean;
  name: string;
  final: string[];
  problems: string[];
  clash?: string;
  reason?: string;
}

// prettier-ignore
const LABEL: Record<SpecialUse, string> = {
  inbox: 'Inbox', sent: 'Sent', drafts: 'Drafts', trash: 'Trash', junk: 'Junk', archive: 'Archive',
  all: 'All Mail', flagged: 'Flagged',
};
/** Uses whose label is the folder name used when the destination has none ('all'/'flagged' keep theirs). */
const CANONICAL = new Set<SpecialUse>(['sent', 'drafts', 'trash', 'junk', 'archive']);
/**
 * Look-alikes for a delimiter inside a name: the folder keeps reading the same in a mail client, no
 * server treats them as a separator, and '_' would turn "v1.2" into a different-looking "v1_2".
 */
const LOOKALIKE: Record<string, string> = { '/': '\u2215', '.': '\u2024' }; // ∕ DIVISION SLASH, ․ ONE DOT LEADER
const CONTROL = /\p{Cc}/gu; // C0 and C1 control characters, shown escaped in reasons

const isInbox = (s: string | undefined): boolean => s !== undefined && /^inbox$/i.test(s); // ASCII-only fold
const withInbox = (p: string[]): string[] => (isInbox(p[0]) ? ['INBOX', ...p.slice(1)] : [...p]);
const q = (s: string): string =>
  `'${s.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
const truncate = (s: string, max: number): string => Array.from(s).slice(0, Math.max(max, 1)).join('');
const and = (xs: string[]): string =>
  xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`;

function compile(pattern: string): RegExp {
  try {
    return new RegExp(pattern);
  } catch (e) {
    throw new Error(`Folder rule /${pattern}/ is not a valid regular expression: ${(e as Error).message}`);
  }
}

function compileRules(rules: FolderRules): Rules {
  const map = new Map<string, string>();
  for (const m of rules.map) {
    const from = withInbox(m.from.split('/')).join('/');
    if (!map.has(from)) map.set(from, m.to); // first rule for a path wins
  }
  return {
    include: rules.include.map(compile),
    exclude: rules.exclude.map(compile),
    map,
    regex: rules.regex.map((r): [RegExp, string] => [compile(r.pattern), r.replacement]),
  };
}

/** Steps 1–5: rules, special-use placement and relocation, giving the unsanitised destination path. */
function planRaw(
  src: Source,
  r: Rules,
  dest: DestinationFolderTraits,
  specialOf: (p: string[]) => SpecialUse | undefined,
): RawPlan | string {
  const plan = placeRaw(src, r, dest, specialOf);
  return typeof plan === 'string' ? plan : relocate(plan, withInbox(src.path).join('/'), dest);
}

/**
 * Step 5: a path inside a folder that cannot hold folders at the destination moves out of it — to the top
 * level from INBOX, under '<name>_' from a special folder — with a note that replaces the placement notes.
 */
function relocate(plan: RawPlan, name: string, dest: DestinationFolderTraits): RawPlan {
  const no = new Set(dest.noSubfolders ?? []);
  const p = plan.path;
  if (p.length < 2 || no.size === 0) return plan;
  if (no.has('inbox') && isInbox(p[0])) {
    const path = p.slice(1);
    const why = `${q(name)} would go under INBOX, which cannot hold folders at the destination`;
    // 'INBOX/Sent/x' → 'Sent/x', itself inside a folder that cannot hold folders.
    return relocate(
      { path, fixed: 0, notes: [`${why}; placed at the top level as ${q(path.join('/'))}`] },
      name,
      dest,
    );
  }
  for (const use of no) {
    const base = use === 'inbox' ? undefined : dest.specialUse[use];
    if (!base?.length || p.length <= base.length) continue;
    if (!base.every((s, i) => s.toLowerCase() === p[i]!.toLowerCase())) continue;
    const holder = [...base.slice(0, -1), `${base.at(-1)}_`];
    const why = `${q(name)} would go under the destination's ${LABEL[use]} folder ${q(base.join('/'))}, which cannot hold folders`;
    return {
      path: [...holder, ...p.slice(base.length)],
      fixed: 0,
      notes: [`${why}; placed under ${q(holder.join('/'))}`],
    };
  }
  return plan;
}

/** Steps 1–4: rules and special-use placement. */
function placeRaw(
  src: Source,
  r: Rules,
  dest: DestinationFolderTraits,
  specialOf: (p: string[]) => SpecialUse | undefined,
): RawPlan | string {
  const path = withInbox(src.path);
  const name = path.join('/');
  if (path.length === 0) return 'the source reported a folder with an empty path';
  if (r.include.length > 0 && !r.include.some((re) => re.test(name))) {
    return `${q(name)} matches none of the include rules (${r.include.map(String).join(', ')})`;
  }
  const ex = r.exclude.find((re) => re.test(name));
  if (ex) return `${q(name)} matches the exclude rule ${String(ex)}`;
  const ruled = (to: string): RawPlan => {
    const p = withInbox(to.split('/'));
    return { path: p, fixed: isInbox(p[0]) ? 1 : 0, notes: [] };
  };
  const mapped = r.map.get(name);
  if (mapped !== undefined) return ruled(mapped);
  const rx = r.regex.find(([re]) => re.test(name));
  if (rx) return ruled(name.replace(rx[0], rx[1]));

  // Special use: the folder itself, else its nearest special ancestor (children keep their position).
  for (let k = path.length; k > 0; k--) {
    const su = specialOf(path.slice(0, k));
    if (!su) continue;
    const existing = su === 'inbox' ? ['INBOX'] : dest.specialUse[su];
    const has = existing !== undefined && existing.length > 0;
    const base = has ? withInbox(existing) : [CANONICAL.has(su) ? LABEL[su] : (path[k - 1] ?? LABEL[su])];
    const out = [...base, ...path.slice(k)];
    const notes: string[] = [];
    if (out.join('\0') !== path.join('\0')) {
      const where = has
        ? `the destination's ${LABEL[su]} folder ${q(base.join('/'))}`
        : `${q(base.join('/'))} as the destination reports no ${LABEL[su]} folder`;
      const what = `the source's ${LABEL[su]} folder`;
      notes.push(
        k === path.length
          ? `${q(name)} is ${what}; placed in ${where}`
          : `${q(name)} is inside ${what} ${q(path.slice(0, k).join('/'))}; placed under ${where}`,
      );
    }
    return {
      path: out,
      fixed: has ? base.length : 0,
      notes,
      ...(k === path.length ? { specialUse: su } : {}),
    };
  }
  return { path, fixed: isInbox(path[0]) ? 1 : 0, notes: [] };
}

/**
 * Step 5: make one segment expressible at the destination; `problems` say what was wrong with it. Only
 * certainties are fixed here — the destination's separator inside a name (it would become two levels), an
 * empty name, a name the destination declares reserved, a length it declares too long. Anything a server
 * merely might refuse (spaces at the ends, control characters, symbols) is created as it is and renamed by
 * the destination connector only if refused.
 */
function sanitise(
  seg: string,
  dest: DestinationFolderTraits,
  top: boolean,
): { name: string; problems: string[] } {
  const problems: string[] = [];
  let s = seg;
  const d = dest.delimiter;
  if (d !== '' && s.includes(d)) {
    problems.push(`contains ${q(d)}, the destination's folder separator`);
    s = s.split(d).join(LOOKALIKE[d] ?? '_');
  }
  const max = dest.maxNameLength;
  if (max !== undefined && Array.from(s).length > max) {
    problems.push(`is longer than ${max} characters`);
    s = truncate(s, max);
  }
  if (seg === '') problems.push('is empty');
  if (s === '') s = '_';
  const reserved = new Set(
    [...(dest.reservedNames ?? []), ...(top ? (dest.reservedTopNames ?? []) : [])].map((n) =>
      n.toLowerCase(),
    ),
  );
  if (reserved.has(s.toLowerCase())) {
    problems.push(
      s === seg
        ? 'is a name the destination reserves'
        : `would become ${q(s)}, a name the destination reserves`,
    );
    while (reserved.has(s.toLowerCase())) s = truncate(s, (max ?? Infinity) - 1) + '_';
  }
  return { name: s, problems };
}

/** Plan one folder on its own (no collision handling across folders; see planFolders). */
export function planFolder(
  source: Source,
  rules: FolderRules,
  dest: DestinationFolderTraits,
): FolderDecision {
  const d = planFolders([source], rules, dest).get(source.path.join('\0'));
  if (!d) throw new Error('planFolder: no decision produced'); // unreachable: planFolders decides every source
  return d;
}

/** Plan every folder of a mailbox, keyed by source path joined with '\u0000'; sanitising clashes get " (2)". */
export function planFolders(
  sources: Source[],
  rules: FolderRules,
  dest: DestinationFolderTraits,
): Map<string, FolderDecision> {
  const r = compileRules(rules);
  // The server's attributes decide; names are guessed only for uses it flags on no folder.
  const specialOf = specialUseLookup(sources);
  const plans = sources.map((s) => [s, planRaw(s, r, dest, specialOf)] as const);

  // One node per distinct raw prefix, so a renamed parent renames all its children the same way.
  // Distinct raw prefixes that sanitise to the same name collide; identical raw paths are deliberate merges.
  const nodes = new Map<string, Node>();
  const levels: Map<string, Node[]>[] = []; // depth → parent key → children
  for (const [, plan] of plans) {
    if (typeof plan === 'string') continue;
    plan.path.forEach((seg, i) => {
      const raw = plan.path.slice(0, i + 1);
      const key = JSON.stringify(raw);
      const node = nodes.get(key) ?? { seg, raw, fixed: false, name: seg, final: [], problems: [] };
      node.fixed ||= i < plan.fixed;
      if (nodes.has(key)) return;
      nodes.set(key, node);
      const level = (levels[i] ??= new Map());
      const parent = JSON.stringify(raw.slice(0, -1));
      level.set(parent, [...(level.get(parent) ?? []), node]);
    });
  }
  const max = dest.maxNameLength ?? Number.MAX_SAFE_INTEGER;
  for (const [depth, level] of levels.entries()) {
    for (const [parentKey, children] of level) {
      const parent = nodes.get(parentKey)?.final ?? [];
      const clashes = new Map<string, Node[]>();
      for (const n of children) {
        const { name, problems } = n.fixed
          ? { name: n.seg, problems: [] }
          : sanitise(n.seg, dest, depth === 0);
        n.name = name;
        n.problems = problems;
        clashes.set(name, [...(clashes.get(name) ?? []), n]);
      }
      const taken = new Set(clashes.keys());
      for (const [name, group] of clashes) {
        // The folder already called that keeps the name, else the first in code-unit order (stable across runs).
        group.sort((a, b) => Number(b.seg === name) - Number(a.seg === name) || (a.seg < b.seg ? -1 : 1));
        const keeper = group[0]!;
        for (const n of group.slice(1)) {
          let k = 2;
          const sfx = (): string => `${truncate(name, max - ` (${k})`.length)} (${k})`;
          while (taken.has(sfx())) k++;
          n.name = sfx();
          taken.add(n.name);
          n.clash = `${q([...parent, name].join('/'))} is already taken by the folder ${q(keeper.raw.join('/'))}`;
        }
      }
      for (const n of children) {
        const why = n.clash ? ` because ${n.clash}` : '';
        if (n.problems.length > 0) n.reason = `${q(n.seg)} ${and(n.problems)}; renamed to ${q(n.name)}${why}`;
      }
      for (const n of children) n.final = [...parent, n.name];
    }
  }

  const out = new Map<string, FolderDecision>();
  for (const [src, plan] of plans) {
    const key = src.path.join('\0');
    if (typeof plan === 'string') {
      out.set(key, { action: 'exclude', reason: plan });
      continue;
    }
    const path = plan.path.map((_, i) => nodes.get(JSON.stringify(plan.path.slice(0, i + 1))));
    const reasons = [...plan.notes, ...path.flatMap((n) => (n?.reason ? [n.reason] : []))];
    out.set(key, {
      action: 'migrate',
      destPath: path.at(-1)?.final ?? [],
      ...(reasons.length > 0 ? { renamed: { reason: reasons.join('. ') } } : {}),
      ...(plan.specialUse ? { specialUse: plan.specialUse } : {}),
    });
  }
  return out;
}
