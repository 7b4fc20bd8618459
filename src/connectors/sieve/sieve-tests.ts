/**
 * Sieve tests as the neutral form's conditions: header/address :is/:contains on from, to, cc, subject and
 * other headers, size :over/:under, body :contains, allof, anyof over one field (values merged), `not` as
 * exceptions, and the `header :mime :anychild` attachment test rules-to-sieve.ts writes. Anything else throws
 * Untranslatable with the reason.
 */
import type { RuleCondition, RuleField } from '../filters-contract.js';
import type { SieveArg, SieveTest } from './sieve-parse.js';

/** A piece of a script the neutral form cannot hold; the message says why. */
export class Untranslatable extends Error {}

/** What a test means: all conditions hold and none of the exceptions. */
export interface Translated {
  conditions: RuleCondition[];
  exceptions: RuleCondition[];
}

/** The tags and positional strings of a command or test; `comparator` takes the string after it. */
export function readArgs(args: SieveArg[], what: string, valued: readonly string[] = ['comparator']) {
  const tags = new Map<string, SieveArg | true>();
  const positional: Array<{ values: string[]; list: boolean } | number> = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.kind === 'tag') {
      if (valued.includes(a.name)) {
        const v = args[++i];
        if (!v) throw new Untranslatable(`${what} :${a.name} has no value`);
        tags.set(a.name, v);
      } else tags.set(a.name, true);
    } else if (a.kind === 'number') positional.push(a.value);
    else if (a.kind === 'string') positional.push({ values: [a.value], list: false });
    else positional.push({ values: a.values, list: true });
  }
  return { tags, positional };
}

const strings = (p: { values: string[] } | number | undefined, what: string): string[] => {
  if (p === undefined || typeof p === 'number') throw new Untranslatable(`${what} lacks an argument`);
  return p.values;
};

/** The match type; only case-insensitive :is/:contains (and :matches without wildcards) are expressible. */
function matchOf(tags: Map<string, SieveArg | true>, what: string, keys: string[]): 'is' | 'contains' {
  const cmp = tags.get('comparator');
  if (
    cmp !== undefined &&
    !(cmp !== true && cmp.kind === 'string' && cmp.value.toLowerCase() === 'i;ascii-casemap')
  )
    throw new Untranslatable(`${what} uses a comparator other than i;ascii-casemap (case-insensitive)`);
  for (const t of ['regex', 'value', 'count', 'list'])
    if (tags.has(t)) throw new Untranslatable(`${what} :${t} has no equivalent in the neutral form`);
  if (tags.has('matches')) {
    if (keys.some((k) => /[*?]/.test(k.replace(/\\./g, ''))))
      throw new Untranslatable(`${what} :matches with wildcards has no equivalent in the neutral form`);
    return 'is';
  }
  return tags.has('contains') ? 'contains' : 'is';
}

/** The field a header name (or the pair to, cc) stands for. */
function fieldOf(names: string[]): RuleField {
  const low = names.map((n) => n.toLowerCase()).sort();
  if (low.length === 2 && low[0] === 'cc' && low[1] === 'to') return 'to-or-cc';
  if (low.length !== 1) throw new Untranslatable(`a test over the headers ${names.join(', ')} at once`);
  const n = low[0]!;
  return n === 'from' || n === 'to' || n === 'cc' || n === 'subject' ? n : { header: names[0]! };
}

const sameField = (a: RuleField, b: RuleField) =>
  typeof a === 'string' || typeof b === 'string'
    ? a === b
    : a.header.toLowerCase() === b.header.toLowerCase();

