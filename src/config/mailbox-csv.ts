/**
 * The mailboxes CSV: one row per mailbox, a header row naming the columns (case, spaces, '_' and '-' ignored).
 * Comma-, semicolon- or tab-separated (detected from the header), UTF-8 with or without BOM, RFC 4180 quoting.
 * Blank lines and lines starting with '#' are skipped. A bad row is reported with its line and skipped; the others stay.
 *
 *   source,destination,source_password_env,star,since,max_size,items
 *   alice@old.example.com,alice@new.example.com,ALICE_PW,yes,2020-01-01,25MB,mail
 */
import type { AuthSpec, ConfigProblem, MailboxOptions, MailboxSpec, SecretRef } from './types.js';
import { isEnvName, parseBool, parseDate, parseItemList, parseSize, suggest, type Parsed } from './values.js';

/** The columns a mailboxes CSV may have. */
export const CSV_COLUMNS = [
  'source',
  'destination',
  'source_password',
  'source_password_env',
  'source_password_file',
  'destination_password',
  'destination_password_env',
  'destination_password_file',
  'star',
  'since',
  'before',
  'max_size',
  'items',
] as const;
type Column = (typeof CSV_COLUMNS)[number];

const normalize = (name: string): string =>
  name
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
const BY_NORMAL = new Map<string, Column>(CSV_COLUMNS.map((c) => [normalize(c), c]));

interface RawRecord {
  line: number;
  fields: string[];
  error?: string;
}

/** Split CSV text into records, each with the physical line it starts on; an unclosed quote spoils one line only. */
function* readRecords(text: string, delim: string): Generator<RawRecord> {
  let pos = 0;
  let line = 1;
  while (pos < text.length) {
    const startLine = line;
    const eol = text.indexOf('\n', pos);
    const lineEnd = eol < 0 ? text.length : eol;
    if (/^[ \t]*#/.test(text.slice(pos, lineEnd))) {
      pos = lineEnd + 1;
      line++;
      continue;
    }
    const fields: string[] = [];
    let field = '';
    let quoted = false;
    let inQuotes = false;
    let atEof = false;
    for (;;) {
      const c = text[pos];
      if (c === undefined) {
        atEof = true;
        break;
      }
      pos++;
      if (inQuotes) {
        if (c === '"' && text[pos] === '"') [field, pos] = [field + '"', pos + 1];
        else if (c === '"') inQuotes = false;
        else [field, line] = [field + c, c === '\n' ? line + 1 : line];
      } else if (c === '"' && !quoted && field.trim() === '') {
        [field, quoted, inQuotes] = ['', true, true];
      } else if (c === delim || c === '\n') {
        fields.push(quoted ? field : field.trim());
        [field, quoted] = ['', false];
        if (c === '\n') {
          line++;
          break;
        }
      } else if (!(quoted && /\s/.test(c))) {
        field += c;
      }
    }
    if (atEof && inQuotes) {
      yield { line: startLine, fields: [], error: 'a quoted value is never closed' };
      [pos, line] = [lineEnd + 1, startLine + 1];
      continue;
    }
    if (atEof) fields.push(quoted ? field : field.trim());
    if (fields.some((f) => f !== '')) yield { line: startLine, fields };
  }
}

