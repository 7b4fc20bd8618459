/** The mailbox options (defaults:, folders:) and the inline mailboxes: list of the project file. */
import { isMap, isScalar } from 'yaml';
import type { FolderRules, MailboxOptions, MailboxSpec } from './types.js';
import type { Field, Fields, Reader } from './yaml-reader.js';

/** Mailbox option keys, shared by defaults: and each inline mailbox. */
export const OPTION_KEYS = ['items', 'since', 'before', 'maxMessageSize'];
const MAILBOX_KEYS = ['source', 'destination', 'star', 'password', 'destinationPassword', ...OPTION_KEYS];

/** The folders: rules under defaults:. */
export function readFolders(r: Reader, f: Field | undefined): FolderRules {
  const rules: FolderRules = { map: [], regex: [], include: [], exclude: [] };
  const m = f && r.map(f, ['map', 'regex', 'include', 'exclude']);
  if (!m) return rules;
  const map = m.get('map');
  if (map && isMap(map.value)) {
    for (const pair of map.value.items) {
      const from = isScalar(pair.key) ? String(pair.key.value) : '';
      const to = r.str({ value: pair.value, at: pair.value ?? pair.key, path: `${map.path}["${from}"]` });
      if (to !== undefined) rules.map.push({ from, to });
    }
  } else if (map) {
    for (const item of r.list(map)) {
      const im = r.map(item, ['from', 'to']);
      const [from, to] = [r.str(im?.get('from')), r.str(im?.get('to'))];
      if (from !== undefined && to !== undefined) rules.map.push({ from, to });
      else if (im) r.add(item.at, `${item.path} needs from and to`, 'Write map: { "Old/Path": "New/Path" }.');
    }
  }
  const regex = m.get('regex');
  for (const item of regex ? r.list(regex) : []) {
    const im = r.map(item, ['pattern', 'replacement']);
    const pattern = im?.get('pattern');
    const replacement = im?.get('replacement');
    if (im && (!pattern || !replacement))
      r.add(
        item.at,
        `${item.path} needs pattern and replacement`,
        'Write - { pattern: "^Projects/(.*)$", replacement: "Work/$1" }.',
      );
    const p = pattern && r.regex(pattern);
    const rep =
      replacement &&
      (isScalar(replacement.value) && replacement.value.value === '' ? '' : r.str(replacement));
    if (p !== undefined && rep !== undefined) rules.regex.push({ pattern: p, replacement: rep });
  }
  for (const key of ['include', 'exclude'] as const) {
    const list = m.get(key);
    for (const item of list ? r.list(list, true) : []) {
      const p = r.regex(item);
      if (p !== undefined) rules[key].push(p);
    }
  }
  return rules;
}

export /** Mailbox options (items, since, before, maxMessageSize) over a base; reports since >= before. */
function readOptions(r: Reader, m: Fields, base: MailboxOptions, at: unknown, path: string): MailboxOptions {
  const options = structuredClone(base);
  const items = r.items(m.get('items'));
  const since = r.date(m.get('since'));
  const before = r.date(m.get('before'));
  const maxBytes = r.size(m.get('maxMessageSize'));
  if (items) options.itemTypes = items;
  if (since) options.since = since;
  if (before) options.before = before;
  if (maxBytes !== undefined) options.maxMessageBytes = maxBytes;
  if (options.since && options.before && options.since >= options.before) {
    r.add(
      m.get('since')?.at ?? m.get('before')?.at ?? at,
      `${path}: since (${options.since.toISOString().slice(0, 10)}) is not earlier than before (${options.before.toISOString().slice(0, 10)})`,
      'since is inclusive and before exclusive: since must be the earlier date.',
    );
  }
  return options;
}

/** An inline mailboxes: list; a scalar item is a source login. */
export function readInlineMailboxes(r: Reader, f: Field, defaults: MailboxOptions): MailboxSpec[] {
  const out: MailboxSpec[] = [];
  const seen = new Map<string, string>();
  for (const item of r.list(f)) {
    let m: Fields | undefined;
    if (isScalar(item.value)) m = new Map([['source', item]]);
    else m = r.map(item, MAILBOX_KEYS);
    if (!m) continue;
    const source = r.str(m.get('source'));
    if (!m.has('source'))
      r.add(
        item.at,
        `${item.path} has no source`,
        'Write - { source: alice@old.example.com, destination: alice@new.example.com } or just - alice@example.com.',
      );
    if (source === undefined) continue;
    const origin = r.where(item.at);
    const earlier = seen.get(source.toLowerCase());
    if (earlier)
      r.add(
        item.at,
        `source '${source}' is listed twice (first at ${earlier})`,
        'Keep one entry per source mailbox.',
      );
    seen.set(source.toLowerCase(), earlier ?? origin);
    const destUser = r.str(m.get('destination')) ?? source;
    const spec: MailboxSpec = {
      sourceUser: source,
      destUser,
      starred: r.bool(m.get('star')) ?? false,
      options: readOptions(r, m, defaults, item.at, item.path),
      origin,
    };
    const sp = r.secret(m.get('password'));
    const dp = r.secret(m.get('destinationPassword'));
    if (sp) spec.sourceAuth = { kind: 'password', user: source, password: sp };
    if (dp) spec.destAuth = { kind: 'password', user: destUser, password: dp };
    out.push(spec);
  }
  return out;
}
