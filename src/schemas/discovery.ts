/** TypeBox schemas of mailbox discovery: list the source's mailboxes, add the chosen ones to the project. */
import { Type, type Static } from '@sinclair/typebox';

export const DiscoverBody = Type.Object(
  {
    includeSuspended: Type.Optional(
      Type.Boolean({ default: false, description: 'List suspended / disabled accounts too' }),
    ),
  },
  { additionalProperties: false },
);
export type DiscoverBody = Static<typeof DiscoverBody>;

export const DiscoveredMailbox = Type.Object({
  source: Type.String({ description: 'Source login' }),
  destination: Type.String({ description: "Destination login, after the plan's address replacements" }),
  name: Type.Union([Type.String(), Type.Null()]),
  kind: Type.Union([Type.String(), Type.Null()], { description: 'user, shared… where the system says' }),
  suspended: Type.Boolean(),
  known: Type.Boolean({ description: 'The project has this mailbox already' }),
});

export const DiscoveryResult = Type.Object({
  rows: Type.Array(DiscoveredMailbox),
  suspendedLeftOut: Type.Integer({ description: 'Suspended accounts found and not listed' }),
});
export type DiscoveryResult = Static<typeof DiscoveryResult>;

const Login = Type.String({ minLength: 1, maxLength: 320 });

export const DiscoverAddBody = Type.Object(
  {
    rows: Type.Array(
      Type.Object(
        {
          source: Login,
          destination: Type.Optional(Login),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 10_000, description: 'The chosen rows; destination defaults to the source' },
    ),
  },
  { additionalProperties: false },
);
export type DiscoverAddBody = Static<typeof DiscoverAddBody>;
