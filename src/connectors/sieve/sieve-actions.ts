/**
 * The commands inside a rule's block as the neutral form's actions: fileinto (+ :copy, :create), redirect
 * (+ :copy), discard, keep, stop, addflag/setflag with \Seen, \Flagged and keywords (imap4flags). Anything
 * else throws Untranslatable with the reason.
 */
import type { RuleAction } from '../filters-contract.js';
import { mailboxPath, type SieveNaming } from './sieve-folders.js';
import type { SieveCommand } from './sieve-parse.js';
import { readArgs, Untranslatable } from './sieve-tests.js';

/** A block's actions, in order, and whether it ends with `stop`. */
export function translateBlock(
  block: SieveCommand[],
  naming: SieveNaming,
): { actions: RuleAction[]; stop: boolean } {
  const actions: RuleAction[] = [];
  for (const c of block) {
    if (c.name === 'stop') return { actions, stop: true }; // nothing after stop runs
    actions.push(...translateAction(c, naming));
  }
  return { actions, stop: false };
}

function onlyTags(c: SieveCommand, allowed: string[]): void {
  for (const a of c.args)
    if (a.kind === 'tag' && !allowed.includes(a.name))
      throw new Untranslatable(`${c.name} :${a.name} has no equivalent in the neutral form`);
}

function translateAction(c: SieveCommand, naming: SieveNaming): RuleAction[] {
  if (c.block) throw new Untranslatable(`a nested '${c.name}' block has no equivalent in the neutral form`);
  const { tags, positional } = readArgs(c.args, c.name, []);
  const target = positional[positional.length - 1];
  const text = typeof target === 'object' && !target.list ? target.values[0] : undefined;
  switch (c.name) {
    case 'fileinto':
      onlyTags(c, ['copy', 'create']);
      if (text === undefined) throw new Untranslatable('fileinto without a folder');
      return [{ kind: tags.has('copy') ? 'copy' : 'move', folder: mailboxPath(text, naming) }];
    case 'redirect':
      onlyTags(c, ['copy']);
      if (text === undefined) throw new Untranslatable('redirect without an address');
      return [{ kind: 'redirect', to: [text], keepCopy: tags.has('copy') }];
    case 'discard':
      return [{ kind: 'delete' }];
    case 'keep':
      onlyTags(c, []);
      return [{ kind: 'keep' }];
    case 'addflag':
    case 'setflag':
      return flagActions(c, positional);
    default:
      throw new Untranslatable(`'${c.name}' has no equivalent in the neutral form`);
  }
}

/** addflag/setflag "\\Seen" "\\Flagged" and keywords (one string may hold several, space-separated). */
function flagActions(c: SieveCommand, positional: ReturnType<typeof readArgs>['positional']): RuleAction[] {
  onlyTags(c, []);
  if (positional.length !== 1 || typeof positional[0] !== 'object')
    throw new Untranslatable(`${c.name} on a variable has no equivalent in the neutral form`);
  const flags = positional[0].values.flatMap((v) => v.split(/\s+/)).filter(Boolean);
  const out: RuleAction[] = [];
  const keywords: string[] = [];
  for (const f of flags) {
    const low = f.toLowerCase();
    if (low === '\\seen') out.push({ kind: 'mark-read' });
    else if (low === '\\flagged') out.push({ kind: 'flag' });
    else if (f.startsWith('\\'))
      throw new Untranslatable(`${c.name} ${f} has no equivalent in the neutral form`);
    else keywords.push(f);
  }
  if (keywords.length) out.push({ kind: 'tag', names: keywords });
  return out;
}
