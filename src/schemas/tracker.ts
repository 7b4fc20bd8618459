/** TypeBox schemas of the tracker: stage columns with colour-coded counts, drill-down, progress and ETA. */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './common.js';

export const STAGES = [
  'destination-ready',
  'credentials',
  'client-setup',
  'initial-sync',
  'dns',
  'final-sync',
] as const;
export const StageKey = StringEnum(STAGES);

const Counts = Type.Object(
  { done: Type.Integer(), running: Type.Integer(), attention: Type.Integer(), waiting: Type.Integer() },
  { description: 'Mailboxes per status: done (green), running (blue), attention (red), waiting (grey)' },
);

export const DomainDns = Type.Object({
  domain: Type.String(),
  status: StringEnum(['not-needed', 'pending', 'ready', 'failing'], {
    description: 'ready (green), pending: not checked yet (grey), failing (red): see reason',
  }),
  checkedAt: Type.Union([Type.String(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
});

export const Stage = Type.Object({
  key: StageKey,
  label: Type.String(),
  tracked: Type.Boolean({
    description: 'false: Cutover cannot compute this stage yet (see reason); no counts',
  }),
  reason: Type.Union([Type.String(), Type.Null()]),
  colour: StringEnum(['green', 'blue', 'red', 'grey']),
  counts: Type.Union([Counts, Type.Null()]),
  note: Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description: 'What the counts rest on (e.g. the cutover time, the last DNS check)',
    }),
  ),
  domains: Type.Optional(Type.Array(DomainDns, { description: 'DNS stage: each mail domain of the plan' })),
  verification: Type.Optional(
    Type.Object(
      {
        mailboxes: Type.Integer(),
        matches: Type.Integer({ description: 'Last verification current and nothing differs' }),
        differs: Type.Integer({ description: 'Last verification current and something differs' }),
        failed: Type.Integer({ description: 'Last verification could not read the destination' }),
        notVerified: Type.Integer({ description: 'Never verified' }),
        outdated: Type.Integer({ description: 'A pass wrote after the last verification' }),
        lastAt: Type.Union([Type.String(), Type.Null()], {
          description: 'When the newest verification ended',
        }),
        missing: Type.Integer(),
        flagsDiffer: Type.Integer(),
        extra: Type.Integer(),
        altered: Type.Integer(),
      },
      { description: 'Final-sync stage: what the last verification of each mailbox found' },
    ),
  ),
});

export type Stage = Static<typeof Stage>;

export const Tracker = Type.Object({
  projectId: Type.Integer(),
  mailboxes: Type.Integer(),
  stages: Type.Array(Stage),
  overall: Type.Object({
    byStatus: Type.Record(Type.String(), Type.Integer()),
    percentDone: Type.Number({ description: 'Mailboxes whose initial sync is done, of all' }),
  }),
  eta: Type.Union([
    Type.Object({
      finishAt: Type.Union([Type.String(), Type.Null()], {
        description: 'null: windows never allow it within a year',
      }),
      hours: Type.Union([Type.Number(), Type.Null()]),
      basis: Type.String({ description: 'Where the rates come from' }),
    }),
    Type.Null(),
  ]),
  etaNote: Type.Union([Type.String(), Type.Null()], { description: 'Why there is no ETA' }),
  throughput: Type.Array(
    Type.Object({ at: Type.String(), messagesPerSecond: Type.Number(), bytesPerSecond: Type.Number() }),
    { description: 'Samples of this server process, oldest first' },
  ),
  throttledMailboxIds: Type.Array(Type.Integer()),
  alerts: Type.Object({ critical: Type.Integer(), advisory: Type.Integer() }),
  items: Type.Record(
    Type.String(),
    Type.Object({
      copied: Type.Integer(),
      present: Type.Integer(),
      skipped: Type.Integer(),
      failed: Type.Integer(),
    }),
    { description: 'Items that are not messages (filters, contacts, calendars, tasks) by type and outcome' },
  ),
  workers: Type.Array(
    Type.Object({
      host: Type.String(),
      pid: Type.Integer(),
      startedAt: Type.String(),
      heartbeatAt: Type.String(),
      concurrency: Type.Integer({ description: 'Mailboxes it may run at once' }),
      running: Type.Integer({ description: 'Mailboxes it runs now' }),
      state: Type.Union([Type.Literal('working'), Type.Literal('silent'), Type.Literal('stopped')], {
        description: 'silent: no heartbeat for 30 s (killed, or cut off from the database)',
      }),
    }),
    {
      description:
        'cutover worker processes on the shared database (PostgreSQL), running or stopped within the last hour',
    },
  ),
});
export type Tracker = Static<typeof Tracker>;

export const StageParams = Type.Object({ id: Type.Integer({ minimum: 1 }), stage: StageKey });
export type StageParams = Static<typeof StageParams>;

export const StageQuery = Type.Object(
  {
    offset: Type.Integer({ minimum: 0, default: 0 }),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
    state: Type.Optional(StringEnum(['running', 'attention', 'waiting'])),
  },
  { additionalProperties: false },
);
export type StageQuery = Static<typeof StageQuery>;

export const StageMailbox = Type.Object({
  id: Type.Integer(),
  sourceUser: Type.String(),
  destUser: Type.String(),
  state: StringEnum(['done', 'running', 'attention', 'waiting']),
  lastError: Type.Union([Type.String(), Type.Null()]),
});

export const DnsCheckBody = Type.Object(
  {
    timeoutSeconds: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 120, default: 10, description: 'Give up the lookups after this' }),
    ),
  },
  { additionalProperties: false },
);
export type DnsCheckBody = Static<typeof DnsCheckBody>;

export const DnsCheckResult = Type.Object({
  ready: Type.Boolean({ description: 'Every domain of the plan is ready (or the plan moves none)' }),
  domains: Type.Array(DomainDns),
});
