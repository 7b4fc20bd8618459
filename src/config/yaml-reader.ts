/**
 * The project file's YAML reader: typed values out of YAML nodes, each bad one recorded as a problem with its
 * FILE:LINE, message and hint. Each section of the project file has its own read-*.ts on top of it.
 */
import { isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import { isEnvName, parseBool, parseDate, parseItemList, parseSize, suggest, type Parsed } from './values.js';
import type { ConfigProblem, SecretRef } from './types.js';

/** A value node and the node to point at when it is wrong (the key when the value is empty). */
export interface Field {
  value: unknown;
  at: unknown;
  path: string;
}
export type Fields = Map<string, Field>;

/** Reads typed values out of YAML nodes, recording a problem (FILE:LINE, message, hint) for each bad one. */
export class Reader {
  readonly problems: ConfigProblem[] = [];
  constructor(
    readonly file: string,
    private readonly lines: LineCounter,
  ) {}

  where(node: unknown): string {
    const range = (node as Node | null | undefined)?.range;
    return `${this.file}:${range ? this.lines.linePos(range[0]).line : 1}`;
  }

  add(at: unknown, message: string, hint: string): undefined {
    this.problems.push({ where: this.where(at), message, hint });
    return undefined;
  }

  /** The entries of a mapping; unknown keys are reported with the allowed ones (and the likely intended one). */
  map(f: Field, allowed: readonly string[]): Fields | undefined {
    if (!isMap(f.value))
      return this.add(
        f.at,
        `${f.path} must be a mapping (key: value lines)`,
        `Allowed keys: ${allowed.join(', ')}.`,
      );
    const out: Fields = new Map();
    for (const pair of f.value.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const path = f.path ? `${f.path}.${key}` : key;
      if (!allowed.includes(key)) {
        const guess = suggest(key, allowed);
        this.add(
          pair.key,
          `unknown key '${key}'${f.path ? ` in ${f.path}` : ''}`,
          `${guess ? `Did you mean '${guess}'? ` : ''}Allowed keys: ${allowed.join(', ')}.`,
        );
        continue;
      }
      const value = pair.value;
      const hasRange =
        (value as Node | null)?.range !== undefined && !(isScalar(value) && value.value === null);
      out.set(key, { value, at: hasRange ? value : pair.key, path });
    }
    return out;
  }

  /** The items of a list (a single scalar counts as a one-item list when `single`). */
  list(f: Field, single = false): Field[] {
    if (isSeq(f.value))
      return f.value.items.map((item, i) => ({ value: item, at: item, path: `${f.path}[${i}]` }));
    if (single && isScalar(f.value) && f.value.value !== null) return [f];
    this.add(f.at, `${f.path} must be a list`, `Write ${f.path}: [ ... ] or one "- item" line per item.`);
    return [];
  }

  scalar(f: Field, expect: string): unknown {
    if (isScalar(f.value) && f.value.value !== null) return f.value.value;
    const what = isMap(f.value) ? 'a mapping' : isSeq(f.value) ? 'a list' : 'empty';
    return this.add(f.at, `${f.path} must be ${expect}, but it is ${what}`, `Write ${f.path}: <${expect}>.`);
  }

  str(f: Field | undefined): string | undefined {
    if (!f) return undefined;
    const v = this.scalar(f, 'text');
    if (typeof v === 'number') return String(v);
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    if (v !== undefined)
      this.add(
        f.at,
        `${f.path} must be text, not ${JSON.stringify(v)}`,
        `Write ${f.path}: "..." (quotes keep YAML from guessing the type).`,
      );
    return undefined;
  }

  int(f: Field | undefined, min: number, max: number, hint: string): number | undefined {
    if (!f) return undefined;
    const v = this.scalar(f, 'a number');
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max) return n;
    if (v !== undefined)
      this.add(
        f.at,
        `${f.path} must be a whole number from ${min} to ${max}, not ${JSON.stringify(v)}`,
        hint,
      );
    return undefined;
  }

  /** A value run through one of the shared parsers (size, date, yes/no, items). */
  parsed<T, I>(
    f: Field | undefined,
    parse: (input: I) => Parsed<T>,
    accepts: (v: unknown) => v is I,
  ): T | undefined {
    if (!f) return undefined;
    const v = isSeq(f.value) ? f.value.toJSON() : this.scalar(f, 'a value');
    if (v === undefined) return undefined;
    const r = accepts(v)
      ? parse(v)
      : { ok: false as const, message: `${JSON.stringify(v)} is not valid here`, hint: '' };
    if (r.ok) return r.value;
    return this.add(f.at, `${f.path}: ${r.message}`, r.hint || `Check the value of ${f.path}.`);
  }

  size = (f?: Field) =>
    this.parsed(f, parseSize, (v): v is string | number => typeof v === 'string' || typeof v === 'number');
  date = (f?: Field) =>
    this.parsed(f, parseDate, (v): v is string | Date => typeof v === 'string' || v instanceof Date);
  bool = (f?: Field) =>
    this.parsed(f, parseBool, (v): v is string | boolean => typeof v === 'string' || typeof v === 'boolean');
  items = (f?: Field) =>
    this.parsed(f, parseItemList, (v): v is string | unknown[] => typeof v === 'string' || Array.isArray(v));

  /** A password: a string, { env: NAME } or { file: PATH }. */
  secret(f: Field | undefined): SecretRef | undefined {
    if (!f) return undefined;
    const hint = `Write ${f.path}: "the password", ${f.path}: { env: VARIABLE } or ${f.path}: { file: path/to/file }.`;
    if (isMap(f.value)) {
      const m = this.map(f, ['env', 'file']);
      if (!m) return undefined;
      const env = this.str(m.get('env'));
      const file = this.str(m.get('file'));
      if (env !== undefined && file !== undefined)
        return this.add(f.at, `${f.path} has both env and file`, hint);
      if (env !== undefined && !isEnvName(env))
        return this.add(
          m.get('env')?.at,
          `${f.path}.env: '${env}' is not an environment variable name`,
          'Use letters, digits and _ only, e.g. SRC_ADMIN_PASSWORD.',
        );
      if (env !== undefined) return { env };
      if (file !== undefined) return { file };
      return m.size === 0 ? this.add(f.at, `${f.path} is empty`, hint) : undefined;
    }
    const v = this.scalar(f, 'a password');
    if (typeof v === 'string' && v !== '') return { value: v };
    if (typeof v === 'number' || typeof v === 'boolean')
      return this.add(
        f.at,
        `${f.path} is read as a ${typeof v}, not as text`,
        `Put the password in quotes, e.g. password: "0123" (YAML would otherwise drop leading zeros and the like).`,
      );
    return v === undefined ? undefined : this.add(f.at, `${f.path} is empty`, hint);
  }

  regex(f: Field): string | undefined {
    const pattern = this.str(f);
    if (pattern === undefined) return undefined;
    try {
      new RegExp(pattern);
      return pattern;
    } catch (err) {
      return this.add(
        f.at,
        `${f.path}: the regular expression '${pattern}' does not compile: ${(err as Error).message}`,
        'Fix the pattern (JavaScript syntax); to match . ( ) [ ] * + ? literally, escape them with \\.',
      );
    }
  }
}
