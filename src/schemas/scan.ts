/** The Scan page's API: start a scan, its live progress, the scans of a project, one scan and exports. */
import { Type, type Static } from '@sinclair/typebox';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const NInt = Type.Union([Type.Number(), Type.Null()]);

export const ScanStart = Type.Object(
  {
    mailboxes: Type.Optional(
      Type.Array(Type.String(), { description: 'Source logins to scan; empty or absent: every mailbox' }),
    ),
  },
  { additionalProperties: false },
);
export type ScanStart = Static<typeof ScanStart>;

export const ScanStatus = Type.Object({
  state: Type.Union([Type.Literal('idle'), Type.Literal('running')]),
  scanId: Type.Union([Type.Integer(), Type.Null()]),
  startedAt: Nullable(Type.String()),
  finishedAt: Nullable(Type.String()),
  mailboxes: Type.Integer({ description: 'Mailboxes in this scan' }),
  mailboxesDone: Type.Integer(),
  items: Type.Integer({ description: 'Items counted so far' }),
  current: Type.Array(Type.String(), { description: 'Mailboxes being scanned now' }),
  error: Nullable(Type.String()),
});
export type ScanStatus = Static<typeof ScanStatus>;

export const ScanSummary = Type.Object({
  id: Type.Integer(),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  status: Type.String(),
  mailboxes: Type.Integer(),
  items: Type.Integer(),
  bytes: Type.Number(),
});

const FolderScan = Type.Object({
  folder: Type.String(),
  destination: Nullable(Type.String()),
  depth: Type.Integer(),
  messages: Type.Integer(),
  bytes: Type.Number(),
  oldest: Nullable(Type.String()),
  newest: Nullable(Type.String()),
  oversize: Type.Integer(),
  noMessageId: Type.Integer(),
  duplicateIds: Type.Integer(),
  nameProblem: Nullable(Type.String()),
  excluded: Nullable(Type.String()),
});

/** One item type other than mail that the mailbox moves, as counted at the source. */
const ItemCount = Type.Object({
  type: Type.Union([
    Type.Literal('contacts'),
    Type.Literal('calendars'),
    Type.Literal('tasks'),
    Type.Literal('filters'),
  ]),
  collections: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Address books, calendars or task lists it would move; null for filters',
  }),
  items: Type.Integer({ description: 'Contacts, events or tasks in them; scripts or rules for filters' }),
  shared: Type.Integer({
    description: 'Collections shared with the user by someone else: reported, not moved',
  }),
  problem: Nullable(Type.String({ description: 'Why this type could not be read at the source' })),
});

/** One mailbox of a scan, with its folders, as people and exports see it. */
export const MailboxScan = Type.Object({
  mailbox: Type.String(),
  destination: Type.String(),
  status: Type.String(),
  error: Nullable(Type.String()),
  destError: Nullable(Type.String()),
  folders: Type.Integer(),
  messages: Type.Integer(),
  bytes: Type.Number(),
  maxDepth: Type.Integer(),
  oldest: Nullable(Type.String()),
  newest: Nullable(Type.String()),
  oversize: Type.Integer(),
  noMessageId: Type.Integer(),
  duplicateIds: Type.Integer(),
  nameProblems: Type.Integer(),
  quotaUsed: NInt,
  quotaLimit: NInt,
  // Destination bytes free after the migration (negative: it will not fit), when the quota is known.
  quotaHeadroom: NInt,
  appendLimit: NInt,
  itemCounts: Type.Array(ItemCount, {
    description: 'Per item type other than mail the mailbox moves (empty when it moves mail only)',
  }),
  folderRows: Type.Array(FolderScan),
});
export type MailboxScan = Static<typeof MailboxScan>;

const ScanChange = Type.Object({
  mailbox: Type.String(),
  messages: Type.Integer({ description: 'Items added (negative: removed) since the earlier scan' }),
  bytes: Type.Number(),
  isNew: Type.Boolean({ description: 'Not in the earlier scan' }),
  gone: Type.Boolean({ description: 'Not in this scan' }),
  foldersAdded: Type.Array(Type.String()),
  foldersRemoved: Type.Array(Type.String()),
});

export const ProjectScan = Type.Object({
  scanId: Type.Integer(),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  status: Type.String(),
  mailboxes: Type.Array(MailboxScan),
  comparedWith: Type.Union([Type.Integer(), Type.Null()]),
  changes: Type.Union([Type.Array(ScanChange), Type.Null()]),
});

export const ScanParams = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  scanId: Type.Integer({ minimum: 1 }),
});
export type ScanParams = Static<typeof ScanParams>;

export const ScanQuery = Type.Object(
  {
    compare: Type.Optional(Type.Integer({ minimum: 1, description: 'An earlier scan to compare with' })),
    format: Type.Optional(
      Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('xlsx')], {
        description: 'json (default) answers the view; csv and xlsx download the tables',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ScanQuery = Static<typeof ScanQuery>;

export const ScanList = Type.Object({ items: Type.Array(ScanSummary) });
