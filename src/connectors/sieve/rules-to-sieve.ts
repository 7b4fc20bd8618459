/**
 * The neutral FilterSet written as one Sieve script: Roundcube-style `# rule:[NAME]` before each rule, the
 * `require` line computed from what is used, disabled rules as `if false # <test>` (as Roundcube keeps
 * them), the vacation reply last. A rule that needs an extension the server lacks, or that Sieve cannot
 * express, is left out and reported as untranslated; sieve-to-rules.ts reads the result back to the same rules.
 */
import type {
  FilterSet,
  FilterWriteResult,
  MailRule,
  RuleAction,
  RuleCondition,
  VacationReply,
} from '../filters-contract.js';
import { mailboxName, type SieveNaming } from './sieve-folders.js';
import { quoteSieve } from './sieve-lexer.js';

/** A piece of script and the extensions it needs. */
interface Piece {
  text: string;
  requires: Set<string>;
}

/** A rule or reply Sieve cannot express; the message says why. */
class CannotWrite extends Error {}

const NL = '\r\n';
/** The order extensions are listed in `require`. */
const ORDER = ['fileinto', 'copy', 'imap4flags', 'body', 'mime', 'vacation', 'date', 'relational'];

/** A string or a string list. */
const strings = (values: string[]) =>
  values.length === 1 ? quoteSieve(values[0]!) : `[${values.map(quoteSieve).join(', ')}]`;

