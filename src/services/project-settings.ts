/**
 * A project's settings as stored (one JSON document, secrets sealed by the secret box), and the three
 * shapes built from it: what the API shows (no secrets), what the engine runs (ProjectConfig), and the
 * stored form made from the API's input or from a project file.
 */
import { parseClock } from '../config/plan.js';
import type { GmailSettings, MailboxOptions, ProjectConfig, SecretRef, ServerSpec } from '../config/types.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Defaults, ServerIn, ServerOut, Window } from '../schemas/projects.js';
import { planFromConfig, type StoredPlan } from './project-plan.js';
import { validatePlanAndFolders, validateServer } from './project-validate.js';
import { InvalidInputError } from '../errors.js';
import { projectProblem, roleProblem } from '../connectors/descriptor.js';
import { descriptorFor, descriptors } from '../connectors/registry.js';

import type { StoredSecret } from './stored-secret.js';

/** A server as stored. */
export interface StoredServer extends Omit<ServerSpec, 'admin' | 'gmail'> {
  admin?: { user: string; mode: 'master' | 'password'; password: StoredSecret };
  gmail?: Omit<GmailSettings, 'oauthClient'> & { oauthClient?: { id: string; secret: StoredSecret } };
}

/** Every setting of a project, as stored in `projects.settings`. */
export interface StoredSettings {
  source: StoredServer;
  destination: StoredServer;
  defaults: Required<Defaults>;
  concurrency: { mailboxes: number; foldersPerMailbox: number };
  limits: { messagesPerSecond?: number; bytesPerSecond?: number };
  timezone: string;
  windows: Window[];
  /** The cutover plan; absent = the defaults. */
  plan?: StoredPlan;
}

/** Context a project admin password is sealed under (a sealed value moved elsewhere will not open). */
const adminContext = (side: string) => `project-admin:${side}`;
const oauthContext = (side: string) => `project-oauth-client:${side}`;

/** Where a server's logins are sent: a stored secret is kept only while all of this stays the same. */
const endpoint = (s: Omit<StoredServer, 'admin'> | ServerSpec) =>
  JSON.stringify([
    s.kind,
    s.host,
    s.port,
    // Each kind's settings that say where logins go (its descriptor's endpointKeys).
    ...descriptors.flatMap((d) => {
      const block =
        d.settingsKey && (s as unknown as Record<string, Record<string, unknown> | undefined>)[d.settingsKey];
      return (d.endpointKeys ?? []).map((key) => (block ? block[key] : undefined));
    }),
  ]);

/** The stored form of a server from the API's input; `previous` keeps the password when none is sent. */
export function storeServer(
  box: SecretBox,
  side: 'source' | 'destination',
  s: ServerIn,
  previous?: StoredServer,
): StoredServer {
  const d = descriptorFor(s.kind);
  const notHere = d && (roleProblem(d, side) ?? projectProblem(d));
  if (notHere)
    throw new InvalidInputError(
      `${notHere}.`,
      `Choose ${descriptors.filter((x) => !roleProblem(x, side) && !projectProblem(x))[0]?.kind} for the ${side}.`,
    );
  const checked = validateServer(side, s);
  const { admin: _admin, gmail, ...spec } = checked;
  const out: StoredServer = { ...spec, ...(s.testMailbox ? { testMailbox: s.testMailbox } : {}) };
  const sameEndpoint = previous !== undefined && endpoint(previous) === endpoint(checked);
  if (gmail) {
    const { oauthClient, ...rest } = gmail;
    out.gmail = rest;
    if (oauthClient) {
      const given = s.gmail?.oauthClient?.secret;
      const prev = previous?.gmail?.oauthClient;
      const secret = given
        ? { sealed: box.seal(given, oauthContext(side)) }
        : sameEndpoint && prev?.id === oauthClient.id
          ? prev.secret
          : undefined;
      if (!secret)
        throw new InvalidInputError(
          `${side}.gmail.oauthClient has no secret (a stored one is kept only for the same client and server).`,
          'Send gmail.oauthClient.secret (stored encrypted, never shown again).',
        );
      out.gmail.oauthClient = { id: oauthClient.id, secret };
    }
  }
  if (s.admin) {
    // A stored password is kept only for the same login on the same server: it is never sent to a new host.
    const same = previous?.admin && previous.admin.user === s.admin.user && sameEndpoint;
    let password: StoredSecret | undefined = same ? previous.admin!.password : undefined;
    if (s.admin.password) password = { sealed: box.seal(s.admin.password, adminContext(side)) };
    if (!password)
      throw new InvalidInputError(
        previous?.admin
          ? `${side}.admin: the server or the admin login changed, so the stored password is not used for it.`
          : `${side}.admin has no password.`,
        'Send admin.password (it is stored encrypted and never shown again).',
      );
    out.admin = { user: s.admin.user, mode: s.admin.mode, password };
  }
  return out;
}

