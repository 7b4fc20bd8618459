/**
 * The project file (YAML). Every key but source and destination is optional; defaults are shown.
 *
 *   name: Acme to new server          # default: the file name without extension
 *   source:
 *     host: old.example.com
 *     port: 993                       # default from tls: 993 for tls, 143 otherwise
 *     tls: tls                        # tls | starttls | none   (default tls)
 *     allowInvalidCertificates: false # accept self-signed certificates (test labs)
 *     maxConnections: 10              # to this server, all mailboxes together
 *     admin: { user: admin, password: { env: SRC_ADMIN_PASSWORD }, mode: master }   # optional; mode master|password (default master)
 *     testMailbox: alice@example.com  # mailbox `cutover test` logs in to
 *   destination: { ...same keys... }
 *   defaults:                         # mailbox options; a CSV row or inline mailbox may override them
 *     items: [mail]                   # mail, contacts, calendars, tasks, filters
 *     since: 2015-01-01               # YYYY-MM-DD, inclusive (midnight UTC)
 *     before: 2026-01-01              # YYYY-MM-DD, exclusive
 *     maxMessageSize: 50MB            # bytes, or KB/MB/GB (1024-based); larger messages are skipped
 *     folders:
 *       map: { "INBOX/Old": "Archive/Old" }                               # exact renames (paths joined with /)
 *       regex: [ { pattern: "^Projects/(.*)$", replacement: "Work/$1" } ] # JavaScript regex renames
 *       include: []                   # when non-empty, only folders matching one of these regexes
 *       exclude: ["^Spam$", "^Trash/"]
 *   mailboxes: mailboxes.csv          # a CSV path relative to this file, or an inline list:
 *   # mailboxes:
 *   #   - alice@example.com           # source login = destination login
 *   #   - { source: bob@old.example, destination: bob@new.example, star: yes,
 *   #       password: { env: BOB_PW }, destinationPassword: { file: bob.pw },
 *   #       items: [mail], since: 2020-01-01, before: 2026-01-01, maxMessageSize: 25MB }
 *   concurrency: { mailboxes: 4, foldersPerMailbox: 2 }
 *   limits: { messagesPerSecond: 200, bytesPerSecond: 50MB }   # default: unlimited
 *   dataDir: .cutover                 # the embedded store, relative to this file
 *
 * A password is a string, { env: VARIABLE } or { file: PATH } (first line of the file). Relative password-file
 * paths (here and in the CSV) and dataDir are relative to the project file's directory.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { ErrorCode, PermanentError } from '../errors.js';
import { parseMailboxCsv } from './mailbox-csv.js';
import {
  COMMUNICATIONS,
  DNS_MODES,
  MODES,
  defaultPlan,
  fromZonedWallTime,
  parseClock,
  parseDays,
  replaceAddress,
  type PlanConfig,
} from './plan.js';
import { isEnvName, parseBool, parseDate, parseItemList, parseSize, suggest, type Parsed } from './values.js';
import type {
  AuthSpec,
  ConfigProblem,
  FolderRules,
  GmailSettings,
  GraphSettings,
  GraphWritePath,
  MailboxOptions,
  MailboxSpec,
  ProjectConfig,
  SecretRef,
  ServerSpec,
} from './types.js';

/** A value node and the node to point at when it is wrong (the key when the value is empty). */
interface Field {
  value: unknown;
  at: unknown;
  path: string;
}
type Fields = Map<string, Field>;

const SERVER_KEYS = [
  'kind',
  'host',
  'port',
  'tls',
  'allowInvalidCertificates',
  'maxConnections',
  'admin',
  'testMailbox',
  'gmail',
  'graph',
];
const TOP_KEYS = [
  'name',
  'source',
  'destination',
  'defaults',
  'mailboxes',
  'concurrency',
  'limits',
  'dataDir',
  'plan',
];
const OPTION_KEYS = ['items', 'since', 'before', 'maxMessageSize'];
const MAILBOX_KEYS = ['source', 'destination', 'star', 'password', 'destinationPassword', ...OPTION_KEYS];

