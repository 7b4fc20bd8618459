/**
 * A `kind: gmail` server and login turned into what the Gmail connector needs: endpoints, limits and the way
 * to get an access token (service account with domain-wide delegation, per-user refresh token, or a
 * ready access token).
 */
import { readFileSync } from 'node:fs';
import type { AuthSpec, SecretRef, ServerSpec } from '../../config/types.js';
import { resolveSecret } from '../../config/secrets.js';
import { ErrorCode, PermanentError } from '../../errors.js';

/** Google's documented endpoints. */
export const GMAIL_API = 'https://gmail.googleapis.com';
export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const DIRECTORY_API = 'https://admin.googleapis.com';
/** messages.import's documented maximum message size. */
export const GMAIL_MAX_MESSAGE = 150 * 1024 * 1024;
/** Google allows 250 units per user per second on average; Cutover stays below by default. */
export const DEFAULT_UNITS_PER_SECOND = 200;

/** A service account key, as Google's JSON key file holds it. */
export interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  token_uri?: string;
}

/** How to obtain an access token for one mailbox. */
export type GmailCredential =
  | { kind: 'service-account'; key: ServiceAccountKey; subject: string }
  | { kind: 'refresh-token'; refreshToken: string; clientId: string; clientSecret: string }
  | { kind: 'access-token'; token: string };

/** Everything a Gmail connection needs. */
export interface GmailTarget {
  user: string;
  apiUrl: string;
  tokenUrl: string;
  directoryUrl: string;
  unitsPerSecond: number;
  maxMessageBytes: number;
  credential: GmailCredential;
  /** For messages: "Gmail alice@example.com". */
  where: string;
}

/** Read a secret whole (a JSON key spans lines; resolveSecret keeps only the first line of a file). */
function wholeSecret(ref: SecretRef): string {
  if (!('file' in ref)) return resolveSecret(ref);
  try {
    return readFileSync(ref.file, 'utf8');
  } catch (err) {
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `Cannot read the service account key ${ref.file} (${(err as NodeJS.ErrnoException).code ?? String(err)}).`,
      'Check the path; download the JSON key of the service account from the Google Cloud console.',
      { cause: err },
    );
  }
}

/** Parse a service account JSON key, saying clearly what is missing. */
export function parseServiceAccountKey(text: string): ServiceAccountKey {
  let key: Partial<ServiceAccountKey>;
  try {
    key = JSON.parse(text) as Partial<ServiceAccountKey>;
  } catch {
    key = {};
  }
  if (typeof key.client_email !== 'string' || typeof key.private_key !== 'string')
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      'The Google service account key is not a JSON key file with client_email and private_key.',
      'Create a JSON key for the service account (Google Cloud console → IAM → Service accounts → Keys) and point the admin password at the file.',
    );
  return key as ServiceAccountKey;
}

/** Resolve server + login into a Gmail target. */
export function gmailTarget(server: ServerSpec, auth: AuthSpec): GmailTarget {
  const g = server.gmail ?? {};
  const base = (u: string) => u.replace(/\/+$/, '');
  let credential: GmailCredential;
  let key: ServiceAccountKey | undefined;
  if (auth.kind === 'master') {
    key = parseServiceAccountKey(wholeSecret(auth.password));
    credential = { kind: 'service-account', key, subject: auth.user };
  } else if (auth.kind === 'xoauth2') {
    credential = { kind: 'access-token', token: resolveSecret(auth.accessToken) };
  } else {
    if (!g.oauthClient)
      throw new PermanentError(
        ErrorCode.ConfigInvalid,
        `Gmail login for ${auth.user}: a password login on Google Workspace is a per-user OAuth refresh token, and the project names no OAuth client.`,
        'Add gmail: { oauthClient: { id: …, secret: … } } to the server, or use a service account with domain-wide delegation (admin with mode: master and the JSON key as password).',
      );
    credential = {
      kind: 'refresh-token',
      refreshToken: resolveSecret(auth.password),
      clientId: g.oauthClient.id,
      clientSecret: resolveSecret(g.oauthClient.secret),
    };
  }
  return {
    user: auth.user,
    apiUrl: base(g.apiUrl ?? GMAIL_API),
    tokenUrl: g.tokenUrl ?? key?.token_uri ?? GOOGLE_TOKEN_URL,
    directoryUrl: base(g.directoryUrl ?? DIRECTORY_API),
    unitsPerSecond: g.quotaUnitsPerSecond ?? DEFAULT_UNITS_PER_SECOND,
    maxMessageBytes: g.maxMessageBytes ?? GMAIL_MAX_MESSAGE,
    credential,
    where: `Gmail ${auth.user}`,
  };
}
