/**
 * Whether an inbox rule already in the mailbox says what Cutover would write, in Graph's own form. Exchange
 * hands strings back in its own case (the create example in the reference answers "ADELE" for "adele"),
 * omits or nulls what is not set and lists a predicate's values in any order: all of that is the same rule.
 */
import type { GraphRule, GraphRuleBody } from './graph-rules-types.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A canonical form: no empty or false members, strings lower-cased, arrays sorted, recipients by address. */
function canonical(v: unknown): Json | undefined {
  if (v === null || v === undefined || v === false) return undefined;
  if (typeof v === 'string') return v.normalize('NFC').toLowerCase();
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) {
    const items = v.map(canonical).filter((x): x is Json => x !== undefined);
    if (!items.length) return undefined;
    return items
      .map((x) => JSON.stringify(x))
      .sort()
      .map((s) => JSON.parse(s) as Json);
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    // A recipient is its address; the display name Exchange fills in does not change what the rule does.
    if (o['emailAddress'] && typeof o['emailAddress'] === 'object')
      return canonical((o['emailAddress'] as { address?: string }).address);
    const out: Record<string, Json> = {};
    for (const k of Object.keys(o).sort()) {
      if (k.startsWith('@')) continue;
      const c = canonical(o[k]);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return undefined;
}

/** What a rule does (enabled, conditions, exceptions, actions) in canonical form, for comparison. */
export function ruleContent(r: GraphRule | GraphRuleBody): string {
  const redirect = r.actions?.redirectTo;
  const actions = { ...r.actions, redirectTo: Array.isArray(redirect) || !redirect ? redirect : [redirect] };
  return JSON.stringify(
    canonical({
      enabled: r.isEnabled === false ? 'off' : 'on',
      conditions: r.conditions,
      exceptions: r.exceptions,
      actions,
    }) ?? {},
  );
}
