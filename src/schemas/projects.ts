/** TypeBox schemas of projects: settings in (with write-only secrets), settings out (secrets as `passwordSet`). */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { GmailIn, GmailOut } from '../connectors/gmail/gmail-settings.js';
import type { GraphIn, GraphOut } from '../connectors/graph/graph-settings.js';
import type { ImapIn } from '../connectors/imap/imap-settings.js';
import { descriptors } from '../connectors/registry.js';
import { StringEnum } from './common.js';

const Clock = Type.String({ pattern: '^\\d{1,2}:\\d{2}$', description: 'HH:MM, 24-hour, project time zone' });

/** A throttling window: on these weekdays between `from` and `to`, at most `concurrency` mailboxes at once. */
export const Window = Type.Object(
  {
    days: Type.Array(Type.Integer({ minimum: 0, maximum: 6 }), {
      minItems: 1,
      maxItems: 7,
      description: 'Weekdays, 0 = Sunday',
    }),
    from: Clock,
    to: Type.String({
      pattern: '^\\d{1,2}:\\d{2}$',
      description: 'HH:MM; at or before `from` runs past midnight; 24:00 is the end of the day',
    }),
    concurrency: Type.Integer({ minimum: 0, maximum: 1000, description: 'Mailboxes at once; 0 pauses' }),
  },
  { additionalProperties: false },
);
export type Window = Static<typeof Window>;

const AdminIn = Type.Object(
  {
    user: Type.String({ minLength: 1, maxLength: 320 }),
    mode: StringEnum(['master', 'password'], {
      description: 'master: acts for every mailbox; password: its own login only',
    }),
    password: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 16384,
        description:
          "Write-only; stored encrypted. Graph: the app's client secret (user = its client id); Gmail: the service account's JSON key (user = the Workspace admin). Omit on update to keep the stored one — only while kind, host, port and user stay the same (a stored password is never sent to a new server).",
      }),
    ),
  },
  { additionalProperties: false },
);

/** The connector kinds' names, in the registry's order. */
const KINDS = descriptors.map((d) => d.kind);

/** "POP3 can only be a source; graph = Microsoft 365, gmail = Google Workspace", from the descriptors. */
const kindNotes = [
  ...descriptors.filter((d) => !d.roles.includes('destination')).map((d) => `${d.name} can only be a source`),
  descriptors
    .filter((d) => d.defaultHost !== undefined)
    .map((d) => `${d.kind} = ${d.name}`)
    .join(', '),
]
  .filter(Boolean)
  .join('; ');

/** Each kind's settings block, as the API takes it (`in`) or shows it (`out`). */
const settingsBlocks = (which: 'in' | 'out') =>
  Object.fromEntries(
    descriptors.flatMap((d) => {
      const schema = which === 'in' ? d.settings : d.settingsOut;
      if (!d.settingsKey || !schema) return [];
      const block = Type.Union([schema, Type.Null()]);
      return [[d.settingsKey, which === 'in' ? Type.Optional(block) : block]];
    }),
  ) as Record<string, TSchema>;

const GROUPWARE_URL =
  "The CalDAV/CardDAV server beside this one, where the mailboxes' contacts, calendars and tasks are (https://HOST[:PORT]/PATH; each mailbox logs in with its own login); null: none";

/** A server as sent by the client; host, port and tls default as in a project file. */
export const ServerIn = Type.Object(
  {
    kind: StringEnum(KINDS, { description: kindNotes }),
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    tls: Type.Optional(StringEnum(['tls', 'starttls', 'none'])),
    allowInvalidCertificates: Type.Optional(Type.Boolean({ default: false })),
    maxConnections: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 10 })),
    testMailbox: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
    admin: Type.Optional(Type.Union([AdminIn, Type.Null()])),
    groupwareUrl: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 2000, description: GROUPWARE_URL }), Type.Null()]),
    ),
    ...settingsBlocks('in'),
  },
  { additionalProperties: false },
);
/** The settings blocks' types (the schema is built from the registry, so TypeScript cannot see them). */
type SettingsIn = {
  graph?: Static<typeof GraphIn> | null;
  gmail?: Static<typeof GmailIn> | null;
  imap?: Static<typeof ImapIn> | null;
};
type SettingsOut = {
  graph: Static<typeof GraphOut> | null;
  gmail: Static<typeof GmailOut> | null;
  imap: Static<typeof ImapIn> | null;
};
export type ServerIn = Static<typeof ServerIn> & SettingsIn;

