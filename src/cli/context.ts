/** Resolving what a command works on: a project file or a one-off --from/--to pair, and the data directory. */
import fs from 'node:fs';
import path from 'node:path';
import type { ItemType, MailboxOptions, ProjectConfig } from '../config/types.js';
import { loadProjectFile } from '../config/project-file.js';
import { parseServerUrl, redactUrl } from '../config/server-url.js';
import { ITEM_TYPES, parseDate, parseItemList, parseSize } from '../config/values.js';
import { roleProblem, type ConnectorDescriptor } from '../connectors/descriptor.js';
import { connectorFor, descriptorFor, descriptors } from '../connectors/registry.js';
import { ErrorCode, PermanentError } from '../errors.js';
import { defaultDataDir, storeTarget, type StoreTarget } from '../store/db.js';

/** Options shared by commands that name what to work on. */
export interface TargetOptions {
  project?: string;
  from?: string;
  to?: string;
  fromPasswordEnv?: string;
  fromPasswordFile?: string;
  toPasswordEnv?: string;
  toPasswordFile?: string;
  dataDir?: string;
  /** The PostgreSQL store (else $CUTOVER_DATABASE_URL, else the embedded store of the data directory). */
  databaseUrl?: string;
  since?: string;
  before?: string;
  maxSize?: string;
  include?: string[];
  exclude?: string[];
  folderMap?: string[];
  folders?: string;
  /** Item types to move (mail, contacts, calendars, tasks, filters), comma-separated. */
  items?: string;
}

function value<T>(r: { ok: true; value: T } | { ok: false; message: string; hint: string }, flag: string): T {
  if (!r.ok) throw new PermanentError(ErrorCode.ConfigInvalid, `${flag}: ${r.message}`, r.hint);
  return r.value;
}

/** The item types `--items` names, or undefined when it is not given. */
function itemsFromFlag(o: TargetOptions): ItemType[] | undefined {
  return o.items === undefined ? undefined : value(parseItemList(o.items), '--items');
}

/**
 * The one-off form's item types: `--items`, else mail — or, when a side carries no mail (a ManageSieve
 * server), what both sides carry.
 */
function oneOffItems(o: TargetOptions, kinds: string[]): ItemType[] {
  const given = itemsFromFlag(o);
  if (given) return given;
  const carried = kinds.map((k) => connectorFor(k).items ?? (['mail'] as const));
  if (carried.every((c) => c.includes('mail'))) return ['mail'];
  const common = ITEM_TYPES.filter((t) => carried.every((c) => c.includes(t)));
  if (common.length) return common;
  const [from, to] = carried.map((c) => c.join(', '));
  throw new PermanentError(
    ErrorCode.ConfigInvalid,
    `Nothing to move: the source carries ${from}; the destination carries ${to}.`,
    'Pair URLs that carry the same items (e.g. sieve:// with sieve://, dav:// with dav://), or use a project where a server names what sits beside it (imap: { sievePort }, dav: { url }).',
  );
}

/** Mailbox options from command-line flags (the one-off form). */
function optionsFromFlags(o: TargetOptions, itemTypes: ItemType[]): MailboxOptions {
  const map = (o.folderMap ?? []).map((m) => {
    const i = m.indexOf('=');
    if (i <= 0)
      throw new PermanentError(
        ErrorCode.ConfigInvalid,
        `--folder-map "${m}" is not FROM=TO.`,
        'Write --folder-map "Old/Path=New/Path" (paths joined with /).',
      );
    return { from: m.slice(0, i), to: m.slice(i + 1) };
  });
  for (const r of [...(o.include ?? []), ...(o.exclude ?? [])]) {
    try {
      new RegExp(r);
    } catch (err) {
      throw new PermanentError(
        ErrorCode.ConfigInvalid,
        `Folder rule /${r}/ is not a valid regular expression: ${(err as Error).message}`,
        'Fix the regular expression (JavaScript syntax).',
      );
    }
  }
  return {
    itemTypes,
    since: o.since ? value(parseDate(o.since), '--since') : undefined,
    before: o.before ? value(parseDate(o.before), '--before') : undefined,
    maxMessageBytes: o.maxSize ? value(parseSize(o.maxSize), '--max-size') : undefined,
    folders: { map, regex: [], include: o.include ?? [], exclude: o.exclude ?? [] },
  };
}

/** The project to work on, the data directory, its store, and non-fatal problems (bad CSV rows) to show. */
export function resolveTarget(o: TargetOptions): {
  project: ProjectConfig;
  dataDir: string;
  store: StoreTarget;
  problems: string[];
} {
  const r = resolveProject(o);
  return { ...r, store: storeTarget({ databaseUrl: o.databaseUrl, dataDir: r.dataDir }) };
}

