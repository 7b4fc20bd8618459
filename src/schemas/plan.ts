/** The Plan page's API: the order summary with the estimate and warnings, and the scheduled phases. */
import { Type } from '@sinclair/typebox';

const Str = Type.String();
const NStr = Type.Union([Type.String(), Type.Null()]);

export const PlanView = Type.Object({
  mailboxes: Type.Integer(),
  starred: Type.Integer(),
  messages: Type.Number(),
  bytes: Type.Number(),
  itemTypes: Type.Array(Str),
  mode: Str,
  communications: Str,
  contact: NStr,
  dns: Str,
  domains: Type.Array(Str),
  timezone: Str,
  notifyFrom: Str,
  cutover: NStr,
  suggestedCutover: NStr,
  suggestedWhy: Type.Union([Type.String(), Type.Null()], { description: 'Why that date, in words' }),
  estimate: Type.Object({
    basis: Str,
    start: Str,
    finish: NStr,
    hours: Type.Union([Type.Number(), Type.Null()]),
  }),
  scan: Type.Union([Type.Object({ id: Type.Integer(), status: Str, startedAt: Str }), Type.Null()]),
  warnings: Type.Array(Type.Object({ level: Str, text: Str })),
  rows: Type.Array(
    Type.Object({
      mailbox: Str,
      destination: Str,
      starred: Type.Boolean(),
      messages: Type.Number(),
      bytes: Type.Number(),
      alreadyMigrated: Type.Number(),
      hours: Type.Number(),
      estimatedStart: NStr,
      estimatedEnd: NStr,
      credentials: Str,
      destCredentials: Str,
    }),
  ),
  phases: Type.Array(
    Type.Object({
      phase: Str,
      at: Str,
      status: Str,
      startedAt: NStr,
      finishedAt: NStr,
      note: NStr,
    }),
  ),
  nextPhase: Type.Union([Type.Object({ phase: Str, at: Str }), Type.Null()]),
});

export const PlanQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('xlsx')], {
        description: 'json (default): the page; csv: one row per mailbox; xlsx: summary and mailboxes',
      }),
    ),
  },
  { additionalProperties: false },
);