/** A server as the API shows it: never the secret, only whether one is set and where it comes from. */
export const ServerOut = Type.Object({
  kind: StringEnum(KINDS),
  host: Type.String(),
  port: Type.Integer(),
  tls: StringEnum(['tls', 'starttls', 'none']),
  allowInvalidCertificates: Type.Boolean(),
  maxConnections: Type.Integer(),
  testMailbox: Type.Union([Type.String(), Type.Null()]),
  admin: Type.Union([
    Type.Object({
      user: Type.String(),
      mode: StringEnum(['master', 'password']),
      passwordSet: Type.Boolean(),
      passwordSource: StringEnum(['stored', 'env', 'file', 'none']),
    }),
    Type.Null(),
  ]),
  groupwareUrl: Type.Union([Type.String({ description: GROUPWARE_URL }), Type.Null()]),
  ...settingsBlocks('out'),
});
export type ServerOut = Static<typeof ServerOut> & SettingsOut;

export const ItemType = StringEnum(['mail', 'contacts', 'calendars', 'tasks', 'filters']);
const DateOrNull = Type.Union([Type.String({ format: 'date' }), Type.Null()]);

const FolderMap = Type.Object(
  { from: Type.String({ minLength: 1, maxLength: 500 }), to: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
);
const FolderRegex = Type.Object(
  {
    pattern: Type.String({ minLength: 1, maxLength: 500 }),
    replacement: Type.String({ maxLength: 500, description: 'JavaScript replace syntax ($1…)' }),
  },
  { additionalProperties: false },
);

const planFields = {
  cutover: Type.Optional(
    Type.Union([Type.String({ maxLength: 40 }), Type.Null()], {
      description: 'Cutover time: "2026-12-12T18:00" in the project time zone, or ISO with an offset',
    }),
  ),
  notifyFrom: Type.Optional(
    Type.Union([Type.String({ maxLength: 40 }), Type.Null()], {
      description: 'When end-user communications start; same forms as cutover',
    }),
  ),
  mode: Type.Optional(StringEnum(['credentials', 'admin', 'oauth'])),
  communications: Type.Optional(StringEnum(['none', 'users', 'contact', 'operator'])),
  contact: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 320 }), Type.Null()])),
  domains: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 253 }), { maxItems: 1000 })),
  dns: Type.Optional(StringEnum(['self-service', 'zone', 'dynamic'])),
  dnsTarget: Type.Optional(
    Type.Union([
      Type.Object(
        {
          kind: StringEnum(['microsoft365', 'google', 'imap']),
          mxHost: Type.Optional(Type.String({ maxLength: 253 })),
          imapHost: Type.Optional(Type.String({ maxLength: 253 })),
          smtpHost: Type.Optional(Type.String({ maxLength: 253 })),
          tenantPrefix: Type.Optional(Type.String({ maxLength: 253 })),
          autoconfigHost: Type.Optional(Type.String({ maxLength: 253 })),
          verification: Type.Optional(Type.Array(Type.String({ maxLength: 500 }), { maxItems: 50 })),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
  ),
  prestageOlderThanDays: Type.Optional(
    Type.Union([Type.Integer({ minimum: 0, maximum: 36500 }), Type.Null()]),
  ),
  recentMonths: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1200 }), Type.Null()])),
  catchUpDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 365 })),
  addressReplacements: Type.Optional(
    Type.Array(
      Type.Object(
        {
          from: Type.String({ minLength: 2, maxLength: 320 }),
          to: Type.String({ minLength: 2, maxLength: 320 }),
        },
        { additionalProperties: false },
      ),
      { maxItems: 10000, description: 'Old address or @domain → new' },
    ),
  ),
};