/** One simple test as one condition. */
function simple(t: SieveTest): RuleCondition {
  const { tags, positional } = readArgs(t.args, t.name);
  if (t.name === 'header' || t.name === 'address') {
    const headers = strings(positional[0], t.name);
    const keys = strings(positional[1], t.name);
    if (t.name === 'header' && tags.has('mime')) {
      const low = headers.map((h) => h.toLowerCase());
      if (
        tags.has('anychild') &&
        tags.has('contains') &&
        low.join() === 'content-disposition' &&
        keys.join() === 'attachment'
      )
        return { kind: 'has-attachment' };
      throw new Untranslatable('header :mime over message parts has no equivalent in the neutral form');
    }
    if (tags.has('localpart') || tags.has('domain') || tags.has('user') || tags.has('detail'))
      throw new Untranslatable(`address tests on part of an address have no equivalent in the neutral form`);
    return { kind: 'text', field: fieldOf(headers), match: matchOf(tags, t.name, keys), values: keys };
  }
  if (t.name === 'size') {
    const n = positional[0];
    if (typeof n !== 'number') throw new Untranslatable('size without a number');
    if (tags.has('over')) return { kind: 'size', over: n };
    if (tags.has('under')) return { kind: 'size', under: n };
    throw new Untranslatable('size without :over or :under');
  }
  if (t.name === 'body') {
    if (tags.has('raw') || tags.has('content'))
      throw new Untranslatable('body :raw / :content have no equivalent in the neutral form');
    const keys = strings(positional[0], t.name);
    return { kind: 'text', field: 'body', match: matchOf(tags, t.name, keys), values: keys };
  }
  throw new Untranslatable(`the test '${t.name}' has no equivalent in the neutral form`);
}

/** anyof over one field as one condition (subject + body with the same values: subject-or-body). */
function anyof(tests: SieveTest[]): RuleCondition[] {
  const parts = tests.map(simple);
  const text = parts.filter((p) => p.kind === 'text');
  if (text.length !== parts.length) {
    if (parts.length === 1) return parts;
    throw new Untranslatable('anyof over sizes or attachments has no equivalent in the neutral form');
  }
  const [first] = text;
  if (!first) return [];
  if (text.every((c) => sameField(c.field, first.field) && c.match === first.match))
    return [{ ...first, values: text.flatMap((c) => c.values) }];
  const fields = text.map((c) => c.field).sort();
  if (
    text.length === 2 &&
    fields[0] === 'body' &&
    fields[1] === 'subject' &&
    text[0]!.match === text[1]!.match &&
    text[0]!.values.join('\0') === text[1]!.values.join('\0')
  )
    return [{ ...first, field: 'subject-or-body' }];
  throw new Untranslatable(
    'anyof over different fields has no equivalent in the neutral form (one condition per field, all must hold)',
  );
}

/** The conditions of a test (of an if/elsif). */
export function translateTest(t: SieveTest): Translated {
  if (t.name === 'true') return { conditions: [], exceptions: [] };
  if (t.name === 'allof') {
    const parts = t.tests.map(translateTest);
    return {
      conditions: mergeSizes(parts.flatMap((p) => p.conditions)),
      exceptions: parts.flatMap((p) => p.exceptions),
    };
  }
  if (t.name === 'anyof') return { conditions: anyof(t.tests), exceptions: [] };
  if (t.name === 'not') return { conditions: [], exceptions: negated(t.tests[0]) };
  return { conditions: [simple(t)], exceptions: [] };
}

/** The exceptions `not <test>` stands for: any one of them holding stops the rule. */
export function negated(inner: SieveTest | undefined): RuleCondition[] {
  if (!inner) throw new Untranslatable('not without a test');
  // not anyof(a, b) = neither holds: one exception over their field, else each one an exception.
  if (inner.name === 'anyof') {
    try {
      return anyof(inner.tests);
    } catch (err) {
      if (!(err instanceof Untranslatable)) throw err;
      return inner.tests.map(simple);
    }
  }
  const t = translateTest(inner);
  if (t.exceptions.length > 0 || t.conditions.length !== 1)
    throw new Untranslatable(
      'not over several conditions (or over a not) has no equivalent in the neutral form',
    );
  return t.conditions;
}

/** size :over and size :under of one rule as one condition. */
function mergeSizes(conditions: RuleCondition[]): RuleCondition[] {
  const sizes = conditions.filter((c) => c.kind === 'size');
  if (sizes.length < 2) return conditions;
  const merged: RuleCondition = { kind: 'size' };
  for (const s of sizes) {
    if (s.over !== undefined) merged.over = Math.max(merged.over ?? 0, s.over);
    if (s.under !== undefined) merged.under = Math.min(merged.under ?? Infinity, s.under);
  }
  const at = conditions.indexOf(sizes[0]!);
  const rest = conditions.filter((c) => c.kind !== 'size');
  return [...rest.slice(0, at), merged, ...rest.slice(at)];
}
