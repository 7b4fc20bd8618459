/**
 * A Sieve script as the neutral FilterSet: each branch of an if/elsif/else chain becomes a MailRule (an
 * elsif's earlier tests become its exceptions), `vacation` becomes the VacationReply, and whatever the
 * neutral form cannot hold is Untranslated with the exact original text. Rule names come from Roundcube's
 * `# rule:[NAME]` comment, else "Rule N"; Roundcube's disabled rules (`if false # <test>`) come back with
 * enabled: false and the test from the comment.
 */
import type { FilterSet, MailRule, RuleCondition, Untranslated } from '../filters-contract.js';
import { translateBlock } from './sieve-actions.js';
import type { SieveNaming } from './sieve-folders.js';
import { SieveSyntaxError } from './sieve-lexer.js';
import { parseSieve, sliceText, type SieveCommand, type SieveScript, type SieveTest } from './sieve-parse.js';
import { negated, translateTest, Untranslatable, type Translated } from './sieve-tests.js';
import { scheduleOf, vacationOf } from './sieve-vacation.js';

/** Commands that only declare something and are no rule. */
const DECLARATIONS = new Set(['require']);
/** Commands that act on their own at the top level (a rule without conditions). */
const ACTIONS = new Set(['fileinto', 'redirect', 'discard', 'keep', 'stop', 'addflag', 'setflag']);

/** The neutral form of a script; `scriptName` names it where the whole script cannot be read. */
export function sieveToRules(content: Buffer, naming: SieveNaming, scriptName: string): FilterSet {
  let script: SieveScript;
  try {
    script = parseSieve(content);
  } catch (err) {
    if (!(err instanceof SieveSyntaxError)) throw err;
    const line = content.subarray(0, err.at).toString('latin1').split('\n').length;
    return {
      rules: [],
      untranslated: [
        {
          name: scriptName,
          reason: `the script is not valid Sieve (line ${line}: ${err.message})`,
          original: content.toString('utf8'),
        },
      ],
    };
  }
  return new Reader(script, naming).read();
}

class Reader {
  private readonly set: FilterSet = { rules: [], untranslated: [] };
  private count = 0;
  /** Where the previous top-level command ended: a rule's name comment sits after it. */
  private prevEnd = 0;

  constructor(
    private readonly script: SieveScript,
    private readonly naming: SieveNaming,
  ) {}

  read(): FilterSet {
    const cmds = this.script.commands;
    for (let i = 0; i < cmds.length; i++) {
      const c = cmds[i]!;
      if (DECLARATIONS.has(c.name)) {
        this.prevEnd = c.end;
        continue;
      }
      if (c.name === 'if') {
        const chain = [c];
        while (cmds[i + 1] && (cmds[i + 1]!.name === 'elsif' || cmds[i + 1]!.name === 'else'))
          chain.push(cmds[++i]!);
        this.ifChain(chain);
      } else if (c.name === 'vacation') {
        this.vacation(c, true, this.ruleStart(c), () => undefined);
      } else if (ACTIONS.has(c.name)) {
        // Consecutive top-level actions are one rule that applies to every message.
        const run = [c];
        while (cmds[i + 1] && ACTIONS.has(cmds[i + 1]!.name) && run[run.length - 1]!.name !== 'stop')
          run.push(cmds[++i]!);
        const start = this.ruleStart(c);
        this.rule(
          this.nameAt(c) ?? this.nextName(),
          true,
          { conditions: [], exceptions: [] },
          run,
          start,
          run[run.length - 1]!.end,
        );
      } else {
        this.untranslated(
          this.nameAt(c) ?? this.nextName(),
          `'${c.name}' has no equivalent in the neutral form`,
          this.ruleStart(c),
          c.end,
        );
      }
      this.prevEnd = cmds[i]!.end;
    }
    return this.set;
  }

  /** The `# rule:[NAME]` comment between the previous command and `c`, if any. */
  private nameComment(c: SieveCommand) {
    const found = this.script.comments.filter((k) => k.start >= this.prevEnd && k.end <= c.start && k.hash);
    for (let j = found.length - 1; j >= 0; j--) {
      const m = /^\s*rule:\s*\[(.*)\]\s*$/.exec(found[j]!.text);
      if (m) return { name: m[1]!, start: found[j]!.start };
    }
    return undefined;
  }

  private nameAt(c: SieveCommand): string | undefined {
    return this.nameComment(c)?.name;
  }

  /** Where a rule's original text starts: its name comment, else the command. */
  private ruleStart(c: SieveCommand): number {
    return this.nameComment(c)?.start ?? c.start;
  }

  private nextName(): string {
    return `Rule ${++this.count}`;
  }

