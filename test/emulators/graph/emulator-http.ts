/**
 * LOCAL EMULATOR of Microsoft Graph (test code, not the real service): the request and response shapes
 * the routes share, Graph's error body, and the state the mailbox routes keep (cursors, delta tokens,
 * upload sessions).
 */
import type { EmGroupware } from './emulator-groupware.js';
import type { EmInboxRules } from './emulator-rules.js';
import type { EmUser, EmulatorStore } from './emulator-store.js';

export interface EmRequest {
  method: string;
  /** Path after /v1.0, without the query. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  body: Buffer;
}
export interface EmResponse {
  status: number;
  headers?: Record<string, string>;
  json?: unknown;
  raw?: Buffer;
  /** The connection is destroyed instead of answering (the work was done; the answer is lost). */
  cut?: boolean;
}

/** Graph's error body. */
export const fail = (status: number, code: string, message: string): EmResponse => ({
  status,
  json: { error: { code, message } },
});

/** A paged answer in progress. */
export interface Cursor {
  items: unknown[];
  pos: number;
  /** For delta: the token the last page hands out; for lists: undefined. */
  deltaSince?: number;
  base: string;
}

export interface MailContext {
  store: EmulatorStore;
  /** Requests by route shape ("GET mailFolders/{}/messages"), for tests. */
  routes: Map<string, number>;
  origin: string;
  pageSize: number;
  maxMessageBytes: number;
  /**
   * Whether attachments may be added to a message created as a non-draft. Graph documents attachment POSTs
   * and upload sessions with drafts only; what the service does for a non-draft is not documented, so the
   * tests run both ways.
   */
  nonDraftAttachments: 'allow' | 'refuse';
  cursors: Map<string, Cursor>;
  /** Inbox rules and automatic replies of every mailbox (emulator-rules.ts). */
  inboxRules: EmInboxRules;
  /** Contacts, calendars and To Do of every mailbox (emulator-groupware.ts). */
  groupware: EmGroupware;
  deltaTokens: Map<string, { since: number; select?: string[] }>;
  uploads: Map<
    string,
    {
      user: EmUser;
      messageId: string;
      name: string;
      contentType: string;
      isInline: boolean;
      contentId?: string;
      size: number;
      parts: Buffer[];
      received: number;
    }
  >;
}