/** The URL of a CalDAV/CardDAV server beside a mail server, as the operator wrote it. */
function groupwareUrlOf(g: ServerSpec): string {
  const secure = g.tls !== 'none';
  const port = g.port === (secure ? 443 : 80) ? '' : `:${g.port}`;
  const host = g.host.includes(':') ? `[${g.host}]` : g.host;
  return `${secure ? 'https' : 'http'}://${host}${port}${g.dav?.path ?? '/'}`;
}

/** A server as the API shows it: whether a password is set, never the password. */
export function showServer(s: StoredServer): ServerOut {
  const p = s.admin?.password;
  const oauth = s.gmail?.oauthClient;
  return {
    kind: s.kind,
    host: s.host,
    port: s.port,
    tls: s.tls,
    allowInvalidCertificates: s.allowInvalidCertificates,
    maxConnections: s.maxConnections,
    testMailbox: s.testMailbox ?? null,
    admin: s.admin
      ? {
          user: s.admin.user,
          mode: s.admin.mode,
          passwordSet: Boolean(p),
          passwordSource: !p ? 'none' : 'sealed' in p ? 'stored' : 'env' in p ? 'env' : 'file',
        }
      : null,
    groupwareUrl: s.groupware ? groupwareUrlOf(s.groupware) : null,
    graph: s.graph ?? null,
    imap: s.imap ?? null,
    gmail: s.gmail ? { ...s.gmail, oauthClient: oauth ? { id: oauth.id, secretSet: true } : null } : null,
  };
}

/** Defaults with every key present (nulls for absent dates and sizes), checked as a project file's. */
export function fullDefaults(d: Defaults | undefined): Required<Defaults> {
  const out = filledDefaults(d);
  checkRange(out.since, out.before, 'defaults');
  // The project file's reader checks the regexes and renames, as for --project FILE.
  validatePlanAndFolders(
    { map: out.folderMap, regex: out.folderRegex, include: out.includeFolders, exclude: out.excludeFolders },
    undefined,
    'UTC',
  );
  return out;
}

/** Defaults with every key present, unchecked (stored ones from before a key existed). */
export function filledDefaults(d: Defaults | undefined): Required<Defaults> {
  return {
    itemTypes: d?.itemTypes ?? ['mail'],
    since: d?.since ?? null,
    before: d?.before ?? null,
    maxMessageBytes: d?.maxMessageBytes ?? null,
    includeFolders: d?.includeFolders ?? [],
    excludeFolders: d?.excludeFolders ?? [],
    folderMap: d?.folderMap ?? [],
    folderRegex: d?.folderRegex ?? [],
  };
}

/** A date range must run forwards. */
export function checkRange(
  since: string | null | undefined,
  before: string | null | undefined,
  where: string,
) {
  if (since && before && since >= before)
    throw new InvalidInputError(
      `${where}: since (${since}) must be before "before" (${before}).`,
      'Swap the dates, or clear one of them.',
    );
}

