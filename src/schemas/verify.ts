/** TypeBox schemas of verifications (src/store/verification-repo.ts): the last read-back and starting one. */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { StringEnum, VerificationSummary, findingCounts } from './common.js';

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const Item = {
  sourceUid: Nullable(Type.Integer({ description: 'Key of the message at the source' })),
  destUid: Nullable(Type.Integer({ description: 'Key of the message at the destination' })),
  messageId: Nullable(Type.String()),
  item: Type.Optional(
    Type.String({ description: 'An item that is not a message, named for people ("script \'main\'")' }),
  ),
};

/** What verifying one source folder found (lists capped at 500 per kind; `counts` exact). */
export const VerifiedFolder = Type.Object({
  source: Type.String(),
  destination: Type.String(),
  checked: Type.Integer(),
  missing: Type.Array(Type.Object({ ...Item, cause: StringEnum(['lost', 'not-copied']) })),
  flagsDiffer: Type.Array(
    Type.Object({ ...Item, source: Type.Array(Type.String()), destination: Type.Array(Type.String()) }),
  ),
  extra: Type.Array(Type.Object(Item)),
  altered: Type.Array(Type.Object({ ...Item, reason: Type.String() })),
  notCompared: Type.Optional(Type.String({ description: 'Why the content was not compared (deep)' })),
  error: Type.Optional(Type.String({ description: 'Why this folder could not be verified' })),
  counts: Type.Object(findingCounts),
});

/** The last verification of a mailbox with its folder detail, or null when there was none. */
export const LastVerification = Type.Object({
  verification: Nullable(
    Type.Intersect([VerificationSummary, Type.Object({ folders: Type.Array(VerifiedFolder) })]),
  ),
  running: Type.Boolean({ description: 'A verification of this mailbox is under way' }),
});
export type LastVerification = Static<typeof LastVerification>;

/** Start a verification of a project's mailboxes (all, or one). */
export const VerifyStartBody = Type.Object(
  {
    mailboxId: Type.Optional(Type.Integer({ minimum: 1, description: 'Only this mailbox' })),
    deep: Type.Optional(
      Type.Boolean({ description: 'Compare content too (reads every body on both sides)' }),
    ),
  },
  { additionalProperties: false },
);
export type VerifyStartBody = Static<typeof VerifyStartBody>;

/** Where a project's verification stands. */
export const VerifyStatus = Type.Object({
  projectId: Type.Integer(),
  state: StringEnum(['idle', 'running']),
  startedAt: Nullable(Type.String({ format: 'date-time' })),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
  mailboxIds: Type.Array(Type.Integer(), { description: 'Mailboxes of the current or last verification' }),
  deep: Type.Boolean(),
  outcome: Nullable(
    Type.Object({ matches: Type.Integer(), differs: Type.Integer(), failed: Type.Integer() }),
  ),
  error: Nullable(Type.String()),
});
export type VerifyStatus = Static<typeof VerifyStatus>;