/** Reads typed values out of YAML nodes, recording a problem (FILE:LINE, message, hint) for each bad one. */
class Reader {
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

const PLAN_KEYS = [
  'cutover',
  'notifyFrom',
  'timezone',
  'mode',
  'communications',
  'contact',
  'domains',
  'dns',
  'dnsServer',
  'dnsTarget',
  'windows',
  'prestageOlderThanDays',
  'recentMonths',
  'catchUpDays',
  'addressReplacements',
];

/** A date-time in the plan's time zone: "2026-12-12T18:00", "2026-12-12 18:00", a date (midnight), or ISO with an offset. */
function zonedTime(input: string | Date, timeZone: string): Date | undefined {
  if (input instanceof Date) return input;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2}))?$/.exec(input.trim());
  if (m)
    return fromZonedWallTime(
      [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0)],
      timeZone,
    );
  const t = Date.parse(input);
  return Number.isNaN(t) || !/([zZ]|[+-]\d\d:?\d\d)$/.test(input.trim()) ? undefined : new Date(t);
}

function readPlan(r: Reader, f: Field | undefined): PlanConfig {
  const plan = defaultPlan();
  const m = f && r.map(f, PLAN_KEYS);
  if (!m) return plan;
  const tz = r.str(m.get('timezone'));
  if (tz !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      plan.timezone = tz;
    } catch {
      r.add(
        m.get('timezone')!.at,
        `plan.timezone: '${tz}' is not a time zone`,
        'Use an IANA name such as Europe/Berlin or America/New_York.',
      );
    }
  }
  const when = (key: 'cutover' | 'notifyFrom'): Date | undefined => {
    const field = m.get(key);
    if (!field) return undefined;
    const v = r.scalar(field, 'a date and time');
    if (v === undefined) return undefined;
    const d = typeof v === 'string' || v instanceof Date ? zonedTime(v, plan.timezone) : undefined;
    if (!d)
      r.add(
        field.at,
        `plan.${key}: ${JSON.stringify(v)} is not a date and time`,
        `Write e.g. ${key}: "2026-12-12T18:00" (in plan.timezone).`,
      );
    return d;
  };
  plan.cutoverAt = when('cutover');
  plan.notifyFrom = when('notifyFrom');
  const choice = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const v = r.str(m.get(key));
    if (v === undefined) return undefined;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    return r.add(
      m.get(key)!.at,
      `plan.${key}: '${v}' is not one of ${allowed.join(', ')}`,
      `Write ${key}: ${allowed[0]}.`,
    );
  };
  plan.mode = choice('mode', MODES) ?? plan.mode;
  plan.communications = choice('communications', COMMUNICATIONS) ?? plan.communications;
  plan.dns = choice('dns', DNS_MODES) ?? plan.dns;
  plan.contact = r.str(m.get('contact'));
  const df = m.get('domains');
  if (df)
    plan.domains = r
      .list(df, true)
      .map((x) => r.str(x)?.toLowerCase())
      .filter((x): x is string => !!x);
  const sf = m.get('dnsServer');
  const sm = sf && r.map(sf, ['host', 'port', 'keyName', 'keySecret']);
  if (sm) {
    const host = r.str(sm.get('host'));
    if (!host)
      r.add(
        sf.at,
        'plan.dnsServer needs a host',
        'Write dnsServer: { host: ns1.example.com, keyName: …, keySecret: { env: … } }.',
      );
    else
      plan.dnsServer = {
        host,
        port: r.int(sm.get('port'), 1, 65535, 'A port number, 53 by default.') ?? 53,
        keyName: r.str(sm.get('keyName')),
        keySecret: r.secret(sm.get('keySecret')),
      };
  }
  const tf = m.get('dnsTarget');
  const tm =
    tf &&
    r.map(tf, ['kind', 'mxHost', 'imapHost', 'smtpHost', 'tenantPrefix', 'verification', 'autoconfigHost']);
  if (tm) {
    const kind = r.str(tm.get('kind')) ?? 'imap';
    if (!['microsoft365', 'google', 'imap'].includes(kind))
      r.add(
        tm.get('kind')!.at,
        `plan.dnsTarget.kind: '${kind}' is not one of microsoft365, google, imap`,
        'Write kind: microsoft365, google or imap.',
      );
    else {
      const vf = tm.get('verification');
      plan.dnsTarget = {
        kind: kind as 'microsoft365' | 'google' | 'imap',
        mxHost: r.str(tm.get('mxHost')),
        imapHost: r.str(tm.get('imapHost')),
        smtpHost: r.str(tm.get('smtpHost')),
        tenantPrefix: r.str(tm.get('tenantPrefix')),
        autoconfigHost: r.str(tm.get('autoconfigHost')),
        verification: vf
          ? r
              .list(vf, true)
              .map((x) => r.str(x))
              .filter((x): x is string => !!x)
          : [],
      };
    }
  }
  const wf = m.get('windows');
  for (const item of wf ? r.list(wf) : []) {
    const w = r.map(item, ['days', 'from', 'to', 'concurrency']);
    if (!w) continue;
    const daysText = r.str(w.get('days')) ?? 'daily';
    const days = parseDays(daysText);
    const from = parseClock(r.str(w.get('from')) ?? '00:00');
    const to = parseClock(r.str(w.get('to')) ?? '24:00');
    const concurrency = r.int(w.get('concurrency'), 0, 1000, 'Mailboxes at once in this window; 0 pauses.');
    if (!days)
      r.add(
        w.get('days')?.at ?? item.at,
        `${item.path}.days: '${daysText}' is not understood`,
        'Write mon-fri, sat-sun, "mon,wed,fri" or daily.',
      );
    if (from === undefined || to === undefined)
      r.add(item.at, `${item.path}: from/to must be HH:MM`, 'Write from: "08:00", to: "18:00" (quoted).');
    if (concurrency === undefined && !w.get('concurrency'))
      r.add(
        item.at,
        `${item.path} needs a concurrency`,
        'Write concurrency: 2 (0 pauses migration in this window).',
      );
    if (days && from !== undefined && to !== undefined && concurrency !== undefined)
      plan.windows.push({ days, from, to, concurrency });
  }
  plan.prestageOlderThanDays = r.int(m.get('prestageOlderThanDays'), 0, 36500, 'A number of days.');
  plan.recentMonths = r.int(m.get('recentMonths'), 1, 1200, 'A number of months.');
  plan.catchUpDays = r.int(m.get('catchUpDays'), 0, 365, 'A number of days.') ?? plan.catchUpDays;
  const af = m.get('addressReplacements');
  for (const item of af ? r.list(af) : []) {
    const a = r.map(item, ['from', 'to']);
    const from = a && r.str(a.get('from'));
    const to = a && r.str(a.get('to'));
    if (from && to) plan.addressReplacements.push({ from: from.toLowerCase(), to: to.toLowerCase() });
    else if (a)
      r.add(item.at, `${item.path} needs from and to`, 'Write { from: "@old.example", to: "@new.example" }.');
  }
  return plan;
}

