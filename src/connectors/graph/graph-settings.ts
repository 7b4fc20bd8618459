/**
 * Microsoft 365's settings block (`graph:` in the project file and the API): its type, its API schemas and
 * how a project file's block is read. The one place these settings are described.
 */
import { Type } from '@sinclair/typebox';
import { StringEnum } from '../../schemas/common.js';
import type { AuthSpec } from '../../config/types.js';
import type { SettingsField, SettingsReader, UrlContext } from '../descriptor.js';

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

/** The graph: block of a project file's Microsoft 365 server (see GraphSettings); tenantId is required. */
export function readGraphSettings(
  r: SettingsReader,
  f: SettingsField | undefined,
  server: SettingsField,
  name: string,
): GraphSettings {
  const m =
    f &&
    r.map(f, [
      'tenantId',
      'baseUrl',
      'authorityHost',
      'maxMessageSize',
      'writePath',
      'imapHost',
      'imapPort',
      'requestBudget',
      'uploadBudgetMB',
    ]);
  const tenantId = m && r.str(m.get('tenantId'));
  const out: GraphSettings = { tenantId: tenantId ?? '' };
  if (!tenantId)
    r.add(
      (f ?? server).at,
      `${name}.graph.tenantId is missing`,
      `Add graph: { tenantId: <directory id or primary domain> } under ${name}.`,
    );
  if (!m) return out;
  for (const key of ['baseUrl', 'authorityHost'] as const) {
    const url = r.str(m.get(key));
    if (url === undefined) continue;
    // MSAL refuses an authority that is not https, and tokens must never travel in clear.
    if (!/^https:\/\/[^\s/]+/.test(url))
      r.add(
        m.get(key)!.at,
        `${name}.graph.${key} '${url}' is not an https URL`,
        'Leave it out to use Microsoft 365.',
      );
    else out[key] = url;
  }
  const size = r.int(m.get('maxMessageSize'), 1, 150 * 1024 * 1024, 'Bytes, at most 157286400 (150 MB).');
  if (size !== undefined) out.maxMessageBytes = size;
  const path = r.str(m.get('writePath'));
  if (path !== undefined) {
    if (name === 'source')
      r.add(
        m.get('writePath')!.at,
        'source.graph.writePath applies to a destination only',
        'Remove it: a source is read through Graph.',
      );
    else if ((GRAPH_WRITE_PATHS as readonly string[]).includes(path)) out.writePath = path as GraphWritePath;
    else
      r.add(
        m.get('writePath')!.at,
        `${name}.graph.writePath '${path}' is not one of ${GRAPH_WRITE_PATHS.join(', ')}`,
        'Write writePath: json (Graph JSON), imap (IMAP APPEND of the whole message) or auto (JSON, IMAP where attachments do not fit).',
      );
  }
  const imapHost = r.str(m.get('imapHost'));
  if (imapHost !== undefined) out.imapHost = imapHost;
  const imapPort = r.int(m.get('imapPort'), 1, 65535, 'A TCP port (993 for Exchange Online).');
  if (imapPort !== undefined) out.imapPort = imapPort;
  const requests = r.int(
    m.get('requestBudget'),
    1,
    10_000,
    'Requests per 10 minutes per mailbox, at most 10000.',
  );
  if (requests !== undefined) out.requestBudget = requests;
  const upload = r.int(m.get('uploadBudgetMB'), 1, 150, 'Megabytes per 5 minutes per mailbox, at most 150.');
  if (upload !== undefined) out.uploadBudgetMB = upload;
  return out;
}

/** The API's graph block in the project file's words (maxMessageBytes is maxMessageSize there). */
export function graphSettingsToFile(block: Record<string, unknown>): Record<string, unknown> {
  const { maxMessageBytes, ...rest } = block;
  return { ...rest, maxMessageSize: maxMessageBytes };
}

/**
 * graph://USER@HOST?tenant=…&client-id=…: the tenant, and Graph and Entra ID on another host than Microsoft's
 * (a lab or emulator serving both); with client-id= the login is app-only (the secret is the app's client
 * secret), else it must be a delegated token (auth=xoauth2).
 */
export function graphFromUrl(u: UrlContext): { settings: GraphSettings; auth?: AuthSpec } {
  const tenant = u.params['tenant'];
  if (!tenant)
    u.fail(
      `No tenant in ${u.shown}.`,
      'Add ?tenant=<directory id or primary domain>, e.g. tenant=contoso.onmicrosoft.com.',
    );
  const origin = `https://${u.urlHost}:${u.port}`;
  const settings: GraphSettings = {
    tenantId: tenant,
    ...(u.host !== 'graph.microsoft.com' ? { baseUrl: `${origin}/v1.0`, authorityHost: origin } : {}),
  };
  const clientId = u.params['client-id'];
  if (clientId)
    return { settings, auth: { kind: 'master', user: u.user, masterUser: clientId, password: u.secret } };
  if (!u.tokenLogin)
    u.fail(
      `${u.shown} has neither client-id= (app-only access) nor auth=xoauth2 (a delegated token).`,
      "Add ?client-id=<application id> with the app's client secret as the password, or ?auth=xoauth2 with an access token.",
    );
  return { settings };
}