/** The cutover plan (time zone and windows are the project's own settings). */
export const PlanIn = Type.Object(
  {
    ...planFields,
    dnsServer: Type.Optional(
      Type.Union([
        Type.Object(
          {
            host: Type.String({ minLength: 1, maxLength: 253 }),
            port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
            keyName: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
            keySecret: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 1000,
                description: 'TSIG secret, write-only; omit on update to keep it (same host and key name)',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ]),
    ),
  },
  {
    additionalProperties: false,
    description:
      'The cutover plan; on update a plan sent replaces the stored one whole (its DNS key is kept while the name server and key name stay)',
  },
);
export type PlanIn = Static<typeof PlanIn>;

/** The plan as the API shows it: times as ISO instants, the DNS key only as `keySecretSet`. */
export const PlanOut = Type.Object({
  cutover: Type.Union([Type.String(), Type.Null()]),
  notifyFrom: Type.Union([Type.String(), Type.Null()]),
  mode: StringEnum(['credentials', 'admin', 'oauth']),
  communications: StringEnum(['none', 'users', 'contact', 'operator']),
  contact: Type.Union([Type.String(), Type.Null()]),
  domains: Type.Array(Type.String()),
  dns: StringEnum(['self-service', 'zone', 'dynamic']),
  dnsServer: Type.Union([
    Type.Object({
      host: Type.String(),
      port: Type.Integer(),
      keyName: Type.Union([Type.String(), Type.Null()]),
      keySecretSet: Type.Boolean(),
    }),
    Type.Null(),
  ]),
  dnsTarget: planFields.dnsTarget,
  prestageOlderThanDays: Type.Union([Type.Integer(), Type.Null()]),
  recentMonths: Type.Union([Type.Integer(), Type.Null()]),
  catchUpDays: Type.Integer(),
  addressReplacements: Type.Array(Type.Object({ from: Type.String(), to: Type.String() })),
});
export type PlanOut = Static<typeof PlanOut>;

/** Migration options a project gives every mailbox (a mailbox may override item types and dates). */
export const Defaults = Type.Object(
  {
    itemTypes: Type.Array(ItemType, { minItems: 1, uniqueItems: true }),
    since: Type.Optional(DateOrNull),
    before: Type.Optional(DateOrNull),
    maxMessageBytes: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    includeFolders: Type.Optional(Type.Array(Type.String({ maxLength: 500 }))),
    excludeFolders: Type.Optional(Type.Array(Type.String({ maxLength: 500 }))),
    folderMap: Type.Optional(
      Type.Array(FolderMap, { maxItems: 1000, description: 'Exact renames, source path → destination path' }),
    ),
    folderRegex: Type.Optional(
      Type.Array(FolderRegex, { maxItems: 1000, description: 'Regex renames over the source path' }),
    ),
  },
  { additionalProperties: false },
);
export type Defaults = Static<typeof Defaults>;

const settings = {
  source: ServerIn,
  destination: ServerIn,
  defaults: Type.Optional(Defaults),
  concurrency: Type.Optional(
    Type.Object(
      {
        mailboxes: Type.Integer({ minimum: 1, maximum: 1000 }),
        foldersPerMailbox: Type.Integer({ minimum: 1, maximum: 100 }),
      },
      { additionalProperties: false },
    ),
  ),
  limits: Type.Optional(
    Type.Object(
      {
        messagesPerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
        bytesPerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
      },
      { additionalProperties: false },
    ),
  ),
  timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone' })),
  windows: Type.Optional(Type.Array(Window, { maxItems: 100 })),
  plan: Type.Optional(PlanIn),
};

export const ProjectCreate = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), ...settings },
  { additionalProperties: false },
);
export type ProjectCreate = Static<typeof ProjectCreate>;

/** Any subset of the settings; a server given replaces the stored one (its password kept when omitted). */
export const ProjectUpdate = Type.Partial(ProjectCreate, { additionalProperties: false });
export type ProjectUpdate = Static<typeof ProjectUpdate>;

export const Project = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  source: ServerOut,
  destination: ServerOut,
  defaults: Type.Object({
    itemTypes: Type.Array(ItemType),
    since: DateOrNull,
    before: DateOrNull,
    maxMessageBytes: Type.Union([Type.Integer(), Type.Null()]),
    includeFolders: Type.Array(Type.String()),
    excludeFolders: Type.Array(Type.String()),
    folderMap: Type.Array(Type.Object({ from: Type.String(), to: Type.String() })),
    folderRegex: Type.Array(Type.Object({ pattern: Type.String(), replacement: Type.String() })),
  }),
  concurrency: Type.Object({ mailboxes: Type.Integer(), foldersPerMailbox: Type.Integer() }),
  limits: Type.Object({
    messagesPerSecond: Type.Union([Type.Number(), Type.Null()]),
    bytesPerSecond: Type.Union([Type.Number(), Type.Null()]),
  }),
  timezone: Type.String(),
  windows: Type.Array(Window),
  plan: PlanOut,
  mailboxCount: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type Project = Static<typeof Project>;

export const ProjectQuery = Type.Object(
  {
    offset: Type.Integer({ minimum: 0, default: 0 }),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    search: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export type ProjectQuery = Static<typeof ProjectQuery>;

export const SideParams = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  side: StringEnum(['source', 'destination']),
});
export type SideParams = Static<typeof SideParams>;

/** One login tried by a connection test, and what it found (or why it failed, in plain words). */
export const ConnectionCheck = Type.Object({
  label: Type.String({ description: 'e.g. "source admin", "source mailbox alice@old.example"' }),
  ok: Type.Boolean(),
  capabilities: Type.Array(Type.String()),
  folders: Type.Union([Type.Integer(), Type.Null()]),
  delimiter: Type.Union([Type.String(), Type.Null()]),
  appendLimit: Type.Union([Type.Number(), Type.Null()]),
  quota: Type.Union([
    Type.Object({
      usedBytes: Type.Union([Type.Number(), Type.Null()]),
      limitBytes: Type.Union([Type.Number(), Type.Null()]),
    }),
    Type.Null(),
  ]),
  error: Type.Union([
    Type.Object({
      code: Type.String(),
      message: Type.String(),
      hint: Type.Union([Type.String(), Type.Null()]),
    }),
    Type.Null(),
  ]),
});

export const ConnectionTest = Type.Object({
  side: StringEnum(['source', 'destination']),
  ok: Type.Boolean(),
  checks: Type.Array(ConnectionCheck),
});
export type ConnectionTest = Static<typeof ConnectionTest>;
