/** TypeBox schemas of the connector kinds as the web form sees them (GET /api/connectors). */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum } from './common.js';

/** One connector kind: what the server form offers and fills in for it. */
export const ConnectorInfo = Type.Object({
  kind: Type.String({ description: 'The server kind (ServerIn.kind)' }),
  label: Type.String({ description: 'What the operator chooses, e.g. "IMAP server"' }),
  roles: Type.Array(StringEnum(['source', 'destination']), { description: 'The sides it can be' }),
  hosted: Type.Boolean({
    description: 'Reached over its API at a well-known host: no host, port or TLS to choose',
  }),
  defaultPorts: Type.Object(
    { tls: Type.Integer(), starttls: Type.Integer(), none: Type.Integer() },
    { description: 'The port used when none is given, by TLS mode' },
  ),
  settingsKey: Type.Union([Type.String(), Type.Null()], {
    description: "Name of the kind's settings block in ServerIn/ServerOut; null = none",
  }),
  settingsFields: Type.Array(Type.String(), { description: "Keys of the kind's settings block" }),
  signIn: Type.Boolean({ description: 'Its users can sign in (OAuth consent) instead of giving a password' }),
  discovery: Type.Boolean({ description: 'It can list the mailboxes of its directory' }),
});
export type ConnectorInfo = Static<typeof ConnectorInfo>;

export const ConnectorList = Type.Object({ items: Type.Array(ConnectorInfo) });
export type ConnectorList = Static<typeof ConnectorList>;
