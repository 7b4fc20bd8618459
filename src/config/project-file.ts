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
 *     imap: { sievePort: 4190 }       # optional: where the Sieve filters are (ManageSieve), for items: filters
 *     dav: { url: "https://dav.example.com/" }   # optional: a CalDAV/CardDAV server beside it (contacts, calendars, tasks)
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
import { isScalar, LineCounter, parseDocument } from 'yaml';
import { ErrorCode, PermanentError } from '../errors.js';
import { parseMailboxCsv } from './mailbox-csv.js';
import { replaceAddress } from './plan.js';
import { OPTION_KEYS, readFolders, readInlineMailboxes, readOptions } from './read-mailboxes.js';
import { readPlan } from './read-plan.js';
import { readServer } from './read-server.js';
import { Reader } from './yaml-reader.js';
import type {
  AuthSpec,
  ConfigProblem,
  MailboxOptions,
  MailboxSpec,
  ProjectConfig,
  SecretRef,
} from './types.js';

export { GRAPH_WRITE_PATHS } from '../connectors/graph/graph-settings.js';

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