function readServer(r: Reader, f: Field | undefined, name: string, top: unknown): ServerSpec | undefined {
  if (!f)
    return r.add(
      top,
      `the project has no ${name} server`,
      `Add a ${name}: section with at least host: (e.g. host: mail.example.com).`,
    );
  const m = r.map(f, SERVER_KEYS);
  if (!m) return undefined;
  const kindText = r.str(m.get('kind'));
  const kind =
    kindText === 'pop3' ? 'pop3' : kindText === 'gmail' ? 'gmail' : kindText === 'graph' ? 'graph' : 'imap';
  if (kindText !== undefined && !['imap', 'pop3', 'gmail', 'graph'].includes(kindText))
    r.add(
      m.get('kind')?.at,
      `${name}.kind '${kindText}' is not supported`,
      'Write kind: imap (the default, leave it out), kind: gmail (Google Workspace), kind: graph (Microsoft 365) or kind: pop3 (a source only).',
    );
  else if (kind === 'pop3' && name === 'destination')
    r.add(
      m.get('kind')?.at,
      'destination.kind pop3: POP3 can only be a source; it has no way to store messages on the server',
      'Make the destination an IMAP server (kind: imap, or leave kind out).',
    );
  // Google Workspace has one well-known API host; the settings under gmail: can point elsewhere (tests).
  const host =
    r.str(m.get('host')) ??
    (kind === 'gmail' ? 'gmail.googleapis.com' : kind === 'graph' ? 'graph.microsoft.com' : undefined);
  if (!m.has('host') && kind !== 'gmail' && kind !== 'graph')
    r.add(f.at, `${name} has no host`, `Add host: under ${name}, e.g. host: mail.example.com.`);
  if (host !== undefined && /[/:@\s]/.test(host) && !/^[0-9a-f:]+$/i.test(host)) {
    r.add(
      m.get('host')?.at,
      `${name}.host '${host}' is not a host name`,
      'Write only the host name or IP address (no scheme, user or port), e.g. host: mail.example.com.',
    );
  }
  const tlsField = m.get('tls');
  const tlsRaw = tlsField ? r.scalar(tlsField, 'tls, starttls or none') : 'tls';
  const tlsText = typeof tlsRaw === 'string' || tlsRaw === undefined ? tlsRaw : JSON.stringify(tlsRaw);
  const tls = tlsText === 'tls' || tlsText === 'starttls' || tlsText === 'none' ? tlsText : undefined;
  if (tlsText !== undefined && !tls)
    r.add(
      m.get('tls')?.at,
      `${name}.tls must be tls, starttls or none, not '${tlsText}'`,
      kind === 'pop3'
        ? 'tls = TLS from the start (port 995), starttls = upgrade with STLS (port 110), none = unencrypted.'
        : 'tls = TLS from the start (port 993), starttls = upgrade (port 143), none = unencrypted.',
    );
  const portHint =
    kind === 'pop3'
      ? 'POP3 uses 995 with tls, 110 with starttls or none.'
      : 'IMAP uses 993 with tls, 143 with starttls or none.';
  const defaultPort =
    kind === 'gmail' || kind === 'graph'
      ? 443
      : kind === 'pop3'
        ? tls === 'tls'
          ? 995
          : 110
        : tls === 'tls'
          ? 993
          : 143;
  const server: ServerSpec = {
    kind,
    host: host ?? '',
    port: r.int(m.get('port'), 1, 65535, portHint) ?? defaultPort,
    tls: tls ?? 'tls',
    allowInvalidCertificates: r.bool(m.get('allowInvalidCertificates')) ?? false,
    maxConnections:
      r.int(m.get('maxConnections'), 1, 1000, 'Write a positive whole number, e.g. maxConnections: 10.') ??
      10,
  };
  const admin = m.get('admin');
  const am = admin && r.map(admin, ['user', 'password', 'mode']);
  if (admin && am) {
    const user = r.str(am.get('user'));
    const password = r.secret(am.get('password'));
    const mode = r.str(am.get('mode')) ?? 'master';
    if (!am.has('user') || !am.has('password'))
      r.add(
        admin.at,
        `${name}.admin needs user and password`,
        `Write admin: { user: admin, password: { env: ${name.toUpperCase()}_ADMIN_PASSWORD } }.`,
      );
    if (mode !== 'master' && mode !== 'password')
      r.add(
        am.get('mode')?.at,
        `${name}.admin.mode must be master or password, not '${mode}'`,
        'master = log in as admin acting for each mailbox (Dovecot user*master, SASL authzid); password = admin is itself the login.',
      );
    else if (user !== undefined && password) server.admin = { user, password, mode };
  }
  const test = r.str(m.get('testMailbox'));
  if (test !== undefined) server.testMailbox = test;
  const gmail = m.get('gmail');
  if (gmail && kind !== 'gmail')
    r.add(gmail.at, `${name}.gmail applies to kind: gmail only`, 'Remove it, or write kind: gmail.');
  else if (gmail) server.gmail = readGmail(r, gmail, name);
  const graph = m.get('graph');
  if (graph && kind !== 'graph')
    r.add(graph.at, `${name}.graph applies to kind: graph only`, 'Remove it, or write kind: graph.');
  else if (kind === 'graph') server.graph = readGraph(r, graph, f, name);
  return server;
}

