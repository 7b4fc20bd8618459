/** TypeBox schemas of projects: settings in (with write-only secrets), settings out (secrets as `passwordSet`). */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './schemas.js';

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
        maxLength: 4096,
        description:
          'Write-only; stored encrypted. Omit on update to keep the stored one — only while kind, host, port and user stay the same (a stored password is never sent to a new server).',
      }),
    ),
  },
  { additionalProperties: false },
);

/** A server as sent by the client. */
export const ServerIn = Type.Object(
  {
    kind: StringEnum(['imap', 'pop3'], { description: 'POP3 can only be a source' }),
    host: Type.String({ minLength: 1, maxLength: 253 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    tls: StringEnum(['tls', 'starttls', 'none']),
    allowInvalidCertificates: Type.Optional(Type.Boolean({ default: false })),
    maxConnections: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 10 })),
    testMailbox: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
    admin: Type.Optional(Type.Union([AdminIn, Type.Null()])),
  },
  { additionalProperties: false },
);
export type ServerIn = Static<typeof ServerIn>;

/** A server as the API shows it: never the secret, only whether one is set and where it comes from. */
export const ServerOut = Type.Object({
  kind: StringEnum(['imap', 'pop3']),
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
});
export type ServerOut = Static<typeof ServerOut>;

export const ItemType = StringEnum(['mail', 'contacts', 'calendars', 'tasks', 'filters']);
const DateOrNull = Type.Union([Type.String({ format: 'date' }), Type.Null()]);

/** Migration options a project gives every mailbox (a mailbox may override item types and dates). */
export const Defaults = Type.Object(
  {
    itemTypes: Type.Array(ItemType, { minItems: 1, uniqueItems: true }),
    since: Type.Optional(DateOrNull),
    before: Type.Optional(DateOrNull),
    maxMessageBytes: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    includeFolders: Type.Optional(Type.Array(Type.String({ maxLength: 500 }))),
    excludeFolders: Type.Optional(Type.Array(Type.String({ maxLength: 500 }))),
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
  }),
  concurrency: Type.Object({ mailboxes: Type.Integer(), foldersPerMailbox: Type.Integer() }),
  limits: Type.Object({
    messagesPerSecond: Type.Union([Type.Number(), Type.Null()]),
    bytesPerSecond: Type.Union([Type.Number(), Type.Null()]),
  }),
  timezone: Type.String(),
  windows: Type.Array(Window),
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