function resolveProject(o: TargetOptions): {
  project: ProjectConfig;
  dataDir: string;
  problems: string[];
} {
  if (o.from || o.to) {
    if (!o.from || !o.to)
      throw new PermanentError(
        ErrorCode.ConfigInvalid,
        'The one-off form needs both --from and --to.',
        'Example: cutover migrate --from imap://alice:PW@old.example.com --to imaps://alice@new.example.com --to-password-env NEW_PW',
      );
    const src = parseServerUrl(o.from, { passwordEnv: o.fromPasswordEnv, passwordFile: o.fromPasswordFile });
    const dst = parseServerUrl(o.to, { passwordEnv: o.toPasswordEnv, passwordFile: o.toPasswordFile });
    // A kind that cannot be on its side (POP3 is a source only) is refused, as in a project file.
    const sides = [
      { flag: '--from', other: '--to', url: o.from, side: 'source', kind: src.server.kind },
      { flag: '--to', other: '--from', url: o.to, side: 'destination', kind: dst.server.kind },
    ] as const;
    for (const { flag, other, url, side, kind } of sides) {
      const d = descriptorFor(kind);
      const notHere = d && roleProblem(d, side);
      if (!d || !notHere) continue;
      const fit = descriptors.find((x) => !roleProblem(x, side));
      const schemes = (x: ConnectorDescriptor | undefined, end: string) =>
        Object.keys(x?.urlSchemes ?? {}).map((scheme) => `${scheme}://${end}`);
      throw new PermanentError(
        ErrorCode.ConfigInvalid,
        `${flag} ${redactUrl(url)}: ${notHere}.`,
        `Write the ${side} as ${schemes(fit, '…').join(' or ')}; ${schemes(d, '').join(' and ')} go in ${other}.`,
      );
    }
    const folders = o.folders ? Number(o.folders) : 3;
    const items = oneOffItems(o, [src.server.kind, dst.server.kind]);
    const project: ProjectConfig = {
      name: 'one-off',
      source: src.server,
      destination: dst.server,
      defaults: optionsFromFlags(o, items),
      mailboxes: [
        {
          sourceUser: src.auth.user,
          destUser: dst.auth.user,
          sourceAuth: src.auth,
          destAuth: dst.auth,
          starred: false,
          options: optionsFromFlags(o, items),
        },
      ],
      concurrency: { mailboxes: 1, foldersPerMailbox: folders },
      limits: {},
    };
    return { project, dataDir: path.resolve(o.dataDir ?? defaultDataDir()), problems: [] };
  }
  const file = o.project ?? process.env.CUTOVER_PROJECT ?? 'cutover.yaml';
  if (!fs.existsSync(file))
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `No project file at ${path.resolve(file)}.`,
      'Pass --project FILE, set CUTOVER_PROJECT, or use the one-off form --from URL --to URL.',
    );
  const { config, problems } = loadProjectFile(file);
  // --items narrows or widens this run's item types for every mailbox of the project.
  const items = itemsFromFlag(o);
  if (items) for (const m of config.mailboxes) m.options = { ...m.options, itemTypes: items };
  const dataDir =
    o.dataDir ??
    process.env.CUTOVER_DATA_DIR ??
    (config.dataDir
      ? path.resolve(path.dirname(file), config.dataDir)
      : path.resolve(path.dirname(file), '.cutover'));
  return {
    project: config,
    dataDir: path.resolve(dataDir),
    problems: problems.map((p) => `${p.where}: ${p.message}\n  → ${p.hint}`),
  };
}

/** The store of commands that only read it: --database-url, $CUTOVER_DATABASE_URL, else the data directory's. */
export function resolveStore(o: { project?: string; dataDir?: string; databaseUrl?: string }): StoreTarget {
  return storeTarget({ databaseUrl: o.databaseUrl, dataDir: resolveDataDir(o) });
}

/** The data directory for commands that only read the store. */
export function resolveDataDir(o: { project?: string; dataDir?: string }): string {
  if (o.dataDir) return path.resolve(o.dataDir);
  if (process.env.CUTOVER_DATA_DIR) return path.resolve(process.env.CUTOVER_DATA_DIR);
  const file = o.project ?? process.env.CUTOVER_PROJECT ?? 'cutover.yaml';
  if (fs.existsSync(file)) return resolveTarget({ project: file }).dataDir;
  return defaultDataDir();
}