/** The graph: settings of a Microsoft 365 server (see GraphSettings); tenantId is required. */
function readGraph(r: Reader, f: Field | undefined, server: Field, name: string): GraphSettings {
  const m =
    f &&
    r.map(f, [
      'tenantId',
      'baseUrl',
      'authorityHost',
      'maxMessageSize',
      'writePath',
      'imapHost',
      'imapPort',
      'requestBudget',
      'uploadBudgetMB',
    ]);
  const tenantId = m && r.str(m.get('tenantId'));
  const out: GraphSettings = { tenantId: tenantId ?? '' };
  if (!tenantId)
    r.add(
      (f ?? server).at,
      `${name}.graph.tenantId is missing`,
      `Add graph: { tenantId: <directory id or primary domain> } under ${name}.`,
    );
  if (!m) return out;
  for (const key of ['baseUrl', 'authorityHost'] as const) {
    const url = r.str(m.get(key));
    if (url === undefined) continue;
    // MSAL refuses an authority that is not https, and tokens must never travel in clear.
    if (!/^https:\/\/[^\s/]+/.test(url))
      r.add(
        m.get(key)!.at,
        `${name}.graph.${key} '${url}' is not an https URL`,
        'Leave it out to use Microsoft 365.',
      );
    else out[key] = url;
  }
  const size = r.int(m.get('maxMessageSize'), 1, 150 * 1024 * 1024, 'Bytes, at most 157286400 (150 MB).');
  if (size !== undefined) out.maxMessageBytes = size;
  const path = r.str(m.get('writePath'));
  if (path !== undefined) {
    if (name === 'source')
      r.add(
        m.get('writePath')!.at,
        'source.graph.writePath applies to a destination only',
        'Remove it: a source is read through Graph.',
      );
    else if ((GRAPH_WRITE_PATHS as readonly string[]).includes(path)) out.writePath = path as GraphWritePath;
    else
      r.add(
        m.get('writePath')!.at,
        `${name}.graph.writePath '${path}' is not one of ${GRAPH_WRITE_PATHS.join(', ')}`,
        'Write writePath: json (Graph JSON), imap (IMAP APPEND of the whole message) or auto (JSON, IMAP where attachments do not fit).',
      );
  }
  const imapHost = r.str(m.get('imapHost'));
  if (imapHost !== undefined) out.imapHost = imapHost;
  const imapPort = r.int(m.get('imapPort'), 1, 65535, 'A TCP port (993 for Exchange Online).');
  if (imapPort !== undefined) out.imapPort = imapPort;
  const requests = r.int(
    m.get('requestBudget'),
    1,
    10_000,
    'Requests per 10 minutes per mailbox, at most 10000.',
  );
  if (requests !== undefined) out.requestBudget = requests;
  const upload = r.int(m.get('uploadBudgetMB'), 1, 150, 'Megabytes per 5 minutes per mailbox, at most 150.');
  if (upload !== undefined) out.uploadBudgetMB = upload;
  return out;
}