/** The script for `set`, and a result per rule and for the vacation reply (signatures are not Sieve's). */
export function rulesToSieve(
  set: FilterSet,
  naming: SieveNaming,
  /** The server's Sieve extensions; absent = assume it has every one used. */
  extensions?: readonly string[],
): { content: Buffer; results: FilterWriteResult[] } {
  const pieces: string[] = [];
  const requires = new Set<string>();
  const results: FilterWriteResult[] = [];
  const add = (name: string, make: () => Piece) => {
    try {
      const p = make();
      const missing = [...p.requires].filter((x) => extensions && !extensions.includes(x));
      if (missing.length)
        throw new CannotWrite(
          `the destination's Sieve lacks the extension${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
        );
      pieces.push(p.text);
      for (const r of p.requires) requires.add(r);
      results.push({ name, outcome: 'written', written: p.text });
    } catch (err) {
      if (!(err instanceof CannotWrite)) throw err;
      results.push({ name, outcome: 'untranslated', detail: err.message });
    }
  };
  for (const rule of set.rules) add(rule.name, () => ruleText(rule, naming));
  if (set.vacation) add('vacation reply', () => vacationText(set.vacation!));
  if (pieces.length === 0) return { content: Buffer.alloc(0), results };
  const req = ORDER.filter((x) => requires.has(x));
  const head = req.length ? `require ${strings(req)};${NL}` : '';
  return { content: Buffer.from(head + pieces.join(''), 'utf8'), results };
}

/** `# rule:[NAME]` (a name cannot break the comment's line or bracket). */
const nameLine = (name: string) => `# rule:[${name.replace(/[\r\n]+/g, ' ')}]${NL}`;

function ruleText(rule: MailRule, naming: SieveNaming): Piece {
  const requires = new Set<string>();
  const tests = [
    ...rule.conditions.flatMap((c) => conditionTests(c, requires)),
    ...rule.exceptions.map((c) => {
      const t = conditionTests(c, requires);
      return `not ${t.length === 1 ? t[0]! : `allof (${t.join(', ')})`}`;
    }),
  ];
  const test = tests.length === 0 ? 'true' : tests.length === 1 ? tests[0]! : `allof (${tests.join(', ')})`;
  if (!rule.enabled && /[\r\n]/.test(test))
    throw new CannotWrite(
      'a disabled rule with a line break in a value cannot be kept as a commented-out test',
    );
  const head = rule.enabled ? `if ${test}` : `if false # ${test}`;
  const body = actionLines(rule.actions, naming, requires);
  if (rule.stop) body.push('stop;');
  return {
    text: `${nameLine(rule.name)}${head}${NL}{${NL}${body.map((l) => `\t${l}${NL}`).join('')}}${NL}`,
    requires,
  };
}

/** The tests one condition stands for (a size with both bounds is two). */
function conditionTests(c: RuleCondition, requires: Set<string>): string[] {
  if (c.kind === 'size') {
    const out: string[] = [];
    if (c.over !== undefined) out.push(`size :over ${c.over}`);
    if (c.under !== undefined) out.push(`size :under ${c.under}`);
    if (!out.length) throw new CannotWrite('a size condition without a bound');
    return out;
  }
  if (c.kind === 'has-attachment') {
    requires.add('mime');
    return ['header :mime :anychild :contains "Content-Disposition" "attachment"'];
  }
  if (c.values.length === 0) throw new CannotWrite('a text condition without values');
  const match = `:${c.match}`;
  const keys = strings(c.values);
  const f = c.field;
  if (f === 'body') {
    requires.add('body');
    return [`body :text ${match} ${keys}`];
  }
  if (f === 'subject-or-body') {
    requires.add('body');
    return [`anyof (header ${match} "subject" ${keys}, body :text ${match} ${keys})`];
  }
  const headers = f === 'to-or-cc' ? strings(['to', 'cc']) : quoteSieve(typeof f === 'string' ? f : f.header);
  return [`header ${match} ${headers} ${keys}`];
}

/** The commands of a rule's actions: flags first (imap4flags applies them to what is filed after). */
function actionLines(actions: RuleAction[], naming: SieveNaming, requires: Set<string>): string[] {
  const flags: string[] = [];
  const rest: string[] = [];
  for (const a of actions) {
    switch (a.kind) {
      case 'mark-read':
      case 'flag':
      case 'tag':
        requires.add('imap4flags');
        flags.push(
          `addflag ${a.kind === 'tag' ? strings(a.names) : quoteSieve(a.kind === 'flag' ? '\\Flagged' : '\\Seen')};`,
        );
        break;
      case 'move':
      case 'copy':
        requires.add('fileinto');
        if (a.kind === 'copy') requires.add('copy');
        rest.push(
          `fileinto ${a.kind === 'copy' ? ':copy ' : ''}${quoteSieve(mailboxName(a.folder, naming))};`,
        );
        break;
      case 'redirect':
        if (a.keepCopy) requires.add('copy');
        for (const to of a.to) rest.push(`redirect ${a.keepCopy ? ':copy ' : ''}${quoteSieve(to)};`);
        break;
      case 'delete':
        rest.push('discard;');
        break;
      case 'keep':
        rest.push('keep;');
        break;
    }
  }
  return [...flags, ...rest];
}

function vacationText(v: VacationReply): Piece {
  if (v.audience !== 'all' || v.externalBody !== undefined)
    throw new CannotWrite(
      'Sieve vacation answers every sender alike: a reply only for contacts or the organisation, or a separate external text, cannot be written',
    );
  const requires = new Set(['vacation']);
  const args: string[] = [];
  if (v.days !== undefined) args.push(`:days ${v.days}`);
  if (v.subject !== undefined) args.push(`:subject ${quoteSieve(v.subject)}`);
  if (v.addresses?.length) args.push(`:addresses ${strings(v.addresses)}`);
  if (v.html) args.push(':mime', quoteSieve(`Content-Type: text/html; charset=utf-8${NL}${NL}${v.body}`));
  else args.push(quoteSieve(v.body));
  const command = `vacation ${args.join(' ')};`;
  const dates: string[] = [];
  const iso = (d: Date) => d.toISOString().slice(0, 19);
  if (v.start) dates.push(`currentdate :zone "+0000" :value "ge" "iso8601" "${iso(v.start)}"`);
  if (v.end) dates.push(`currentdate :zone "+0000" :value "lt" "iso8601" "${iso(v.end)}"`);
  if (dates.length) ['date', 'relational'].forEach((x) => requires.add(x));
  if (v.enabled && !dates.length) return { text: `${nameLine('vacation reply')}${command}${NL}`, requires };
  const test = dates.length === 0 ? 'true' : dates.length === 1 ? dates[0]! : `allof (${dates.join(', ')})`;
  const head = v.enabled ? `if ${test}` : `if false # ${test}`;
  return { text: `${nameLine('vacation reply')}${head}${NL}{${NL}\t${command}${NL}}${NL}`, requires };
}
