/**
 * EMULATOR (test code) of the Gmail API, the Admin SDK Directory API (users.list) and Google's OAuth token
 * endpoint, on loopback. Google cannot be reached from the test machines; this implements the documented
 * behaviour Cutover relies on, and rejects what Google rejects, so a connector that ignores a limit fails:
 *
 * - per-user quota: 250 units per user per second by default (moving average with short bursts: a token
 *   bucket holding one second), with the documented per-method costs; over it → 429 rateLimitExceeded;
 * - on-demand throttling storms (429 with Retry-After, and 403 userRateLimitExceeded);
 * - messages.import sizes: 5 MB for a metadata-only request (raw in JSON), 35 MB for media/multipart
 *   uploads, `maxImportBytes` (150 MB) for resumable uploads; 413 above;
 * - messages.list maxResults ≤ 500 with page tokens; includeSpamTrash; batchModify ≤ 1000 ids;
 * - labels: system labels, user labels with unique names (409), reserved names refused (400), at the top
 *   of a nested name too; SENT and DRAFT never applied or removed by hand (emulator-label-rules.ts);
 * - messages.insert applies SENT itself when From is the user's address; drafts.create makes a DRAFT dated
 *   now (the only ways Gmail documents for those labels);
 * - history.list from a startHistoryId, 404 once that point is expired;
 * - internalDateSource=dateHeader dates a message from its Date header;
 * - settings: filters, vacation responder, send-as signatures and their refusals (emulator-settings.ts).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EmuAuth } from './emulator-auth.js';
import { labelNameRefused } from './emulator-label-rules.js';
import { EmuMailbox } from './emulator-mailbox.js';
import { route, type EmuRequest } from './emulator-routes.js';
import { settingsOf, type EmuSettings } from './emulator-settings.js';

export const GMAIL_SCOPE = 'https://mail.google.com/';
/** The only scope Google takes for settings writes (filters, vacation responder, send-as). */
export const SETTINGS_SCOPE = 'https://www.googleapis.com/auth/gmail.settings.basic';
export const DIRECTORY_SCOPE = 'https://www.googleapis.com/auth/admin.directory.user.readonly';

export interface EmulatorOptions {
  users: string[];
  /** The Workspace admin (may list users). */
  admin?: string;
  unitsPerSecond?: number;
  maxImportBytes?: number;
  /** Directory users.list page size cap (Google: 500). */
  directoryPage?: number;
  /** System label names in the account's language, refused by labels.create like the English ones. */
  localisedNames?: string[];
  /** Behave otherwise than documented, as public reports say Gmail sometimes does (live-check tests). */
  quirks?: EmulatorQuirks;
}

/** Departures from the documented behaviour, each off by default. */
export interface EmulatorQuirks {
  /** import/insert/modify accept SENT and DRAFT (what got-your-back relies on in import). */
  acceptsSystemLabels?: boolean;
  /** labels.create accepts reserved names and names under them. */
  acceptsReservedNames?: boolean;
  /** messages.insert does not apply SENT, even with the user's address in From. */
  insertWithoutSent?: boolean;
}

/** How a message arrives: messages.import, messages.insert or drafts.create. */
export type ArrivalKind = 'import' | 'insert' | 'draft';

/** A resumable upload waiting for its bytes. */
export interface UploadSession {
  user: string;
  size: number;
  kind: ArrivalKind;
  labelIds: string[];
  query: URLSearchParams;
}

/** Counters a test can look at. */
export interface EmulatorStats {
  requests: Record<string, number>;
  throttled: number;
  quotaRejected: number;
  tooLarge: number;
}

export class GmailEmulator {
  readonly mailboxes = new Map<string, EmuMailbox>();
  readonly auth: EmuAuth;
  readonly stats: EmulatorStats = { requests: {}, throttled: 0, quotaRejected: 0, tooLarge: 0 };
  readonly unitsPerSecond: number;
  readonly maxImportBytes: number;
  readonly admin: string;
  readonly directoryPage: number;
  readonly localisedNames: string[];
  /** Departures from the documented behaviour; a test may switch them while the emulator runs. */
  quirks: EmulatorQuirks;
  url = '';
  keyPath = '';
  private server?: http.Server;
  private storm: { left: number; retryAfter: number } = { left: 0, retryAfter: 0 };
  /** Called with each Gmail API request's operation before it is served (a test acting meanwhile). */
  beforeRequest?: (op: string, mailbox: EmuMailbox) => void;
  /** The next imports are stored, then their connection drops before the answer (a lost answer). */
  loseImportAnswers = 0;
  private readonly buckets = new Map<string, { level: number; last: number }>();
  readonly sessions = new Map<string, UploadSession>();