/** graph.writePath values. */
export const GRAPH_WRITE_PATHS = ['json', 'imap', 'auto'] as const;

/** The gmail: settings of a Google Workspace server (see GmailSettings). */
function readGmail(r: Reader, f: Field, name: string): GmailSettings {
  const m = r.map(f, [
    'oauthClient',
    'apiUrl',
    'tokenUrl',
    'authUrl',
    'directoryUrl',
    'quotaUnitsPerSecond',
    'maxMessageSize',
  ]);
  const out: GmailSettings = {};
  if (!m) return out;
  const client = m.get('oauthClient');
  const cm = client && r.map(client, ['id', 'secret']);
  if (client && cm) {
    const id = r.str(cm.get('id'));
    const secret = r.secret(cm.get('secret'));
    if (id !== undefined && secret) out.oauthClient = { id, secret };
    else
      r.add(
        client.at,
        `${name}.gmail.oauthClient needs id and secret`,
        'Write oauthClient: { id: 123.apps.googleusercontent.com, secret: { env: GOOGLE_CLIENT_SECRET } }.',
      );
  }
  for (const key of ['apiUrl', 'tokenUrl', 'authUrl', 'directoryUrl'] as const) {
    const url = r.str(m.get(key));
    if (url === undefined) continue;
    if (!/^https?:\/\/[^\s/]+/.test(url))
      r.add(
        m.get(key)!.at,
        `${name}.gmail.${key} '${url}' is not an http(s) URL`,
        'Leave it out to use Google.',
      );
    else out[key] = url;
  }
  const units = r.int(m.get('quotaUnitsPerSecond'), 1, 250, 'Google allows 250 units per user per second.');
  if (units !== undefined) out.quotaUnitsPerSecond = units;
  const size = r.int(m.get('maxMessageSize'), 1, 150 * 1024 * 1024, 'Bytes, at most 157286400 (150 MB).');
  if (size !== undefined) out.maxMessageBytes = size;
  return out;
}

