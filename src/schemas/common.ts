/** TypeBox schemas: the one source of request validation, TypeScript types and the OpenAPI document. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** A string from a fixed list (`enum`, so a wrong value gets one clear message listing the choices). */
export const StringEnum = <const T extends string>(
  values: readonly T[],
  opts: { default?: T; description?: string } = {},
) => Type.Unsafe<T>({ type: 'string', enum: [...values], ...opts });

export const ErrorBody = Type.Object(
  {
    code: Type.String({ description: 'Stable error code' }),
    message: Type.String({ description: 'What is wrong' }),
    hint: Type.Optional(Type.String({ description: 'What to do about it' })),
  },
  { $id: 'ErrorBody', title: 'ErrorBody' },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** Error responses a route can give, by status. */
export const errors = (...codes: Array<400 | 401 | 403 | 404 | 409 | 429 | 501>) =>
  Object.fromEntries(codes.map((c) => [c, Type.Ref(ErrorBody)]));

export const Credentials = Type.Object(
  {
    user: Type.String({ minLength: 1, maxLength: 200, description: 'Operator name' }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type Credentials = Static<typeof Credentials>;

export const SetupBody = Type.Object(
  {
    user: Type.String({ minLength: 1, maxLength: 200, description: 'Name of the first (admin) operator' }),
    password: Type.String({
      minLength: 12,
      maxLength: 1024,
      description: 'At least 12 characters besides spaces at the ends, not one short piece repeated',
    }),
    token: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'The one-time setup token of the link `cutover serve` prints when it listens beyond this machine',
      }),
    ),
  },
  { additionalProperties: false },
);
export type SetupBody = Static<typeof SetupBody>;

export const SetupState = Type.Object({
  required: Type.Boolean({ description: 'No operator exists yet: the first visitor creates the admin' }),
  tokenRequired: Type.Boolean({
    description:
      'Setup needs the one-time token of the link `cutover serve` printed (it listens beyond loopback)',
  }),
});

export const SessionInfo = Type.Object({
  user: Type.String(),
  csrfToken: Type.String({ description: 'Send as X-CSRF-Token on every POST/PUT/PATCH/DELETE' }),
  expiresAt: Type.String({ format: 'date-time' }),
});
export type SessionInfo = Static<typeof SessionInfo>;

export const Ok = Type.Object({ ok: Type.Boolean() });

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
export type IdParams = Static<typeof IdParams>;

export const paging = {
  offset: Type.Integer({ minimum: 0, default: 0 }),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
};

/** `{ items, total, offset, limit }` of `item`. */
export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    offset: Type.Integer(),
    limit: Type.Integer(),
  });

export const MailboxStatus = StringEnum(['idle', 'running', 'done', 'failed', 'stopped']);

export const MailboxQuery = Type.Object(
  {
    ...paging,
    sort: StringEnum(['name', 'size', 'status'], { default: 'name' }),
    order: StringEnum(['asc', 'desc'], { default: 'asc' }),
    status: Type.Optional(MailboxStatus),
    search: Type.Optional(
      Type.String({ maxLength: 200, description: 'Substring of source or destination login' }),
    ),
  },
  { additionalProperties: false },
);
export type MailboxQuery = Static<typeof MailboxQuery>;

export const Mailbox = Type.Object({
  id: Type.Integer(),
  key: Type.String(),
  sourceUser: Type.String(),
  destUser: Type.String(),
  starred: Type.Boolean(),
  status: Type.String(),
  sourceBytes: Type.Number(),
  sourceMessages: Type.Number(),
  lastError: Type.Union([Type.String(), Type.Null()]),
});

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Counts = {
  sourceItems: Type.Number(),
  copied: Type.Number(),
  present: Type.Number(),
  skipped: Type.Number(),
  failed: Type.Number(),
  pending: Type.Number(),
  altered: Type.Number({ description: 'Of the copied: items the servers forced to differ from the source' }),
};

/** How many of each finding a verification made. */
export const findingCounts = {
  missing: Type.Integer({ description: 'Source messages not at the destination' }),
  flagsDiffer: Type.Integer({ description: 'At the destination with other flags' }),
  extra: Type.Integer({ description: 'Second copies of a source message at the destination' }),
  altered: Type.Integer({ description: 'At the destination with another size or (deep) other bytes' }),
};

/** One verification without its folder detail (VerificationSummary). */
export const VerificationSummary = Type.Object({
  id: Type.Integer(),
  mailboxId: Type.Integer(),
  startedAt: Type.String({ format: 'date-time' }),
  finishedAt: Type.String({ format: 'date-time' }),
  mode: StringEnum(['normal', 'deep'], { description: 'deep: content compared too' }),
  result: StringEnum(['matches', 'differs', 'failed'], {
    description: 'failed: the destination could not be read back',
  }),
  checked: Type.Integer({ description: 'Source messages looked for at the destination' }),
  ...findingCounts,
  error: Nullable(Type.String()),
});

