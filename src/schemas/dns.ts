/** The DNS page's API: per plan domain the records needed, the live ones, the difference and the steps. */
import { Type, type Static } from '@sinclair/typebox';

const Change = Type.Object({
  action: Type.Union([Type.Literal('add'), Type.Literal('delete'), Type.Literal('replace')]),
  text: Type.String({ description: 'The change in words: "Add …", "Delete …", "Replace … with …"' }),
});

export const DnsDomainView = Type.Object({
  domain: Type.String(),
  required: Type.Array(Type.String(), { description: 'The records the destination needs, one a line' }),
  current: Type.Array(Type.String(), { description: 'The mail records live now' }),
  changes: Type.Array(Change, { description: 'What turns the live records into the needed ones' }),
  steps: Type.Array(
    Type.Object({
      at: Type.String({ format: 'date-time' }),
      phase: Type.String(),
      text: Type.String(),
    }),
    { description: 'Self-service: what to do when (TTL lowering first)' },
  ),
});

export const DnsView = Type.Object({
  mode: Type.String({ description: 'self-service, zone-file or dynamic (RFC 2136)' }),
  server: Type.Union([Type.String(), Type.Null()], {
    description: 'The name server asked (host:port), or null for the system resolver',
  }),
  canApply: Type.Boolean({
    description: 'A primary name server and TSIG key are set: "apply" can update it',
  }),
  lookedUpAt: Type.String({ format: 'date-time' }),
  domains: Type.Array(DnsDomainView),
  problem: Type.Union([Type.String(), Type.Null()], { description: 'Why the lookups failed, in words' }),
});
export type DnsView = Static<typeof DnsView>;

export const ZoneQuery = Type.Object(
  { domain: Type.String({ description: 'One of the plan’s mail domains' }) },
  { additionalProperties: false },
);
export type ZoneQuery = Static<typeof ZoneQuery>;

export const DnsApplyResult = Type.Object({
  applied: Type.Integer({ description: 'Changes sent to the name server' }),
  domains: Type.Array(Type.String()),
});
