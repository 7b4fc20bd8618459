/**
 * Google Workspace's settings block (`gmail:` in the project file and the API): its type, its API schemas
 * and how a project file's block is read. The one place these settings are described.
 */
import { Type } from '@sinclair/typebox';
import type { SecretRef } from '../../config/types.js';
import type { SettingsField, SettingsReader, UrlContext } from '../descriptor.js';

/**
 * Google Workspace (Gmail API) settings. Logins: a service account with domain-wide delegation is the
 * server's `admin` in mode `master` (user = the Workspace admin used for user discovery, password = the
 * service account's JSON key, read whole); a mailbox's own `xoauth2` login is a per-user access token and
 * its own `password` login a per-user refresh token (needs `oauthClient`).
 */
export interface GmailSettings {
  /** OAuth client that issued per-user refresh tokens. */
  oauthClient?: { id: string; secret: SecretRef };
  /** Gmail API base URL; default https://gmail.googleapis.com (tests point it at the local emulator). */
  apiUrl?: string;
  /** OAuth token endpoint; default the key file's token_uri, else https://oauth2.googleapis.com/token. */
  tokenUrl?: string;
  /** OAuth authorization endpoint of the per-user consent flow; default https://accounts.google.com/o/oauth2/v2/auth. */
  authUrl?: string;
  /** Directory API base URL; default https://admin.googleapis.com. */
  directoryUrl?: string;
  /** Quota units per second Cutover spends per user; default 200 (Google allows 250 on average). */
  quotaUnitsPerSecond?: number;
  /** Largest message imported; default 150 MB (messages.import's documented maximum). */
  maxMessageBytes?: number;
}

const HttpUrl = Type.String({ pattern: '^https?://', maxLength: 2000 });
const MessageCap = Type.Integer({ minimum: 1, maximum: 157286400, description: 'Largest message, bytes' });

const gmailUrls = {
  apiUrl: Type.Optional(HttpUrl),
  tokenUrl: Type.Optional(HttpUrl),
  authUrl: Type.Optional(HttpUrl),
  directoryUrl: Type.Optional(HttpUrl),
  quotaUnitsPerSecond: Type.Optional(Type.Integer({ minimum: 1, maximum: 250 })),
  maxMessageBytes: Type.Optional(MessageCap),
};

/** Google Workspace settings (kind gmail) as the API takes them; the service-account key is the admin password. */
export const GmailIn = Type.Object(
  {
    oauthClient: Type.Optional(
      Type.Union([
        Type.Object(
          {
            id: Type.String({ minLength: 1, maxLength: 500 }),
            secret: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 4096,
                description: 'Write-only; omit on update to keep the stored one (same id and token URL)',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ]),
    ),
    ...gmailUrls,
  },
  { additionalProperties: false },
);

/** Google Workspace settings as the API shows them: whether the OAuth client's secret is set, never it. */
export const GmailOut = Type.Object({
  oauthClient: Type.Union([Type.Object({ id: Type.String(), secretSet: Type.Boolean() }), Type.Null()]),
  ...gmailUrls,
});

/** The gmail: block of a project file's Google Workspace server (see GmailSettings); undefined when absent. */
export function readGmailSettings(
  r: SettingsReader,
  f: SettingsField | undefined,
  name: string,
): GmailSettings | undefined {
  if (!f) return undefined;
  const m = r.map(f, [
    'oauthClient',
    'apiUrl',
    'tokenUrl',
    'authUrl',
    'directoryUrl',
    'quotaUnitsPerSecond',
    'maxMessageSize',
  ]);
  const out: GmailSettings = {};
  if (!m) return out;
  const client = m.get('oauthClient');
  const cm = client && r.map(client, ['id', 'secret']);
  if (client && cm) {
    const id = r.str(cm.get('id'));
    const secret = r.secret(cm.get('secret'));
    if (id !== undefined && secret) out.oauthClient = { id, secret };
    else
      r.add(
        client.at,
        `${name}.gmail.oauthClient needs id and secret`,
        'Write oauthClient: { id: 123.apps.googleusercontent.com, secret: { env: GOOGLE_CLIENT_SECRET } }.',
      );
  }
  for (const key of ['apiUrl', 'tokenUrl', 'authUrl', 'directoryUrl'] as const) {
    const url = r.str(m.get(key));
    if (url === undefined) continue;
    if (!/^https?:\/\/[^\s/]+/.test(url))
      r.add(
        m.get(key)!.at,
        `${name}.gmail.${key} '${url}' is not an http(s) URL`,
        'Leave it out to use Google.',
      );
    else out[key] = url;
  }
  const units = r.int(m.get('quotaUnitsPerSecond'), 1, 250, 'Google allows 250 units per user per second.');
  if (units !== undefined) out.quotaUnitsPerSecond = units;
  const size = r.int(m.get('maxMessageSize'), 1, 150 * 1024 * 1024, 'Bytes, at most 157286400 (150 MB).');
  if (size !== undefined) out.maxMessageBytes = size;
  return out;
}

/** The API's gmail block in the project file's words; `secret` stands in for the OAuth client's secret. */
export function gmailSettingsToFile(block: Record<string, unknown>, secret: string): Record<string, unknown> {
  const { maxMessageBytes, oauthClient, ...rest } = block;
  const client = oauthClient as { id: string } | null | undefined;
  return {
    ...rest,
    maxMessageSize: maxMessageBytes,
    oauthClient: client ? { id: client.id, secret } : undefined,
  };
}

/** gmail://USER@HOST: another host than Google's serves the Gmail and Directory APIs (a local emulator). */
export function gmailFromUrl(u: UrlContext): { settings?: GmailSettings } {
  if (u.host === 'gmail.googleapis.com') return {};
  const api = `${u.tls === 'none' ? 'http' : 'https'}://${u.urlHost}:${u.port}`;
  return { settings: { apiUrl: api, directoryUrl: api } };
}
