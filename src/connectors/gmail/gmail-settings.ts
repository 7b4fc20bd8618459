/**
 * Google Workspace's settings block (`gmail:` in the project file and the API): its type, its API schemas
 * and how a project file's block is read. The one place these settings are described.
 */
import { Type } from '@sinclair/typebox';
import type { SecretRef } from '../../config/secret-ref.js';

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
