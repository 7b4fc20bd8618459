/** TypeBox schemas of the operator's credential routes (never a password or a token in a response, except a link the operator asked for). */
import { Type, type Static } from '@sinclair/typebox';
import { paging, StringEnum } from './common.js';

export const CredentialQuery = Type.Object(
  {
    ...paging,
    projectId: Type.Optional(Type.Integer({ minimum: 1, description: "Only this project's mailboxes" })),
  },
  { additionalProperties: false },
);
export type CredentialQuery = Static<typeof CredentialQuery>;

const Side = StringEnum(['source', 'destination']);

export const CredentialRow = Type.Object({
  mailboxId: Type.Integer(),
  sourceUser: Type.String(),
  destUser: Type.String(),
  sides: Type.Array(
    Type.Object({
      side: Side,
      enteredBy: StringEnum(['portal', 'operator', 'import']),
      verifiedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
        description: 'When a real login accepted it; null = stored unchecked',
      }),
      updatedAt: Type.String({ format: 'date-time' }),
    }),
  ),
  required: Type.Array(Side, { description: 'The sides the project needs a password for' }),
  state: StringEnum(['none', 'provided', 'verified', 'failing', 'not-needed'], {
    description:
      'none: nothing stored; provided: stored, not all checked; verified: every required one accepted by a login; failing: a login refused it; not-needed: the project logs in as an administrator',
  }),
  failure: Type.Union([Type.String(), Type.Null()], { description: 'Why it is failing' }),
  link: Type.Union([
    Type.Object({
      createdAt: Type.String({ format: 'date-time' }),
      expiresAt: Type.String({ format: 'date-time' }),
      lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    }),
    Type.Null(),
  ]),
  clientSetup: Type.Array(
    Type.Object({
      kind: Type.String(),
      firstAt: Type.String(),
      lastAt: Type.String(),
      count: Type.Integer(),
    }),
  ),
});

export const CredentialStages = Type.Object({
  credentials: Type.Object({
    total: Type.Integer(),
    present: Type.Integer({ description: 'Every required password stored' }),
    verified: Type.Integer({ description: 'Every required password stored and accepted by a real login' }),
  }),
  clientSetup: Type.Object({ total: Type.Integer(), done: Type.Integer() }),
});

export const IssuedLink = Type.Object({
  url: Type.String({ description: 'The personal page; absolute when the server knows its public URL' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

export const LinkQuery = Type.Object(
  { days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, description: 'Lifetime (default 45)' })) },
  { additionalProperties: false },
);
export type LinkQuery = Static<typeof LinkQuery>;

export const ImportBody = Type.Object(
  {
    csv: Type.String({
      minLength: 1,
      maxLength: 20_000_000,
      description: 'Header: source, source_password and/or destination_password',
    }),
    verify: Type.Boolean({ default: true, description: 'Check each password by a real login first' }),
  },
  { additionalProperties: false },
);
export type ImportBody = Static<typeof ImportBody>;

export const ImportResult = Type.Object({
  rows: Type.Array(
    Type.Object({
      line: Type.Integer(),
      mailbox: Type.String(),
      status: StringEnum(['stored', 'partial', 'refused', 'unknown', 'invalid']),
      message: Type.String(),
    }),
  ),
});