/** The separator used by the header line: the most frequent of ',', ';' and tab (',' when none). */
function detectDelimiter(text: string): string {
  const header = text.split('\n').find((l) => l.trim() !== '' && !/^[ \t]*#/.test(l)) ?? '';
  const count = (d: string): number => header.split(d).length - 1;
  return [',', ';', '\t'].reduce((best, d) => (count(d) > count(best) ? d : best), ',');
}

/** What a parse found: good rows as mailboxes, bad rows as problems. */
export interface ParsedMailboxCsv {
  mailboxes: MailboxSpec[];
  problems: ConfigProblem[];
}

/** Parse a mailboxes CSV; bad rows become problems (FILE:LINE), good rows become mailboxes starting from `defaults`. */
export function parseMailboxCsv(text: string, file: string, defaults: MailboxOptions): ParsedMailboxCsv {
  const out: ParsedMailboxCsv = { mailboxes: [], problems: [] };
  for (const step of parseSteps(text, file, defaults, out)) void step;
  return out;
}

/**
 * The same parse, giving the event loop back every `sliceMs`: 100,000 rows take about a second, and a
 * server must go on answering other requests meanwhile.
 */
export async function parseMailboxCsvInSlices(
  text: string,
  file: string,
  defaults: MailboxOptions,
  sliceMs = 20,
): Promise<ParsedMailboxCsv> {
  const out: ParsedMailboxCsv = { mailboxes: [], problems: [] };
  let since = performance.now();
  for (const step of parseSteps(text, file, defaults, out)) {
    void step;
    if (performance.now() - since < sliceMs) continue;
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
  }
  return out;
}

/** A deep copy of the defaults for one row (structuredClone cost more than all the rest of a row). */
function copyOptions(d: MailboxOptions): MailboxOptions {
  const o: MailboxOptions = {
    ...d,
    itemTypes: [...d.itemTypes],
    folders: {
      map: d.folders.map.map((m) => ({ ...m })),
      regex: d.folders.regex.map((r) => ({ ...r })),
      include: [...d.folders.include],
      exclude: [...d.folders.exclude],
    },
  };
  if (d.since) o.since = new Date(d.since);
  if (d.before) o.before = new Date(d.before);
  return o;
}

/** The parse, one step per record, filling `out`. */
function* parseSteps(
  text: string,
  file: string,
  defaults: MailboxOptions,
  out: ParsedMailboxCsv,
): Generator<void> {
  const body = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const delim = detectDelimiter(body);
  const records = readRecords(body, delim);
  const { mailboxes } = out;
  const problem = (line: number, message: string, hint: string): void => {
    out.problems.push({ where: `${file}:${line}`, message, hint });
  };
  const first = records.next();
  const header = first.done ? undefined : first.value;
  if (!header || header.error) {
    problem(
      header?.line ?? 1,
      header ? `the header row: ${header.error}` : 'the file has no header row',
      `Start the file with a header row such as: ${CSV_COLUMNS.slice(0, 2).join(',')},star`,
    );
    return;
  }
  const index = new Map<Column, number>();
  header.fields.forEach((name, i) => {
    if (name === '') return;
    const col = BY_NORMAL.get(normalize(name));
    if (!col) {
      const guess = suggest(normalize(name), CSV_COLUMNS.map(normalize));
      const guessCol = guess === undefined ? undefined : BY_NORMAL.get(guess);
      problem(
        header.line,
        `unknown column '${name}' (its values are ignored)`,
        `${guessCol ? `Did you mean '${guessCol}'? ` : ''}Known columns: ${CSV_COLUMNS.join(', ')}.`,
      );
    } else if (index.has(col)) {
      problem(
        header.line,
        `column '${name}' appears twice (only the first is used)`,
        'Remove or rename the second one.',
      );
    } else index.set(col, i);
  });
  if (!index.has('source')) {
    problem(
      header.line,
      `the header has no 'source' column (found: ${header.fields.join(', ')})`,
      `The first line must name the columns, with at least 'source' (the source login), e.g. source${delim}destination`,
    );
    return;
  }

  const firstSeen = new Map<string, number>();
  for (const rec of records) {
    yield;
    if (rec.error) {
      problem(
        rec.line,
        `this row is skipped: ${rec.error}`,
        'Close the quote; inside a quoted value write a quote as "".',
      );
      continue;
    }
    const rowProblems: Array<[string, string]> = [];
    const get = (col: Column): string => {
      const i = index.get(col);
      return i === undefined ? '' : (rec.fields[i] ?? '');
    };
    const check = <T>(col: Column, parse: (s: string) => Parsed<T>): T | undefined => {
      const raw = get(col);
      if (raw === '') return undefined;
      const r = parse(raw);
      if (r.ok) return r.value;
      rowProblems.push([`column ${col}: ${r.message}`, r.hint]);
      return undefined;
    };
    const extra = rec.fields.slice(header.fields.length).filter((f) => f !== '');
    if (extra.length > 0) {
      rowProblems.push([
        `this row has ${rec.fields.length} values but the header has ${header.fields.length} columns`,
        `A value containing '${delim}' must be in double quotes (e.g. "pa${delim}ss"); otherwise the columns shift.`,
      ]);
    }
    const source = get('source');
    if (source === '')
      rowProblems.push([
        'column source is empty',
        'Write the source login (e.g. alice@old.example.com) in the source column.',
      ]);
    const starred = check('star', (s) => parseBool(s)) ?? false;
    const options = copyOptions(defaults);
    const since = check('since', parseDate);
    const before = check('before', parseDate);
    const maxBytes = check('max_size', parseSize);
    const items = check('items', parseItemList);
    if (since) options.since = since;
    if (before) options.before = before;
    if (maxBytes !== undefined) options.maxMessageBytes = maxBytes;
    if (items) options.itemTypes = items;
    if (options.since && options.before && options.since >= options.before) {
      rowProblems.push([
        `since (${get('since') || 'default'}) is not before before (${get('before') || 'default'})`,
        'since is inclusive and before exclusive: since must be the earlier date.',
      ]);
    }
    const auth = (side: 'source' | 'destination', user: string): AuthSpec | undefined => {
      const given: Array<[Column, SecretRef]> = [];
      const value = get(`${side}_password`);
      const env = get(`${side}_password_env`);
      const path = get(`${side}_password_file`);
      if (value !== '') given.push([`${side}_password`, { value }]);
      if (env !== '') given.push([`${side}_password_env`, { env }]);
      if (path !== '') given.push([`${side}_password_file`, { file: path }]);
      if (env !== '' && !isEnvName(env)) {
        rowProblems.push([
          `column ${side}_password_env: '${env}' is not an environment variable name`,
          'Write a variable name (letters, digits, _), e.g. ALICE_PASSWORD; put a literal password in the password column.',
        ]);
      }
      if (given.length > 1) {
        rowProblems.push([
          `the ${side} password is given ${given.length} ways (${given.map((g) => g[0]).join(', ')})`,
          'Fill only one of these columns in this row.',
        ]);
      }
      const secret = given[0]?.[1];
      return secret && { kind: 'password', user, password: secret };
    };
    const destination = get('destination') || source;
    const sourceAuth = auth('source', source);
    const destAuth = auth('destination', destination);
    const key = source.toLowerCase();
    const earlier = firstSeen.get(key);
    if (source !== '' && earlier !== undefined) {
      rowProblems.push([
        `source '${source}' is listed twice (first at ${file}:${earlier}); this row is skipped`,
        'Keep one row per source mailbox.',
      ]);
    } else if (source !== '') firstSeen.set(key, rec.line);
    if (rowProblems.length > 0) {
      for (const [message, hint] of rowProblems) problem(rec.line, message, hint);
      continue;
    }
    const spec: MailboxSpec = {
      sourceUser: source,
      destUser: destination,
      starred,
      options,
      origin: `${file}:${rec.line}`,
    };
    if (sourceAuth) spec.sourceAuth = sourceAuth;
    if (destAuth) spec.destAuth = destAuth;
    mailboxes.push(spec);
  }
}
