/**
 * The Sieve grammar (RFC 5228 §8.2) over the lexer's tokens: commands with arguments, tests and blocks,
 * string lists and test lists. Every node keeps its byte range, so the original text of a rule can be sliced
 * out of the script for reports.
 */
import { lexSieve, SieveSyntaxError, utf8Of, type SieveComment, type SieveToken } from './sieve-lexer.js';

/** A positional or tagged argument. Names of tags and commands are lower-cased (Sieve is case-insensitive). */
export type SieveArg = { start: number; end: number } & (
  | { kind: 'tag'; name: string }
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'list'; values: string[] }
);

/** A test: `header :contains "subject" "x"`, `not …`, `anyof (…)`. */
export interface SieveTest {
  name: string;
  args: SieveArg[];
  tests: SieveTest[];
  start: number;
  end: number;
}

/** A command: `fileinto "x";`, `if <test> { … }`. */
export interface SieveCommand extends SieveTest {
  /** The block of a control command, absent for a command ending in ';'. */
  block?: SieveCommand[];
}

/** A parsed script. */
export interface SieveScript {
  commands: SieveCommand[];
  comments: SieveComment[];
  source: Buffer;
}

/** Parse a script; throws SieveSyntaxError where it is not valid Sieve. */
export function parseSieve(source: Buffer): SieveScript {
  const { tokens, comments } = lexSieve(source);
  const p = new Parser(tokens, source.length);
  const commands = p.commands(false);
  return { commands, comments, source };
}

/** The script's original text from `start` to `end` (UTF-8). */
export function sliceText(script: SieveScript, start: number, end: number): string {
  return utf8Of(script.source.subarray(start, end).toString('latin1'));
}

class Parser {
  private i = 0;
  constructor(
    private readonly tokens: SieveToken[],
    private readonly length: number,
  ) {}

  private peek(): SieveToken | undefined {
    return this.tokens[this.i];
  }

  private fail(what: string): never {
    const t = this.peek();
    throw new SieveSyntaxError(`${what}${t ? '' : ' (the script ends there)'}`, t?.start ?? this.length);
  }

  private isPunct(value: string): boolean {
    const t = this.peek();
    return t?.kind === 'punct' && t.value === value;
  }

  private take(value: string): SieveToken {
    if (!this.isPunct(value)) this.fail(`expected '${value}'`);
    return this.tokens[this.i++]!;
  }

  /** Commands up to the end of the script, or to the `}` closing a block. */
  commands(inBlock: boolean): SieveCommand[] {
    const out: SieveCommand[] = [];
    for (;;) {
      const t = this.peek();
      if (!t) {
        if (inBlock) this.fail("expected '}'");
        return out;
      }
      if (inBlock && t.kind === 'punct' && t.value === '}') return out;
      out.push(this.command());
    }
  }

  private command(): SieveCommand {
    const t = this.peek();
    if (t?.kind !== 'identifier') this.fail('expected a command');
    this.i++;
    const { args, tests } = this.arguments();
    if (this.isPunct(';')) {
      const end = this.take(';').end;
      return { name: t.value.toLowerCase(), args, tests, start: t.start, end };
    }
    if (this.isPunct('{')) {
      this.take('{');
      const block = this.commands(true);
      const end = this.take('}').end;
      return { name: t.value.toLowerCase(), args, tests, block, start: t.start, end };
    }
    return this.fail(`expected ';' or '{' after ${t.value}`);
  }

  /** `*argument [test / test-list]`. */
  private arguments(): { args: SieveArg[]; tests: SieveTest[] } {
    const args: SieveArg[] = [];
    for (;;) {
      const t = this.peek();
      if (!t) break;
      if (t.kind === 'tag')
        args.push({ kind: 'tag', name: t.value.toLowerCase(), start: t.start, end: t.end });
      else if (t.kind === 'number') args.push({ kind: 'number', value: t.value, start: t.start, end: t.end });
      else if (t.kind === 'string') args.push({ kind: 'string', value: t.value, start: t.start, end: t.end });
      else if (t.kind === 'punct' && t.value === '[') {
        args.push(this.stringList());
        continue;
      } else break;
      this.i++;
    }
    const t = this.peek();
    if (t?.kind === 'identifier') return { args, tests: [this.test()] };
    if (t?.kind === 'punct' && t.value === '(') {
      this.take('(');
      const tests = [this.test()];
      while (this.isPunct(',')) {
        this.take(',');
        tests.push(this.test());
      }
      this.take(')');
      return { args, tests };
    }
    return { args, tests: [] };
  }

  private stringList(): SieveArg {
    const start = this.take('[').start;
    const values: string[] = [];
    for (;;) {
      const t = this.peek();
      if (t?.kind !== 'string') this.fail('expected a string in a string list');
      values.push(t.value);
      this.i++;
      if (this.isPunct(',')) this.take(',');
      else break;
    }
    return { kind: 'list', values, start, end: this.take(']').end };
  }

  private test(): SieveTest {
    const t = this.peek();
    if (t?.kind !== 'identifier') this.fail('expected a test');
    this.i++;
    const { args, tests } = this.arguments();
    const last = this.tokens[this.i - 1]!;
    return { name: t.value.toLowerCase(), args, tests, start: t.start, end: last.end };
  }
}
