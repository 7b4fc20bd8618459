/** TypeBox schemas of runs: start (by ids or filter), status, and the server-sent events of a project. */
import { Type, type Static } from '@sinclair/typebox';
import { MailboxStatus, StringEnum } from './common.js';

export const StartRunBody = Type.Object(
  {
    ids: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1 }), {
        minItems: 1,
        maxItems: 10_000,
        description: 'Up to 10,000; use a filter for more',
      }),
    ),
    filter: Type.Optional(
      Type.Object(
        {
          status: Type.Optional(MailboxStatus),
          starred: Type.Optional(Type.Boolean()),
          search: Type.Optional(Type.String({ maxLength: 200 })),
        },
        { additionalProperties: false },
      ),
    ),
    phase: Type.Optional(
      StringEnum(['prestage', 'recent', 'delta', 'final', 'catchup'], {
        description:
          'Narrow the pass to a phase of the plan: prestage (older than plan.prestageOlderThanDays), recent (the last plan.recentMonths before the cutover), delta/final (everything), catchup (everything, within plan.catchUpDays after the cutover). Default: everything.',
      }),
    ),
  },
  { additionalProperties: false, description: 'No ids and no filter: every mailbox of the project' },
);
export type StartRunBody = Static<typeof StartRunBody>;

export const RunStatus = Type.Object({
  projectId: Type.Integer(),
  state: StringEnum(['idle', 'running', 'pausing', 'paused']),
  startedAt: Type.Union([Type.String(), Type.Null()]),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  mailboxIds: Type.Array(Type.Integer()),
  phase: Type.Union([StringEnum(['prestage', 'recent', 'delta', 'final', 'catchup']), Type.Null()], {
    description: 'The phase of the current or last pass; null = everything',
  }),
  outcome: Type.Union([
    Type.Object({ done: Type.Integer(), failed: Type.Integer(), stopped: Type.Integer() }),
    Type.Null(),
  ]),
  error: Type.Union([Type.String(), Type.Null()]),
  throttledMailboxIds: Type.Array(Type.Integer(), { description: 'Throttled by a server right now' }),
  startedBy: Type.Union([Type.String(), Type.Null()], {
    description:
      'Where the pass was started when not by this server (another server, `cutover migrate --enqueue` on a shared database); null: by this one',
  }),
});

const MailboxProgress = Type.Object({
  mailboxId: Type.Integer(),
  label: Type.String(),
  planned: Type.Integer(),
  done: Type.Integer(),
  bytes: Type.Number(),
  status: Type.String(),
  throttledUntil: Type.Union([Type.String(), Type.Null()]),
});

/** The `data` of each event type (the SSE `event:` field names the type). */
export const RunEventData = Type.Object(
  {
    snapshot: Type.Object({ status: RunStatus, mailboxes: Type.Array(MailboxProgress) }),
    'run-started': Type.Object({
      projectId: Type.Integer(),
      mailboxIds: Type.Array(Type.Integer()),
      at: Type.String(),
    }),
    'run-finished': Type.Object({
      projectId: Type.Integer(),
      at: Type.String(),
      done: Type.Integer(),
      failed: Type.Integer(),
      stopped: Type.Integer(),
    }),
    progress: Type.Object({ mailboxes: Type.Array(MailboxProgress) }),
    throughput: Type.Object({
      at: Type.String(),
      messagesPerSecond: Type.Number(),
      bytesPerSecond: Type.Number(),
      throttledMailboxIds: Type.Array(Type.Integer()),
    }),
    alert: Type.Object({ alertId: Type.Integer(), change: StringEnum(['raised', 'changed']) }),
  },
  {
    description:
      'text/event-stream: each event is `event: <name>` and `data: <JSON>`; the properties here are the names and their data. The first event is `snapshot`; progress and throughput come at most once a second.',
  },
);