function readFolders(r: Reader, f: Field | undefined): FolderRules {
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

/** Mailbox options (items, since, before, maxMessageSize) over a base; reports since >= before. */
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

function readInlineMailboxes(r: Reader, f: Field, defaults: MailboxOptions): MailboxSpec[] {
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

/** Parse and validate a project file; `config` is absent when the file itself has problems (CSV row problems are not). */
export function parseProjectFile(
  text: string,
  file: string,
  readFile: (path: string) => string,
): { config?: ProjectConfig; problems: ConfigProblem[] } {
  const lines = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter: lines });
  const r = new Reader(file, lines);
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const line = err.linePos?.[0].line ?? lines.linePos(err.pos[0]).line;
      const message = err.message.split('\n')[0] ?? err.message;
      r.problems.push({
        where: `${file}:${line}`,
        message: `YAML syntax: ${message}`,
        hint: 'Check indentation (spaces, not tabs), colons after keys and matching quotes/brackets.',
      });
    }
    return { problems: r.problems };
  }
  if (doc.contents === null)
    return {
      problems: [
        {
          where: `${file}:1`,
          message: 'the project file is empty',
          hint: 'Start from the example in the README: at least source: and destination: with a host each.',
        },
      ],
    };
  const top = r.map({ value: doc.contents, at: doc.contents, path: '' }, TOP_KEYS);
  if (!top) return { problems: r.problems };
  const source = readServer(r, top.get('source'), 'source', doc.contents);
  const destination = readServer(r, top.get('destination'), 'destination', doc.contents);

  const defaultsField = top.get('defaults');
  const dm = defaultsField && r.map(defaultsField, [...OPTION_KEYS, 'folders']);
  const base: MailboxOptions = { itemTypes: ['mail'], folders: readFolders(r, dm?.get('folders')) };
  const defaults = dm ? readOptions(r, dm, base, defaultsField?.at, 'defaults') : base;

  let mailboxes: MailboxSpec[] = [];
  const csvProblems: ConfigProblem[] = [];
  const mf = top.get('mailboxes');
  if (mf && isScalar(mf.value) && typeof mf.value.value === 'string') {
    const csvPath = mf.value.value;
    let csv: string | undefined;
    try {
      csv = readFile(csvPath);
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      r.add(
        mf.at,
        `cannot read the mailboxes file '${csvPath}' (${reason})`,
        'The path is relative to the project file; check it exists and is readable.',
      );
    }
    if (csv !== undefined) {
      const parsed = parseMailboxCsv(csv, csvPath, defaults);
      mailboxes = parsed.mailboxes;
      csvProblems.push(...parsed.problems);
    }
  } else if (mf) {
    mailboxes = readInlineMailboxes(r, mf, defaults);
  }

  const cf = top.get('concurrency');
  const cm = cf && r.map(cf, ['mailboxes', 'foldersPerMailbox']);
  const positive = 'Write a positive whole number.';
  const concurrency = {
    mailboxes: r.int(cm?.get('mailboxes'), 1, 1000, positive) ?? 4,
    foldersPerMailbox: r.int(cm?.get('foldersPerMailbox'), 1, 100, positive) ?? 2,
  };
  const lf = top.get('limits');
  const lm = lf && r.map(lf, ['messagesPerSecond', 'bytesPerSecond']);
  const limits: ProjectConfig['limits'] = {};
  const mps = lm?.get('messagesPerSecond');
  const mpsValue = mps && r.scalar(mps, 'a number');
  if (typeof mpsValue === 'number' && mpsValue > 0) limits.messagesPerSecond = mpsValue;
  else if (mps && mpsValue !== undefined)
    r.add(
      mps.at,
      `limits.messagesPerSecond must be a positive number, not ${JSON.stringify(mpsValue)}`,
      'Write e.g. messagesPerSecond: 200, or leave it out for no limit.',
    );
  const bps = r.size(lm?.get('bytesPerSecond'));
  if (bps !== undefined) limits.bytesPerSecond = bps;
  const dataDir = r.str(top.get('dataDir'));
  const name = r.str(top.get('name')) ?? basename(file, extname(file));

  const lineOf = (p: ConfigProblem): number => Number(p.where.slice(p.where.lastIndexOf(':') + 1));
  r.problems.sort((a, b) => lineOf(a) - lineOf(b));
  if (r.problems.length > 0 || !source || !destination) return { problems: [...r.problems, ...csvProblems] };
  const plan = readPlan(r, top.get('plan'));
  // A mailbox without a destination login of its own (the same as its source) gets the replacements.
  for (const m of mailboxes)
    if (m.destUser === m.sourceUser) {
      const replaced = replaceAddress(m.sourceUser, plan.addressReplacements);
      if (replaced !== m.destUser) {
        m.destUser = replaced;
        if (m.destAuth && 'user' in m.destAuth) m.destAuth = { ...m.destAuth, user: replaced };
      }
    }
  if (r.problems.length > 0) return { problems: [...r.problems, ...csvProblems] };
  const config: ProjectConfig = { name, source, destination, defaults, mailboxes, concurrency, limits, plan };
  if (dataDir !== undefined) config.dataDir = dataDir;
  return { config, problems: csvProblems };
}

