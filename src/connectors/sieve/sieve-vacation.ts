/**
 * `vacation` (RFC 5230: :days :subject :addresses :mime, the reason) as the neutral VacationReply, with the
 * schedule Roundcube-style scripts and rules-to-sieve.ts put around it (`currentdate` tests, RFC 5260).
 * :from and :seconds have no place in the neutral form: such a reply is untranslatable.
 */
import type { VacationReply } from '../filters-contract.js';
import type { SieveCommand, SieveTest } from './sieve-parse.js';
import { readArgs, Untranslatable } from './sieve-tests.js';

/** The reply a vacation command sends. */
export function vacationOf(c: SieveCommand, enabled: boolean, original: string): VacationReply {
  for (const a of c.args)
    if (a.kind === 'tag' && !['days', 'subject', 'addresses', 'mime', 'handle'].includes(a.name))
      throw new Untranslatable(`vacation :${a.name} has no equivalent in the neutral form`);
  const { tags, positional } = readArgs(c.args, 'vacation', ['days', 'subject', 'addresses', 'handle']);
  const reason = positional[positional.length - 1];
  if (typeof reason !== 'object' || reason.list) throw new Untranslatable('vacation without a reason text');
  const days = tags.get('days');
  const subject = tags.get('subject');
  const addresses = tags.get('addresses');
  const out: VacationReply = { enabled, body: reason.values[0]!, html: false, audience: 'all', original };
  if (days && days !== true && days.kind === 'number') out.days = days.value;
  if (subject && subject !== true && subject.kind === 'string') out.subject = subject.value;
  if (addresses && addresses !== true && (addresses.kind === 'list' || addresses.kind === 'string'))
    out.addresses = addresses.kind === 'list' ? addresses.values : [addresses.value];
  if (tags.has('mime')) Object.assign(out, mimeBody(out.body));
  return out;
}

/** A :mime reason: one text part, its Content-Type saying plain or HTML; anything more is untranslatable. */
function mimeBody(entity: string): { body: string; html: boolean } {
  const split = /\r?\n\r?\n/.exec(entity);
  const head = split ? entity.slice(0, split.index) : entity;
  const body = split ? entity.slice(split.index + split[0].length) : '';
  const header = (name: string) =>
    new RegExp(`^${name}:\\s*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head)?.[1]?.replace(/\r?\n[ \t]+/g, ' ');
  const type = (header('Content-Type') ?? 'text/plain').toLowerCase();
  const encoding = (header('Content-Transfer-Encoding') ?? '7bit').trim().toLowerCase();
  if (!type.startsWith('text/plain') && !type.startsWith('text/html'))
    throw new Untranslatable(
      `a vacation reply of type ${type.split(';')[0]} (only one plain or HTML text part fits)`,
    );
  if (encoding !== '7bit' && encoding !== '8bit')
    throw new Untranslatable(`a vacation reply in ${encoding} transfer encoding`);
  return { body, html: type.startsWith('text/html') };
}

/**
 * The schedule of `if allof(currentdate :zone "+0000" :value "ge" "iso8601" "…", … "lt" …)` (or a single
 * such test, or `true`); "date" parts are whole UTC days ("le" a day = up to its end).
 */
export function scheduleOf(t: SieveTest): { start?: Date; end?: Date } {
  if (t.name === 'true') return {};
  const tests = t.name === 'allof' ? t.tests : [t];
  const out: { start?: Date; end?: Date } = {};
  for (const d of tests) {
    if (d.name !== 'currentdate')
      throw new Untranslatable(
        `a vacation reply that depends on '${d.name}' has no equivalent in the neutral form`,
      );
    const { tags, positional } = readArgs(d.args, 'currentdate', ['zone', 'value', 'comparator']);
    const zone = tags.get('zone');
    const rel = tags.get('value');
    const [part, value] = positional.map((p) => (typeof p === 'object' ? p.values[0] : undefined));
    const relation = rel && rel !== true && rel.kind === 'string' ? rel.value.toLowerCase() : undefined;
    const utc = !zone || (zone !== true && zone.kind === 'string' && /^[+-]0000$/.test(zone.value));
    let when: Date | undefined;
    if (part === 'date' && value && /^\d{4}-\d{2}-\d{2}$/.test(value)) when = new Date(`${value}T00:00:00Z`);
    if (part === 'iso8601' && value && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(value))
      when = new Date(`${value}Z`);
    if (!utc || !when || Number.isNaN(when.getTime()) || !relation)
      throw new Untranslatable(
        'a vacation schedule other than whole UTC dates or times has no equivalent here',
      );
    if (relation === 'ge') out.start = when;
    else if (relation === 'lt') out.end = when;
    else if (relation === 'le' && part === 'date') out.end = new Date(when.getTime() + 86_400_000);
    else throw new Untranslatable(`a vacation schedule with :value "${relation}" has no equivalent here`);
  }
  return out;
}
