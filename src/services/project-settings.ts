/**
 * A project's settings as stored (one JSON document, secrets sealed by the secret box), and the three
 * shapes built from it: what the API shows (no secrets), what the engine runs (ProjectConfig), and the
 * stored form made from the API's input or from a project file.
 */
import { parseClock } from '../config/plan.js';
import type { MailboxOptions, ProjectConfig, SecretRef, ServerSpec } from '../config/types.js';
import type { SecretBox } from '../security/secret-box.js';
import type { Defaults, ServerIn, ServerOut, Window } from '../server/schemas-projects.js';
import { InvalidInputError } from './service-errors.js';

/** A secret as stored: sealed, or a reference to where it lives (an environment variable, a file). */
export type StoredSecret = { sealed: string } | { env: string } | { file: string };

/** A server as stored. */
export interface StoredServer extends Omit<ServerSpec, 'admin' | 'gmail'> {
  admin?: { user: string; mode: 'master' | 'password'; password: StoredSecret };
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
}

/** Context a project admin password is sealed under (a sealed value moved elsewhere will not open). */
const adminContext = (side: string) => `project-admin:${side}`;

/** The stored form of a server from the API's input; `previous` keeps the password when none is sent. */
export function storeServer(
  box: SecretBox,
  side: 'source' | 'destination',
  s: ServerIn,
  previous?: StoredServer,
): StoredServer {
  if (side === 'destination' && s.kind === 'pop3')
    throw new InvalidInputError(
      'POP3 can only be a source; it has no way to store messages on the server.',
      'Choose imap for the destination.',
    );
  const out: StoredServer = {
    kind: s.kind,
    host: s.host,
    port: s.port,
    tls: s.tls,
    allowInvalidCertificates: s.allowInvalidCertificates ?? false,
    maxConnections: s.maxConnections ?? 10,
    ...(s.testMailbox ? { testMailbox: s.testMailbox } : {}),
  };
  if (s.admin) {
    // A stored password is kept only for the same login on the same server: it is never sent to a new host.
    const same =
      previous?.admin &&
      previous.admin.user === s.admin.user &&
      previous.kind === s.kind &&
      previous.host === s.host &&
      previous.port === s.port;
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

/** A server as the API shows it: whether a password is set, never the password. */
export function showServer(s: StoredServer): ServerOut {
  const p = s.admin?.password;
  return {
    kind: s.kind === 'pop3' ? 'pop3' : 'imap',
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
  };
}

/** Defaults with every key present (nulls for absent dates and sizes). */
export function fullDefaults(d: Defaults | undefined): Required<Defaults> {
  const out: Required<Defaults> = {
    itemTypes: d?.itemTypes ?? ['mail'],
    since: d?.since ?? null,
    before: d?.before ?? null,
    maxMessageBytes: d?.maxMessageBytes ?? null,
    includeFolders: d?.includeFolders ?? [],
    excludeFolders: d?.excludeFolders ?? [],
  };
  checkRange(out.since, out.before, 'defaults');
  for (const r of [...out.includeFolders, ...out.excludeFolders]) {
    try {
      new RegExp(r);
    } catch (err) {
      throw new InvalidInputError(
        `Folder rule /${r}/ is not a valid regular expression: ${(err as Error).message}`,
        'Fix the regular expression (JavaScript syntax).',
      );
    }
  }
  return out;
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
  const { admin, ...rest } = s;
  return {
    ...rest,
    ...(admin
      ? { admin: { user: admin.user, mode: admin.mode, password: openSecret(box, side, admin.password) } }
      : {}),
  };
}

/** The server without its login: enough to name it (mailbox keys name the servers). */
export function serverIdentity(s: StoredServer): ServerSpec {
  const { admin: _admin, ...rest } = s;
  return rest;
}

/** Mailbox options from the project defaults. */
export function runtimeOptions(d: Required<Defaults>): MailboxOptions {
  return {
    itemTypes: d.itemTypes,
    ...(d.since ? { since: new Date(`${d.since}T00:00:00Z`) } : {}),
    ...(d.before ? { before: new Date(`${d.before}T00:00:00Z`) } : {}),
    ...(d.maxMessageBytes ? { maxMessageBytes: d.maxMessageBytes } : {}),
    folders: { map: [], regex: [], include: d.includeFolders, exclude: d.excludeFolders },
  };
}

const ymd = (d: Date | undefined) => (d ? d.toISOString().slice(0, 10) : null);
const clock = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** Stored settings from a project file (serve --project): inline passwords are sealed, references kept. */
export function settingsFromConfig(box: SecretBox, c: ProjectConfig): StoredSettings {
  const server = (side: 'source' | 'destination', s: ServerSpec): StoredServer => {
    const { admin, gmail: _gmail, ...rest } = s;
    if (!admin) return rest;
    const p = admin.password;
    const password: StoredSecret = 'value' in p ? { sealed: box.seal(p.value, adminContext(side)) } : p;
    return { ...rest, admin: { user: admin.user, mode: admin.mode, password } };
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
    },
    concurrency: c.concurrency,
    limits: c.limits,
    timezone: c.plan?.timezone ?? 'UTC',
    windows: (c.plan?.windows ?? []).map((w) => ({ ...w, from: clock(w.from), to: clock(w.to) })),
  };
}