  private ifChain(chain: SieveCommand[]): void {
    const base = this.nameAt(chain[0]!);
    const name = base ?? this.nextName();
    /** What earlier branches matched: a later branch runs only when none did. */
    const earlier: RuleCondition[] = [];
    let unreachable = false;
    let blocked: string | undefined;
    for (const [k, c] of chain.entries()) {
      const branchName = k === 0 ? name : `${name} (${c.name}${chain.length > 2 ? ` ${k}` : ''})`;
      const start = k === 0 ? this.ruleStart(c) : c.start;
      const test = c.tests[0];
      if (unreachable) {
        this.untranslated(
          branchName,
          'an earlier branch always matches, so this one never runs',
          start,
          c.end,
        );
        continue;
      }
      if (blocked) {
        this.untranslated(branchName, blocked, start, c.end);
        continue;
      }
      if (c.name !== 'else' && !test) {
        this.untranslated(branchName, `${c.name} without a test`, start, c.end);
        return;
      }
      const enabled = test?.name !== 'false';
      if (test && this.isVacation(c)) {
        if (k > 0)
          this.untranslated(
            branchName,
            'a vacation reply in an elsif/else branch has no equivalent',
            start,
            c.end,
          );
        else
          this.vacation(
            c.block![0]!,
            enabled,
            start,
            () => (enabled ? test : this.disabledTest(c, test)),
            branchName,
          );
      } else {
        let t: Translated;
        try {
          const disabled = enabled ? undefined : this.disabledTest(c, test);
          t =
            !test || (!enabled && !disabled)
              ? { conditions: [], exceptions: [] }
              : translateTest(disabled ?? test);
        } catch (err) {
          if (!(err instanceof Untranslatable)) throw err;
          this.untranslated(branchName, err.message, start, c.end);
          blocked = `it runs only when '${name}' did not match, whose test has no equivalent in the neutral form`;
          continue;
        }
        this.rule(
          branchName,
          enabled,
          { conditions: t.conditions, exceptions: [...earlier, ...t.exceptions] },
          c.block ?? [],
          start,
          c.end,
        );
      }
      // What this branch matched is an exception of every later one (a disabled branch matches nothing).
      if (!test || !enabled) continue;
      if (test.name === 'true') unreachable = true;
      else {
        try {
          earlier.push(...negated(test));
        } catch (err) {
          if (!(err instanceof Untranslatable)) throw err;
          blocked = `it runs only when '${branchName}' did not match, and "did not match" over several conditions has no equivalent in the neutral form`;
        }
      }
    }
  }

  /** Roundcube's disabled rule: `if false # <the real test>`; the comment right after `false`. */
  private disabledTest(c: SieveCommand, test: SieveTest): SieveTest | undefined {
    const bodyStart = c.block ? Math.min(...c.block.map((b) => b.start), c.end) : c.end;
    const comment = this.script.comments.find((k) => k.hash && k.start >= test.end && k.start < bodyStart);
    if (!comment) return undefined;
    try {
      return parseSieve(Buffer.from(`if ${comment.text} {}`, 'utf8')).commands[0]?.tests[0];
    } catch {
      throw new Untranslatable('a disabled rule whose commented-out test is not valid Sieve');
    }
  }

  private isVacation(c: SieveCommand): boolean {
    return c.block?.length === 1 && c.block[0]!.name === 'vacation';
  }

  /** A vacation command as the reply; `schedule` gives the test around it (currentdate), if any. */
  private vacation(
    c: SieveCommand,
    enabled: boolean,
    start: number,
    schedule: () => SieveTest | undefined,
    name = 'vacation reply',
  ): void {
    const original = sliceText(this.script, start, this.endOf(c, start));
    try {
      if (this.set.vacation) throw new Untranslatable('a second vacation reply (the neutral form has one)');
      const reply = vacationOf(c, enabled, original);
      const test = schedule();
      if (test) Object.assign(reply, scheduleOf(test));
      this.set.vacation = reply;
    } catch (err) {
      if (!(err instanceof Untranslatable)) throw err;
      this.set.untranslated.push({ name, reason: err.message, original });
    }
  }

  /** The end of the rule containing `c` (its enclosing top-level command). */
  private endOf(c: SieveCommand, start: number): number {
    const top = this.script.commands.find((t) => t.start <= c.start && t.end >= c.end && t.end > start);
    return top?.end ?? c.end;
  }

  private rule(
    name: string,
    enabled: boolean,
    t: Translated,
    block: SieveCommand[],
    start: number,
    end: number,
  ): void {
    const original = sliceText(this.script, start, end);
    try {
      if (block.some((b) => b.name === 'vacation'))
        throw new Untranslatable(
          'a vacation reply together with other actions has no equivalent in the neutral form',
        );
      const { actions, stop } = translateBlock(block, this.naming);
      const rule: MailRule = {
        name,
        enabled,
        conditions: t.conditions,
        exceptions: t.exceptions,
        actions,
        stop,
        original,
      };
      this.set.rules.push(rule);
    } catch (err) {
      if (!(err instanceof Untranslatable)) throw err;
      this.set.untranslated.push({ name, reason: err.message, original });
    }
  }

  private untranslated(name: string, reason: string, start: number, end: number): void {
    const u: Untranslated = { name, reason, original: sliceText(this.script, start, end) };
    this.set.untranslated.push(u);
  }
}
