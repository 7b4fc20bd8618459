/**
 * LOCAL EMULATOR of Microsoft Graph and its Entra ID token endpoint — test code, NOT the real service,
 * which cannot be reached from the test machines. It implements the documented behaviour Cutover relies
 * on and rejects what the real service rejects:
 * - HTTPS only (MSAL refuses an http authority), a self-signed certificate for 127.0.0.1;
 * - client-credentials tokens for one app registration, delegated tokens bound to one mailbox;
 * - at most 4 concurrent requests per mailbox: a fifth gets 429 ApplicationThrottled (requests inside a
 *   $batch count one by one), a request body over 4 MB gets 413, $batch takes at most 20 requests;
 * - the request and upload budgets per app and mailbox (emulator-budget.ts), Retry-After in minutes;
 * - throttling storms on demand (429 or 503 with Retry-After), mailboxes that do not exist or have no
 *   Exchange Online licence (404 ErrorInvalidUser / MailboxNotEnabledForRESTAPI).
 * The mailbox endpoints themselves are in emulator-mail-routes.ts (inbox rules and automatic replies in
 * emulator-rules.ts; contacts, calendars and To Do, with every invitation Exchange would send recorded, in
 * emulator-groupware.ts); the mailbox import/export API
 * (/admin/exchange/mailboxes, exportItems, createImportSession and its import URL) in emulator-mailbox-api.ts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { tokenRoute } from './emulator-auth.js';
import { EntraConsent } from './emulator-consent.js';
import { runBatch } from './emulator-batch.js';
import { EmBudgets, GRAPH_BUDGETS, type EmBudgetLimits } from './emulator-budget.js';
import { seedMessages, type SeedMessage } from './emulator-seed.js';
import { fail, type EmRequest, type EmResponse, type MailContext } from './emulator-http.js';
import { mailRoute } from './emulator-mail-routes.js';
import { uploadChunk } from './emulator-messages.js';
import { EmulatorStore, type EmMessage, type EmUser } from './emulator-store.js';
import { EmImapAccess, isExchangeScope } from './emulator-imap.js';
import { EmMailboxApi } from './emulator-mailbox-api.js';
import { EmInboxRules } from './emulator-rules.js';
import { EmGroupware } from './emulator-groupware.js';

/** Graph's documented limits, as the emulator enforces them. */
export const MAILBOX_CONCURRENCY = 4;
export const REQUEST_BODY_MAX = 4 * 1024 * 1024;

export interface GraphEmulatorOptions {
  tenantId?: string;
  clientId?: string;
  clientSecret?: string;
  /** How long each mailbox request holds its concurrency slot (default 3 ms), so overlaps really happen. */
  latencyMs?: number;
  /** Mailbox message size limit (Exchange Online default 35 MB). */
  maxMessageBytes?: number;
  /** Default page size of lists and delta rounds (default 10, to exercise paging). */
  pageSize?: number;
  /** Attachments added to a non-draft message: allowed (default) or refused (see MailContext). */
  nonDraftAttachments?: 'allow' | 'refuse';
  /** The per-mailbox budgets (default Graph's documented ones); tests shrink the windows to seconds. */
  budgets?: Partial<EmBudgetLimits>;
}

export interface EmulatorStats {
  requests: number;
  batches: number;
  maxConcurrent: number;
  rejectedForConcurrency: number;
  throttled: number;
  tooLarge: number;
  uploadChunks: number;
  mimeCreates: number;
  /** Messages created (any format), successful or not. */
  creates: number;
  /** Requests to the token endpoint (any grant). */
  tokenRequests: number;
}

/** Who a token belongs to: the app (every mailbox) or one delegated mailbox. */
type Caller = { kind: 'app'; scope: string } | { kind: 'delegated'; upn: string };

