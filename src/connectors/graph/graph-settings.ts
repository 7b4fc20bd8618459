/**
 * Microsoft 365's settings block (`graph:` in the project file and the API): its type, its API schemas and
 * how a project file's block is read. The one place these settings are described.
 */
import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../schemas/common.js';

/**
 * Microsoft 365 (Microsoft Graph) settings. Logins: app-only (client credentials) is the server's `admin`
 * in mode `master` (user = the app's client id, password = its client secret), acting for every mailbox;
 * a mailbox's own `xoauth2` login is a delegated access token for that one mailbox.
 */
export interface GraphSettings {
  /** Directory (tenant) id or verified domain. */
  tenantId: string;
  /** Graph base URL; default https://graph.microsoft.com/v1.0 (tests point it at the local emulator). */
  baseUrl?: string;
  /** Entra ID authority host; default https://login.microsoftonline.com. Must be https (MSAL refuses http). */
  authorityHost?: string;
  /** Largest message written; default 35 MB (Exchange Online's default limit; tenants may raise it to 150 MB). */
  maxMessageBytes?: number;
  /**
   * How messages are written (destination only): `json` (default) converts each message to Graph's JSON
   * form (headers Graph has no property for are dropped and said on the copy); `imap` APPENDs the whole MIME
   * message to Exchange Online's IMAP endpoint with an app-only OAuth token (needs IMAP.AccessAsApp and a
   * mailbox permission for the app's service principal); `auto` uses JSON, and IMAP for a message whose
   * attachments do not fit into Graph's 4 MB create request.
   */
  writePath?: GraphWritePath;
  /** Exchange Online's IMAP endpoint for the imap/auto write paths; default outlook.office365.com. */
  imapHost?: string;
  /** Its port (implicit TLS); default 993. */
  imapPort?: number;
  /** Requests per 10 minutes per mailbox Cutover may send; default 10,000 (Graph's documented limit). */
  requestBudget?: number;
  /** Megabytes uploaded per 5 minutes per mailbox; default 150 (Graph's documented limit). */
  uploadBudgetMB?: number;
}

/** The write paths of a Microsoft 365 destination (see GraphSettings.writePath). */
export type GraphWritePath = 'json' | 'imap' | 'auto';

/** graph.writePath values. */
export const GRAPH_WRITE_PATHS = ['json', 'imap', 'auto'] as const;

const Https = Type.String({ pattern: '^https://', maxLength: 2000 });
const MessageCap = Type.Integer({ minimum: 1, maximum: 157286400, description: 'Largest message, bytes' });

/** How a Microsoft 365 destination writes, and the budgets it paces to (see GraphSettings). */
const graphWrite = {
  writePath: Type.Optional(
    StringEnum(GRAPH_WRITE_PATHS, {
      description:
        'Destination only. json: Graph JSON (default); imap: IMAP APPEND of the whole message (needs IMAP.AccessAsApp); auto: JSON, IMAP where attachments do not fit the create request',
    }),
  ),
  imapHost: Type.Optional(
    Type.String({ minLength: 1, maxLength: 253, description: 'Default outlook.office365.com' }),
  ),
  imapPort: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'Default 993' })),
  requestBudget: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 10000, description: 'Requests per 10 minutes per mailbox' }),
  ),
  uploadBudgetMB: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 150, description: 'Megabytes uploaded per 5 minutes per mailbox' }),
  ),
};

/** Microsoft 365 settings (kind graph) as the API takes them. */
export const GraphIn = Type.Object(
  {
    tenantId: Type.String({ minLength: 1, maxLength: 253, description: 'Directory (tenant) id or domain' }),
    baseUrl: Type.Optional(Https),
    authorityHost: Type.Optional(Https),
    maxMessageBytes: Type.Optional(MessageCap),
    ...graphWrite,
  },
  { additionalProperties: false },
);

/** Microsoft 365 settings as the API shows them. */
export const GraphOut = Type.Object({
  tenantId: Type.String(),
  baseUrl: Type.Optional(Type.String()),
  authorityHost: Type.Optional(Type.String()),
  maxMessageBytes: Type.Optional(Type.Integer()),
  ...graphWrite,
});

/** The API's graph block in the project file's words (maxMessageBytes is maxMessageSize there). */
export function graphSettingsToFile(block: Record<string, unknown>): Record<string, unknown> {
  const { maxMessageBytes, ...rest } = block;
  return { ...rest, maxMessageSize: maxMessageBytes };
}