/** A report's view of the last verification: the summary, and whether no pass wrote since. */
export const ReportVerification = Nullable(
  Type.Intersect([
    VerificationSummary,
    Type.Object({ current: Type.Boolean({ description: 'No pass wrote to the destination since' }) }),
  ]),
);

const ItemCounts = Type.Object({
  copied: Type.Number(),
  present: Type.Number(),
  skipped: Type.Number(),
  failed: Type.Number(),
});

/** One mailbox's report (src/services/report-service.ts MailboxReport): folders, totals, passes, problems. */
export const MailboxReport = Type.Object(
  {
    mailbox: Type.String(),
    destination: Type.String(),
    status: Type.String(),
    lastError: Nullable(Type.String()),
    folders: Type.Array(
      Type.Object({
        source: Type.String(),
        destination: Nullable(Type.String()),
        ...Counts,
        renamed: Nullable(Type.String()),
        excluded: Nullable(Type.String()),
        error: Nullable(Type.String()),
      }),
    ),
    totals: Type.Object({ ...Counts, bytesCopied: Type.Number() }),
    accounted: Type.Boolean({ description: 'The ledger puts every source item in exactly one column' }),
    verification: ReportVerification,
    reconcile: StringEnum(['reconciles', 'ledger-only', 'differs', 'unaccounted'], {
      description:
        'reconciles: accounted for and read back from the destination; ledger-only: accounted for, not verified since the last pass; differs: the last verification found differences; unaccounted: the ledger does not account for every item',
    }),
    reconciles: Type.Boolean({
      description:
        'Only from a read-back: accounted for, and the last verification (newer than the last pass) found nothing different',
    }),
    discrepancy: Type.Optional(Type.String({ description: 'What does not add up, in words' })),
    passes: Type.Array(
      Type.Object({
        id: Type.Number(),
        mailboxId: Type.Number(),
        startedAt: Type.String(),
        finishedAt: Nullable(Type.String()),
        status: Type.String(),
        dryRun: Type.Boolean(),
        error: Nullable(Type.String()),
        copied: Type.Number(),
        present: Type.Number(),
        skipped: Type.Number(),
        failed: Type.Number(),
        flagsSynced: Type.Number(),
        bytes: Type.Number(),
        throttledMs: Type.Number(),
      }),
    ),
    problems: Type.Array(
      Type.Object({
        folder: Type.String(),
        uid: Type.Number(),
        status: Type.String(),
        reason: Nullable(Type.String()),
      }),
    ),
    items: Type.Array(
      Type.Object({
        itemType: Type.String({ description: 'filters (contacts, calendars, tasks later)' }),
        kind: Type.String({ description: 'script, rule, vacation, signature, activation, filters' }),
        name: Type.String(),
        status: StringEnum(['copied', 'present', 'skipped', 'failed']),
        reason: Nullable(Type.String({ description: "Why skipped or failed (the destination's words)" })),
        original: Nullable(Type.String({ description: 'The source text of an item not copied as it is' })),
      }),
      { description: 'Items that are not messages (filters), each with where it ended' },
    ),
    itemTotals: ItemCounts,
    itemsByType: Type.Record(Type.String(), ItemCounts, {
      description: 'The counts per item type (filters, contacts, calendars, tasks)',
    }),
  },
  { additionalProperties: true, description: 'MailboxReport of src/services/report-service.ts' },
);

export const AlertStatus = StringEnum(['active', 'completed', 'archived']);

export const AlertQuery = Type.Object(
  { ...paging, status: Type.Optional(AlertStatus) },
  { additionalProperties: false },
);
export type AlertQuery = Static<typeof AlertQuery>;

export const Alert = Type.Object({
  id: Type.Integer(),
  mailboxId: Type.Union([Type.Integer(), Type.Null()]),
  type: Type.String(),
  level: StringEnum(['critical', 'advisory']),
  text: Type.String(),
  status: AlertStatus,
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

/** The newest scan (src/services/scan-service.ts ScanView). */
export const ScanView = Type.Object(
  {
    scanId: Type.Integer(),
    startedAt: Type.String(),
    finishedAt: Type.Union([Type.String(), Type.Null()]),
    status: Type.String(),
    mailboxes: Type.Array(Type.Object({}, { additionalProperties: true })),
  },
  { description: 'ScanView of src/services/scan-service.ts' },
);