export class GraphEmulator {
  readonly store = new EmulatorStore();
  /** Mailbox requests by route shape ("GET messages/{}/$value"). */
  readonly routes = new Map<string, number>();
  readonly stats: EmulatorStats = {
    requests: 0,
    batches: 0,
    maxConcurrent: 0,
    rejectedForConcurrency: 0,
    throttled: 0,
    tooLarge: 0,
    uploadChunks: 0,
    mimeCreates: 0,
    creates: 0,
    tokenRequests: 0,
  };
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  private readonly tokens = new Map<string, Caller>();
  /** Delegated refresh tokens → their mailbox (each is used once: Entra rotates them). */
  private readonly refreshTokens = new Map<string, string>();
  private readonly active = new Map<string, number>();
  private storm = { count: 0, retryAfterSeconds: 1, status: 429, skip: 0 };
  private ctx!: MailContext;
  private server!: https.Server;
  /** Send `$value` bodies chunked, without Content-Length (Graph does not promise one). */
  chunked = false;
  /** The certificate to trust (PEM). */
  cert = '';
  /** The per-user consent flow: who signs in on the emulated sign-in page (see emulator-consent.ts). */
  readonly consent = new EntraConsent();
  /** App-only IMAP access to Exchange Online (emulator-imap.ts). */
  readonly imap = new EmImapAccess();
  /**
   * Called before each mailbox request with the mailbox and the request: a test that runs a real IMAP server
   * as the same mailbox's IMAP side mirrors what was APPENDed there (Exchange has one store for both).
   */
  beforeMailRequest?: (upn: string, req: EmRequest) => Promise<void>;
  /** The request and upload budgets per mailbox (emulator-budget.ts). */
  readonly budgets: EmBudgets;
  /** The mailbox import/export API and the permissions granted for it (emulator-mailbox-api.ts). */
  readonly mailboxApi: EmMailboxApi;
  /** Inbox rules and automatic replies of every mailbox, and the rules quota (emulator-rules.ts). */
  readonly inboxRules = new EmInboxRules();
  /** Contacts, calendars, To Do and the invitations Exchange would send (emulator-groupware.ts). */
  readonly groupware = new EmGroupware();
  /** Route shape → answers still to cut (cutAnswers). */
  private readonly cuts = new Map<string, number>();
  baseUrl = '';
  authorityHost = '';

  constructor(private readonly opts: GraphEmulatorOptions = {}) {
    this.tenantId = opts.tenantId ?? 'contoso-emulated';
    this.clientId = opts.clientId ?? 'emu-client-id';
    this.clientSecret = opts.clientSecret ?? `emu-secret-${randomBytes(6).toString('hex')}`;
    this.budgets = new EmBudgets({ ...GRAPH_BUDGETS, ...opts.budgets });
    this.mailboxApi = new EmMailboxApi(this.tenantId);
  }