/** Throttling windows and time zone, checked. */
export function checkSchedule(timezone: string, windows: Window[]): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new InvalidInputError(
      `"${timezone}" is not a time zone.`,
      'Use an IANA name such as Europe/Berlin.',
    );
  }
  for (const w of windows)
    for (const t of [w.from, w.to])
      if (parseClock(t) === undefined)
        throw new InvalidInputError(
          `Window time "${t}" is not a time of day.`,
          'Write HH:MM, 00:00 to 24:00.',
        );
}

function openSecret(box: SecretBox, side: string, p: StoredSecret): SecretRef {
  return 'sealed' in p ? { value: box.open(p.sealed, adminContext(side)) } : p;
}

/** The server as the engine takes it (the admin password opened). */
export function runtimeServer(box: SecretBox, side: string, s: StoredServer): ServerSpec {
  const { admin, gmail, ...rest } = s;
  const oauth = gmail?.oauthClient;
  return {
    ...rest,
    ...(gmail
      ? {
          gmail: {
            ...gmail,
            oauthClient: oauth && {
              id: oauth.id,
              secret:
                'sealed' in oauth.secret
                  ? { value: box.open(oauth.secret.sealed, oauthContext(side)) }
                  : oauth.secret,
            },
          },
        }
      : {}),
    ...(admin
      ? { admin: { user: admin.user, mode: admin.mode, password: openSecret(box, side, admin.password) } }
      : {}),
  };
}

/** The server without its login: enough to name it (mailbox keys name the servers). */
export function serverIdentity(s: StoredServer): ServerSpec {
  const { admin: _admin, gmail, ...rest } = s;
  if (!gmail) return rest;
  const { oauthClient: _client, ...settings } = gmail;
  return { ...rest, gmail: settings };
}

/** Mailbox options from the project defaults. */
export function runtimeOptions(d: Required<Defaults>): MailboxOptions {
  return {
    itemTypes: d.itemTypes,
    ...(d.since ? { since: new Date(`${d.since}T00:00:00Z`) } : {}),
    ...(d.before ? { before: new Date(`${d.before}T00:00:00Z`) } : {}),
    ...(d.maxMessageBytes ? { maxMessageBytes: d.maxMessageBytes } : {}),
    folders: {
      map: d.folderMap ?? [],
      regex: d.folderRegex ?? [],
      include: d.includeFolders,
      exclude: d.excludeFolders,
    },
  };
}

const ymd = (d: Date | undefined) => (d ? d.toISOString().slice(0, 10) : null);
const clock = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** Stored settings from a project file (serve --project): inline passwords are sealed, references kept. */
export function settingsFromConfig(box: SecretBox, c: ProjectConfig): StoredSettings {
  const seal = (p: SecretRef, context: string): StoredSecret =>
    'value' in p ? { sealed: box.seal(p.value, context) } : p;
  const server = (side: 'source' | 'destination', s: ServerSpec): StoredServer => {
    const { admin, gmail, ...rest } = s;
    const out: StoredServer = rest;
    if (gmail) {
      const { oauthClient, ...settings } = gmail;
      out.gmail = settings;
      if (oauthClient)
        out.gmail.oauthClient = { id: oauthClient.id, secret: seal(oauthClient.secret, oauthContext(side)) };
    }
    if (admin)
      out.admin = { user: admin.user, mode: admin.mode, password: seal(admin.password, adminContext(side)) };
    return out;
  };
  return {
    source: server('source', c.source),
    destination: server('destination', c.destination),
    defaults: {
      itemTypes: c.defaults.itemTypes,
      since: ymd(c.defaults.since),
      before: ymd(c.defaults.before),
      maxMessageBytes: c.defaults.maxMessageBytes ?? null,
      includeFolders: c.defaults.folders.include,
      excludeFolders: c.defaults.folders.exclude,
      folderMap: c.defaults.folders.map,
      folderRegex: c.defaults.folders.regex,
    },
    concurrency: c.concurrency,
    limits: c.limits,
    timezone: c.plan?.timezone ?? 'UTC',
    windows: (c.plan?.windows ?? []).map((w) => ({ ...w, from: clock(w.from), to: clock(w.to) })),
    ...(c.plan ? { plan: planFromConfig(box, c.plan) } : {}),
  };
}