/** Read a project file (and its CSV, relative to it); throws when the project file is invalid, returns bad CSV rows as problems. */
export function loadProjectFile(path: string): { config: ProjectConfig; problems: ConfigProblem[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `Cannot read the project file ${path} (${reason}).`,
      'Check the path, or create one from the example in the README.',
      { cause: err },
    );
  }
  const dir = dirname(resolve(path));
  const { config, problems } = parseProjectFile(text, path, (p) => readFileSync(resolve(dir, p), 'utf8'));
  if (!config) {
    const list = problems.map((p) => `${p.where}: ${p.message}\n  → ${p.hint}`).join('\n');
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `The project file ${path} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${list}`,
      'Fix the lines above and run again.',
    );
  }
  const rebase = (ref: SecretRef): SecretRef => ('file' in ref ? { file: resolve(dir, ref.file) } : ref);
  const rebaseAuth = (auth: AuthSpec | undefined): void => {
    if (auth?.kind === 'xoauth2') auth.accessToken = rebase(auth.accessToken);
    else if (auth) auth.password = rebase(auth.password);
  };
  for (const server of [config.source, config.destination]) {
    if (server.admin) server.admin.password = rebase(server.admin.password);
    if (server.gmail?.oauthClient) server.gmail.oauthClient.secret = rebase(server.gmail.oauthClient.secret);
  }
  for (const mailbox of config.mailboxes) [mailbox.sourceAuth, mailbox.destAuth].forEach(rebaseAuth);
  if (config.dataDir !== undefined) config.dataDir = resolve(dir, config.dataDir);
  return { config, problems };
}