  async start(): Promise<this> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'graph-emu-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        `${dir}/key.pem`,
        '-out',
        `${dir}/cert.pem`,
      ],
      { stdio: 'ignore' },
    );
    this.cert = fs.readFileSync(`${dir}/cert.pem`, 'utf8');
    this.server = https.createServer(
      { key: fs.readFileSync(`${dir}/key.pem`), cert: this.cert },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const u = new URL(req.url ?? '/', this.baseUrl);
          const headers = Object.fromEntries(
            Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
          );
          // The mailbox slot is freed when the answer is ready, or when the route answers after the client went
          // away (a client that timed out must not hold a slot for ever).
          let gone = false;
          res.on('close', () => {
            gone = true;
          });
          this.handle({
            method: req.method ?? 'GET',
            path: u.pathname,
            query: u.searchParams,
            headers,
            body: Buffer.concat(chunks),
          }).then(
            ({ res: r, release }) => {
              if (gone) return release();
              // The answer is complete here: the slot is free before the client can see it. Freed on
              // 'finish' instead, a client quick to send its next request could find the slot still taken
              // (the event comes a turn of this process's loop later) and get a 429 Graph would not give.
              release();
              if (r.cut) {
                res.socket?.destroy();
                return;
              }
              res.writeHead(r.status, {
                ...(r.json !== undefined ? { 'content-type': 'application/json' } : {}),
                ...(r.raw && !this.chunked ? { 'content-length': String(r.raw.length) } : {}),
                ...r.headers,
              });
              res.end(r.raw ?? (r.json !== undefined ? JSON.stringify(r.json) : undefined));
            },
            (err: Error) => {
              res.writeHead(500, { 'content-type': 'application/json' });
              res.end(JSON.stringify({ error: { code: 'InternalServerError', message: err.stack } }));
            },
          );
        });
      },
    );
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    fs.rmSync(dir, { recursive: true, force: true });
    const origin = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.baseUrl = `${origin}/v1.0`;
    this.authorityHost = origin;
    this.ctx = {
      store: this.store,
      origin,
      pageSize: this.opts.pageSize ?? 10,
      maxMessageBytes: this.opts.maxMessageBytes ?? 35 * 1024 * 1024,
      nonDraftAttachments: this.opts.nonDraftAttachments ?? 'allow',
      routes: this.routes,
      cursors: new Map(),
      deltaTokens: new Map(),
      uploads: new Map(),
      inboxRules: this.inboxRules,
      groupware: this.groupware,
    };
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** Allow or refuse attachments added to a message created as a non-draft (undocumented either way). */
  setNonDraftAttachments(mode: 'allow' | 'refuse'): void {
    this.ctx.nonDraftAttachments = mode;
  }

  /** After `skip` more mailbox requests, the next `count` answer `status` (429 or 503) with Retry-After. */
  throttleNext(count: number, retryAfterSeconds = 1, status = 429, skip = 0): void {
    this.storm = { count, retryAfterSeconds, status, skip };
  }

  /** Introspection (RFC 7662) of an Exchange Online token, for the IMAP server's oauth2 passdb. */
  introspect(token: string): { active: boolean; username?: string } {
    const who = this.tokens.get(token);
    return this.imap.introspect(token, who?.kind === 'app' ? who.scope : undefined);
  }

  /** A delegated access token that reaches only this user's mailbox. */
  delegatedToken(upn: string): string {
    const tok = `emu-delegated-${randomBytes(12).toString('hex')}`;
    this.tokens.set(tok, { kind: 'delegated', upn: upn.toLowerCase() });
    return tok;
  }

  /** A delegated refresh token for one mailbox (what a consent flow would have stored). */
  delegatedRefreshToken(upn: string): string {
    const rt = `emu-refresh-${randomBytes(12).toString('hex')}`;
    this.refreshTokens.set(rt, upn.toLowerCase());
    return rt;
  }

  /** Every delegated access token handed out so far stops working (as when they expire). */
  expireDelegatedTokens(): void {
    for (const [tok, who] of this.tokens) if (who.kind === 'delegated') this.tokens.delete(tok);
  }

  /** Every refresh token of a mailbox is revoked (password reset, admin revocation). */
  revokeRefreshTokens(upn: string): void {
    for (const [rt, u] of this.refreshTokens) if (u === upn.toLowerCase()) this.refreshTokens.delete(rt);
  }

  /** Put messages into a folder (display-name path, created when missing) behind the API's back. */
  seed(upn: string, folder: string[], messages: SeedMessage[]): EmMessage[] {
    return seedMessages(this.store, upn, folder, messages);
  }

  private async handle(req: EmRequest): Promise<{ res: EmResponse; release: () => void }> {
    const none = () => {};
    if (req.path.startsWith('/upload/')) {
      if (req.body.length > REQUEST_BODY_MAX) return { res: this.tooLarge(), release: none };
      const stormy = this.stormAnswer();
      if (stormy) return { res: stormy, release: none };
      const owner = this.ctx.uploads.get(req.path.split('/')[2]!)?.user;
      const wait = owner ? this.budgets.take(owner.id, req.body.length) : 0;
      if (wait) return { res: this.overBudget(wait), release: none };
      this.stats.uploadChunks++;
      return { res: uploadChunk(this.ctx, req.path.split('/')[2]!, req), release: none };
    }
    const tenant = new RegExp(`^/${this.tenantId}/`);
    if (tenant.test(req.path) && req.path.endsWith('/token')) this.stats.tokenRequests++;
    if (tenant.test(req.path))
      return {
        res: tokenRoute(
          {
            origin: this.authorityHost,
            tenantId: this.tenantId,
            clientId: this.clientId,
            clientSecret: this.clientSecret,
            issued: (t, scope) => this.tokens.set(t, { kind: 'app', scope }),
            redeem: (rt) => {
              const upn = this.refreshTokens.get(rt);
              if (!upn) return undefined;
              this.refreshTokens.delete(rt);
              return { access: this.delegatedToken(upn), refresh: this.delegatedRefreshToken(upn) };
            },
            mint: (upn) => ({ access: this.delegatedToken(upn), refresh: this.delegatedRefreshToken(upn) }),
            consent: this.consent,
          },
          req,
        ),
        release: none,
      };
    // The pre-authenticated import URL of a mailbox import session (outlook.office365.com in the service).
    if (req.path.startsWith('/emu-outlook/'))
      return { res: this.mailboxApi.importItem(this.ctx, req), release: none };
    if (!req.path.startsWith('/v1.0/')) return { res: fail(404, 'NotFound', 'Not emulated.'), release: none };
    if (req.body.length > REQUEST_BODY_MAX) return { res: this.tooLarge(), release: none };
    const who = this.tokens.get((req.headers['authorization'] ?? '').replace(/^Bearer /i, ''));
    if (!who)
      return {
        res: fail(401, 'InvalidAuthenticationToken', 'Access token is empty or invalid.'),
        release: none,
      };
    if (who.kind === 'app' && isExchangeScope(who.scope))
      return {
        res: fail(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.'),
        release: none,
      };
    const rel = req.path.slice('/v1.0'.length);
    if (rel === '/$batch') return { res: await this.batch(req, who), release: none };
    return this.dispatch({ ...req, path: rel }, who);
  }

  /** The storm's answer to this request, if it is one of the throttled ones (mailbox and upload requests). */
  private stormAnswer(): EmResponse | undefined {
    if (this.storm.count > 0 && this.storm.skip > 0) this.storm.skip--;
    else if (this.storm.count > 0) {
      this.storm.count--;
      this.stats.throttled++;
      return {
        ...fail(
          this.storm.status,
          this.storm.status === 429 ? 'ApplicationThrottled' : 'ServiceUnavailable',
          'Too many requests; retry after the time given.',
        ),
        headers: { 'retry-after': String(this.storm.retryAfterSeconds) },
      };
    }
    return undefined;
  }

  private overBudget(seconds: number): EmResponse {
    this.stats.throttled++;
    return {
      ...fail(429, 'ApplicationThrottled', "Application is over its mailbox's request or upload budget."),
      headers: { 'retry-after': String(seconds) },
    };
  }

  private tooLarge(): EmResponse {
    this.stats.tooLarge++;
    return fail(413, 'RequestEntityTooLarge', `The request body is larger than ${REQUEST_BODY_MAX} bytes.`);
  }

  private async batch(req: EmRequest, who: Caller): Promise<EmResponse> {
    this.stats.batches++;
    return runBatch(req, async (inner) => {
      const { res, release } = await this.dispatch(inner, who);
      release();
      return res;
    });
  }

  private async dispatch(req: EmRequest, who: Caller): Promise<{ res: EmResponse; release: () => void }> {
    const none = () => {};
    this.stats.requests++;
    if (req.method === 'GET' && req.path === '/users') {
      if (who.kind !== 'app')
        return {
          res: fail(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'),
          release: none,
        };
      const users = [...this.store.users.values()].map((u) => ({
        id: u.id,
        userPrincipalName: u.userPrincipalName,
        mail: u.mailbox === 'none' ? null : u.userPrincipalName,
        displayName: u.displayName,
        accountEnabled: u.accountEnabled,
        assignedLicenses: u.assignedLicenses,
      }));
      return { res: { status: 200, json: { value: users } }, release: none };
    }
    const mbx = /^\/admin\/exchange\/mailboxes\/([^/]+)(\/.*)$/.exec(req.path);
    if (mbx) {
      const id = decodeURIComponent(mbx[1]!);
      const owner = [...this.store.users.values()].find((u) => this.mailboxApi.mailboxId(u) === id);
      if (who.kind !== 'app' || !owner)
        return {
          res: fail(404, 'ErrorMailboxNotFound', `No mailbox '${id}' this application can reach.`),
          release: none,
        };
      return this.throttled(owner, req, () =>
        this.mailboxApi.route(this.ctx, owner, mbx[2]!, req, `${this.ctx.origin}/v1.0`),
      );
    }
    const m = /^\/(?:users\/([^/]+)|me)(\/.*)?$/.exec(req.path);
    if (!m) return { res: fail(400, 'BadRequest', `Unsupported path ${req.path}.`), release: none };
    const ref = m[1] ?? (who.kind === 'delegated' ? who.upn : '');
    const user = this.store.user(ref);
    if (who.kind === 'delegated' && (!user || user.userPrincipalName.toLowerCase() !== who.upn))
      return {
        res: fail(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.'),
        release: none,
      };
    if (!user)
      return {
        res: fail(404, 'ErrorInvalidUser', `The requested user '${decodeURIComponent(ref)}' is invalid.`),
        release: none,
      };
    const rest = m[2] ?? '';
    if (rest === '' && req.method === 'GET')
      return {
        res: {
          status: 200,
          json: { id: user.id, userPrincipalName: user.userPrincipalName, displayName: user.displayName },
        },
        release: none,
      };
    if (user.mailbox === 'none')
      return {
        res: fail(
          404,
          'MailboxNotEnabledForRESTAPI',
          'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
        ),
        release: none,
      };
    if (rest === '/settings/exchange' && req.method === 'GET')
      return { res: this.mailboxApi.settings(user), release: none };
    await this.beforeMailRequest?.(user.userPrincipalName, { ...req, path: rest });
    return this.throttled(user, req, () => this.maybeCut(rest, req, mailRoute(this.ctx, user, rest, req)));
  }

  /** The next `count` requests of a route shape ("PATCH messages/{}") are done, but their answer is lost. */
  cutAnswers(shape: string, count = 1): void {
    this.cuts.set(shape, count);
  }

  private maybeCut(rest: string, req: EmRequest, res: EmResponse): EmResponse {
    const seg = rest.split('/').filter(Boolean);
    const key = `${req.method} ${seg.map((s, i) => (i === 1 ? '{}' : s)).join('/')}`;
    const left = this.cuts.get(key) ?? 0;
    if (left === 0 || res.status >= 300) return res;
    this.cuts.set(key, left - 1);
    return { ...res, cut: true };
  }

  /** Storms and the per-mailbox concurrency limit, then the route; the slot is freed by `release`. */
  private async throttled(
    user: EmUser,
    req: EmRequest,
    run: () => EmResponse,
  ): Promise<{ res: EmResponse; release: () => void }> {
    const none = () => {};
    const stormy = this.stormAnswer();
    if (stormy) return { res: stormy, release: none };
    const wait = this.budgets.take(
      user.id,
      ['PATCH', 'POST', 'PUT'].includes(req.method) ? req.body.length : 0,
    );
    if (wait) return { res: this.overBudget(wait), release: none };
    const n = (this.active.get(user.id) ?? 0) + 1;
    if (n > MAILBOX_CONCURRENCY) {
      this.stats.rejectedForConcurrency++;
      return {
        res: {
          ...fail(429, 'ApplicationThrottled', 'Application is over its MailboxConcurrency limit.'),
          headers: { 'retry-after': '1' },
        },
        release: none,
      };
    }
    this.active.set(user.id, n);
    this.stats.maxConcurrent = Math.max(this.stats.maxConcurrent, n);
    if (req.method === 'POST' && /\/messages$/.test(req.path)) {
      this.stats.creates++;
      if ((req.headers['content-type'] ?? '').startsWith('text/plain')) this.stats.mimeCreates++;
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.active.set(user.id, (this.active.get(user.id) ?? 1) - 1);
    };
    try {
      await sleep(this.opts.latencyMs ?? 3);
      return { res: run(), release };
    } catch (err) {
      release();
      throw err;
    }
  }
}

/** Start an emulator on a free loopback port. */
export function startGraphEmulator(opts: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  return new GraphEmulator(opts).start();
}
