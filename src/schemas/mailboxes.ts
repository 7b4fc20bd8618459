/** TypeBox schemas of a project's mailboxes: the paged table, add/edit, CSV import, bulk actions. */
import { Type, type Static } from '@sinclair/typebox';
import { MailboxStatus, paging, StringEnum } from './common.js';
import { ItemType } from './projects.js';

const Login = Type.String({ minLength: 1, maxLength: 320 });
const DateOrNull = Type.Union([Type.String({ format: 'date' }), Type.Null()]);

/** A project's mailbox as the table shows it. */
export const ProjectMailbox = Type.Object({
  id: Type.Integer(),
  projectId: Type.Integer(),
  sourceUser: Type.String(),
  destUser: Type.String(),
  starred: Type.Boolean(),
  status: Type.String(),
  sourceBytes: Type.Number(),
  sourceMessages: Type.Number(),
  lastError: Type.Union([Type.String(), Type.Null()]),
  itemTypes: Type.Union([Type.Array(ItemType), Type.Null()], { description: 'null: the project defaults' }),
  since: DateOrNull,
  before: DateOrNull,
  updatedAt: Type.String(),
});
export type ProjectMailbox = Static<typeof ProjectMailbox>;

const filter = {
  status: Type.Optional(MailboxStatus),
  starred: Type.Optional(Type.Boolean()),
  search: Type.Optional(
    Type.String({ maxLength: 200, description: 'Substring of source or destination login' }),
  ),
};

export const ProjectMailboxQuery = Type.Object(
  {
    ...paging,
    sort: StringEnum(['name', 'destination', 'size', 'status', 'starred'], { default: 'name' }),
    order: StringEnum(['asc', 'desc'], { default: 'asc' }),
    ...filter,
  },
  { additionalProperties: false },
);
export type ProjectMailboxQuery = Static<typeof ProjectMailboxQuery>;

const editable = {
  starred: Type.Optional(Type.Boolean()),
  itemTypes: Type.Optional(
    Type.Union([Type.Array(ItemType, { minItems: 1, uniqueItems: true }), Type.Null()], {
      description: 'null: back to the project defaults',
    }),
  ),
  since: Type.Optional(DateOrNull),
  before: Type.Optional(DateOrNull),
};

export const MailboxCreate = Type.Object(
  {
    sourceUser: Login,
    destUser: Type.Optional(
      Type.String({ minLength: 1, maxLength: 320, description: 'Default: sourceUser' }),
    ),
    ...editable,
  },
  { additionalProperties: false },
);
export type MailboxCreate = Static<typeof MailboxCreate>;

export const MailboxUpdate = Type.Object(
  { destUser: Type.Optional(Login), ...editable },
  { additionalProperties: false },
);
export type MailboxUpdate = Static<typeof MailboxUpdate>;

export const CsvBody = Type.Object(
  {
    csv: Type.String({
      minLength: 1,
      maxLength: 20_000_000,
      description: 'The mailboxes CSV (header row, one mailbox a line; see the README)',
    }),
  },
  { additionalProperties: false },
);
export type CsvBody = Static<typeof CsvBody>;

const RowProblem = Type.Object({ line: Type.Integer(), message: Type.String(), hint: Type.String() });

export const ImportPreview = Type.Object({
  rows: Type.Array(
    Type.Object({
      line: Type.Integer(),
      sourceUser: Type.String(),
      destUser: Type.String(),
      starred: Type.Boolean(),
      itemTypes: Type.Union([Type.Array(ItemType), Type.Null()]),
      since: DateOrNull,
      before: DateOrNull,
      action: StringEnum(['add', 'update', 'conflict'], {
        description: 'conflict: the mailbox belongs to another project and is left alone',
      }),
    }),
  ),
  errors: Type.Array(RowProblem, { description: 'Rows that will not be imported, with their line numbers' }),
  warnings: Type.Array(RowProblem),
});
export type ImportPreview = Static<typeof ImportPreview>;

export const ImportResult = Type.Object({
  added: Type.Integer(),
  updated: Type.Integer(),
  conflicts: Type.Integer(),
  errors: Type.Array(RowProblem),
});
export type ImportResult = Static<typeof ImportResult>;

export const BulkBody = Type.Object(
  {
    action: StringEnum(['start', 'pause', 'retry-failed', 'star', 'unstar']),
    ids: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1 }), {
        minItems: 1,
        maxItems: 10_000,
        description: 'Up to 10,000; use a filter for more',
      }),
    ),
    filter: Type.Optional(Type.Object(filter, { additionalProperties: false })),
  },
  { additionalProperties: false, description: 'Give ids or filter (an empty filter means every mailbox)' },
);
export type BulkBody = Static<typeof BulkBody>;

export const BulkResult = Type.Object({
  action: Type.String(),
  affected: Type.Integer({ description: 'Mailboxes the action applied to' }),
});
export type BulkResult = Static<typeof BulkResult>;

export const MailboxIdParams = Type.Object({ mailboxId: Type.Integer({ minimum: 1 }) });
export type MailboxIdParams = Static<typeof MailboxIdParams>;