  private constructor(opts: EmulatorOptions) {
    for (const u of opts.users) this.mailboxes.set(u.toLowerCase(), new EmuMailbox(u));
    this.admin = opts.admin ?? opts.users[0]!;
    this.unitsPerSecond = opts.unitsPerSecond ?? 250;
    this.maxImportBytes = opts.maxImportBytes ?? 150 * 1024 * 1024;
    this.directoryPage = opts.directoryPage ?? 500;
    this.localisedNames = opts.localisedNames ?? [];
    this.quirks = { ...opts.quirks };
    this.auth = new EmuAuth((u) => this.mailboxes.has(u.toLowerCase()));
  }

  /** Start on a free loopback port; writes the service account key file. */
  static async start(opts: EmulatorOptions): Promise<GmailEmulator> {
    const emu = new GmailEmulator(opts);
    emu.server = http.createServer((req, res) => void emu.handle(req, res));
    await new Promise<void>((r) => emu.server!.listen(0, '127.0.0.1', r));
    emu.url = `http://127.0.0.1:${(emu.server.address() as AddressInfo).port}`;
    emu.keyPath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gmail-emu-')), 'service-account.json');
    fs.writeFileSync(emu.keyPath, emu.auth.keyFile(emu.tokenUrl), { mode: 0o600 });
    return emu;
  }

  get tokenUrl(): string {
    return `${this.url}/token`;
  }

  /** A user's settings: filters, vacation responder, send-as and forwarding addresses (emulator-settings.ts). */
  settings(user: string): EmuSettings {
    return settingsOf(this.mailbox(user));
  }

  mailbox(user: string): EmuMailbox {
    const m = this.mailboxes.get(user.toLowerCase());
    if (!m) throw new Error(`emulator: no user ${user}`);
    return m;
  }

  /** Put a message straight into a mailbox (creating user labels by name), bypassing the API. */
  seed(user: string, raw: Buffer, labels: string[], internalDate = Date.now()): string {
    const mb = this.mailbox(user);
    const ids = labels.map((name) => {
      if (mb.labels.has(name)) return name;
      const existing = [...mb.labels.values()].find((l) => l.name === name);
      return (existing ?? mb.createLabel(name)).id;
    });
    return mb.addMessage(raw, ids, internalDate).id;
  }

  /** The next `n` Gmail API requests are refused as throttled (alternating 429 + Retry-After and 403). */
  throttle(n: number, retryAfterSeconds = 1): void {
    this.storm = { left: n, retryAfter: retryAfterSeconds };
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
    this.server?.closeAllConnections();
    fs.rmSync(path.dirname(this.keyPath), { recursive: true, force: true });
  }

  /** Charge `units` to a user; false when the bucket (one second of quota) is empty. */
  charge(user: string, units: number): boolean {
    const now = Date.now();
    const b = this.buckets.get(user) ?? { level: this.unitsPerSecond, last: now };
    b.level = Math.min(this.unitsPerSecond, b.level + ((now - b.last) / 1000) * this.unitsPerSecond);
    b.last = now;
    this.buckets.set(user, b);
    if (b.level < units) return false;
    b.level -= units;
    return true;
  }

  /** Whether a throttling storm answers this request; returns the answer to send. */
  stormAnswer(): [number, object, Record<string, string>] | undefined {
    if (this.storm.left <= 0) return undefined;
    const odd = this.storm.left-- % 2 === 1;
    this.stats.throttled++;
    return odd
      ? [
          429,
          err(429, 'Too many requests', 'rateLimitExceeded'),
          { 'retry-after': String(this.storm.retryAfter) },
        ]
      : [
          403,
          err(
            403,
            `User-rate limit exceeded.  Retry after ${new Date(Date.now() + this.storm.retryAfter * 1000).toISOString()}`,
            'userRateLimitExceeded',
          ),
          {},
        ];
  }

  /** Whether labels.create refuses this name. */
  isReserved(name: string): boolean {
    return !this.quirks.acceptsReservedNames && labelNameRefused(name, this.localisedNames);
  }

  /** Open a resumable upload; returns its session URL. */
  newSession(s: UploadSession): string {
    const id = randomBytes(12).toString('hex');
    this.sessions.set(id, s);
    const path = { import: 'messages/import', insert: 'messages', draft: 'drafts' }[s.kind];
    return `${this.url}/upload/gmail/v1/users/me/${path}?upload_id=${id}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const r: EmuRequest = { req, url: new URL(req.url ?? '/', this.url) };
    try {
      const [status, body, headers] = await route(this, r);
      if (r.imported && this.loseImportAnswers > 0) {
        this.loseImportAnswers--;
        res.socket?.destroy();
        return;
      }
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
      res.end(body === undefined ? '' : JSON.stringify(body));
    } catch (e) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify(err(500, String(e), 'backendError')));
    }
  }
}

/** Google's error body. */
export function err(code: number, message: string, reason: string): object {
  return { error: { code, message, errors: [{ message, domain: 'global', reason }], status: reason } };
}
