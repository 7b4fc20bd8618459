/** TypeBox schemas of alert actions: detail, project lists, auto-archive rules, undo, e-mail. */
import { Type, type Static } from '@sinclair/typebox';
import { AlertStatus, paging, StringEnum } from './common.js';

const Level = StringEnum(['critical', 'advisory']);

export const AlertDetail = Type.Object({
  id: Type.Integer(),
  projectId: Type.Union([Type.Integer(), Type.Null()]),
  mailboxId: Type.Union([Type.Integer(), Type.Null()]),
  mailbox: Type.Union([Type.String(), Type.Null()], { description: 'Source login of the mailbox' }),
  type: Type.String(),
  level: Level,
  text: Type.String(),
  status: AlertStatus,
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
export type AlertDetail = Static<typeof AlertDetail>;

export const ProjectAlertQuery = Type.Object(
  {
    ...paging,
    status: Type.Optional(AlertStatus),
    level: Type.Optional(Level),
    type: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
export type ProjectAlertQuery = Static<typeof ProjectAlertQuery>;

export const AlertAction = Type.Object({
  id: Type.Integer(),
  projectId: Type.Union([Type.Integer(), Type.Null()]),
  action: StringEnum(['complete', 'archive', 'auto-archive']),
  alertIds: Type.Array(Type.Integer()),
  ruleType: Type.Union([Type.String(), Type.Null()], {
    description: 'auto-archive: the type now archived on arrival',
  }),
  createdAt: Type.String(),
});
export type AlertAction = Static<typeof AlertAction>;

export const UndoBody = Type.Object(
  {
    projectId: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Undo the last action in this project' }),
    ),
  },
  { additionalProperties: false },
);
export type UndoBody = Static<typeof UndoBody>;

export const UndoResult = Type.Object({
  undone: AlertAction,
  restoredAlertIds: Type.Array(Type.Integer(), { description: 'Alerts back to their former status' }),
});

export const EmailBody = Type.Object(
  {
    to: Type.String({ format: 'email', maxLength: 320 }),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type EmailBody = Static<typeof EmailBody>;

export const EmailResult = Type.Object({
  status: StringEnum(['sent', 'already-sent', 'failed', 'refused', 'uncertain']),
});

export const AlertRules = Type.Object({
  projectId: Type.Integer(),
  autoArchivedTypes: Type.Array(Type.String()),
});
