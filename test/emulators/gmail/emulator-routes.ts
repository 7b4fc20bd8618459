/**
 * EMULATOR (test code): the HTTP routes of the Gmail/Directory/OAuth emulator (see gmail-emulator.ts).
 * People, Calendar and Tasks API paths go to emulator-groupware.ts. Gmail methods: profile, labels (list/get/create/delete), messages (list/get/import/insert/modify/
 * batchModify/delete), drafts (create/delete), history.list, settings (filters, vacation, send-as, forwarding
 * addresses: emulator-settings.ts).
 * Every Gmail request is authenticated, then may be answered by a throttling storm, then is charged its
 * documented quota units (refused with 429 when the user's quota is spent), then served.
 */
import type http from 'node:http';
import { DIRECTORY_SCOPE, GMAIL_SCOPE, SETTINGS_SCOPE, err, type GmailEmulator } from './gmail-emulator.js';
import type { EmuMailbox, EmuMessage } from './emulator-mailbox.js';
import { notManual } from './emulator-label-rules.js';
import { body, receiveMessage, uploadSession } from './emulator-import.js';
import { SETTINGS_WRITES, serveSettings, settingsOp } from './emulator-settings.js';
import { isGroupwarePath, routeGroupware } from './emulator-groupware.js';

export interface EmuRequest {
  req: http.IncomingMessage;
  url: URL;
  /** Set when the request stored a message (so a test can lose its answer). */
  imported?: boolean;
}
export type Answer = [number, object | undefined, Record<string, string>?];

const MB = 1024 * 1024;

function headersOf(raw: Buffer, names: string[]): Array<{ name: string; value: string }> {
  const head = raw
    .subarray(0, Math.max(0, raw.indexOf('\r\n\r\n')))
    .toString('latin1')
    .replace(/\r\n[ \t]+/g, ' ');
  const want = names.map((n) => n.toLowerCase());
  return head
    .split('\r\n')
    .map((l) => /^([^:]+):\s*(.*)$/.exec(l))
    .filter((x): x is RegExpExecArray => !!x && (want.length === 0 || want.includes(x[1]!.toLowerCase())))
    .map((x) => ({ name: x[1]!, value: x[2]! }));
}

export function messageJson(m: EmuMessage, format: string, metadataHeaders: string[] = []): object {
  const base = {
    id: m.id,
    threadId: m.threadId,
    labelIds: [...m.labelIds],
    snippet: '',
    historyId: String(m.historyId),
    internalDate: String(m.internalDate),
    sizeEstimate: m.raw.length + 137, // an estimate: deliberately not the exact size
  };
  if (format === 'raw') return { ...base, raw: m.raw.toString('base64url') };
  if (format === 'metadata') return { ...base, payload: { headers: headersOf(m.raw, metadataHeaders) } };
  return base;
}

const UNITS: Record<string, number> = {
  profile: 1,
  'labels.list': 1,
  'labels.get': 1,
  'labels.create': 5,
  'messages.list': 5,
  'messages.get': 5,
  'messages.import': 25,
  'messages.insert': 25,
  'messages.delete': 10,
  'messages.batchModify': 50,
  'messages.modify': 5,
  'labels.delete': 5,
  'drafts.create': 10,
  'drafts.delete': 10,
  'history.list': 2,
  'settings.filters.list': 1,
  'settings.filters.get': 1,
  'settings.filters.create': 5,
  'settings.filters.delete': 5,
  'settings.getVacation': 1,
  'settings.updateVacation': 5,
  'settings.sendAs.list': 1,
  'settings.sendAs.get': 1,
  'settings.sendAs.patch': 100,
  'settings.sendAs.update': 100,
  'settings.forwardingAddresses.list': 1,
  upload: 0,
};

/** Serve one request. */
export async function route(emu: GmailEmulator, r: EmuRequest): Promise<Answer> {
  const { req, url } = r;
  const p = url.pathname;
  if (p === '/token' && req.method === 'POST') {
    const form = new URLSearchParams((await body(req, MB)).buf.toString());
    const [status, answer] = emu.auth.exchange(form, emu.tokenUrl);
    return [status, answer];
  }
  if (p === '/o/oauth2/v2/auth' && req.method === 'GET') return emu.auth.authorize(url.searchParams);
  if (p === '/admin/directory/v1/users') return directory(emu, r);
  if (isGroupwarePath(p)) return routeGroupware(emu, r);
  const m = /^(\/upload)?\/gmail\/v1\/users\/([^/]+)(\/.*)$/.exec(p);
  if (!m) return [404, err(404, `No route ${p}`, 'notFound')];
  const rest = m[3]!;
  const upload = !!m[1];
  const op = opOf(req.method ?? 'GET', rest, upload, url);
  const grant = grantFor(emu, req.headers.authorization, op);
  if (grant === 'unauthenticated')
    return [401, err(401, 'Request had invalid authentication credentials.', 'authError')];
  if (grant === 'forbidden')
    return [403, err(403, 'Request had insufficient authentication scopes.', 'insufficientPermissions')];
  const userId = decodeURIComponent(m[2]!);
  if (userId !== 'me' && userId.toLowerCase() !== grant.user.toLowerCase())
    return [403, err(403, 'Delegation denied', 'forbidden')];
  const mb = emu.mailbox(grant.user);
  emu.beforeRequest?.(op, mb);
  emu.stats.requests[op] = (emu.stats.requests[op] ?? 0) + 1;
  const storm = emu.stormAnswer();
  if (storm) {
    await body(req, 0);
    return storm;
  }
  if (!emu.charge(grant.user, UNITS[op] ?? 5)) {
    emu.stats.quotaRejected++;
    await body(req, 0);
    return [
      429,
      err(
        429,
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user'.",
        'rateLimitExceeded',
      ),
    ];
  }
  return serve(emu, mb, op, r, rest);
}

/** The answer to a modify naming a label nobody may apply, or one that does not exist. */
export function labelsRefused(emu: GmailEmulator, mb: EmuMailbox, named: string[]): Answer | undefined {
  const manual = emu.quirks.acceptsSystemLabels ? undefined : notManual(named);
  if (manual) return [400, err(400, `Invalid label: ${manual}`, 'invalidArgument')];
  for (const l of named)
    if (!mb.labels.has(l)) return [400, err(400, `Invalid label: ${l}`, 'invalidArgument')];
  return undefined;
}

/**
 * The grant behind a request if it has a scope the method takes: settings writes take only
 * gmail.settings.basic, settings reads that or full access, everything else full access.
 */
function grantFor(emu: GmailEmulator, authorization: string | undefined, op: string) {
  if (SETTINGS_WRITES.has(op)) return emu.auth.check(authorization, SETTINGS_SCOPE);
  const full = emu.auth.check(authorization, GMAIL_SCOPE);
  if (full !== 'forbidden' || !op.startsWith('settings.')) return full;
  return emu.auth.check(authorization, SETTINGS_SCOPE);
}

function opOf(method: string, rest: string, upload: boolean, url: URL): string {
  if (upload && url.searchParams.has('upload_id')) return 'upload';
  const setting = settingsOp(method, rest);
  if (setting) return setting;
  if (rest === '/profile') return 'profile';
  if (rest === '/labels') return method === 'POST' ? 'labels.create' : 'labels.list';
  if (rest.startsWith('/labels/')) return method === 'DELETE' ? 'labels.delete' : 'labels.get';
  if (rest === '/messages/import') return 'messages.import';
  if (rest === '/messages/batchModify') return 'messages.batchModify';
  if (rest === '/messages') return method === 'POST' ? 'messages.insert' : 'messages.list';
  if (/^\/messages\/[^/]+\/modify$/.test(rest)) return 'messages.modify';
  if (rest.startsWith('/messages/')) return method === 'DELETE' ? 'messages.delete' : 'messages.get';
  if (rest === '/drafts' && method === 'POST') return 'drafts.create';
  if (rest.startsWith('/drafts/') && method === 'DELETE') return 'drafts.delete';
  if (rest === '/history') return 'history.list';
  return 'unknown';
}

async function serve(
  emu: GmailEmulator,
  mb: EmuMailbox,
  op: string,
  r: EmuRequest,
  rest: string,
): Promise<Answer> {
  const q = r.url.searchParams;
  if (op.startsWith('settings.')) {
    const text = ['POST', 'PUT', 'PATCH'].includes(r.req.method ?? '')
      ? (await body(r.req, MB)).buf.toString()
      : '';
    return serveSettings(emu, mb, op, rest, JSON.parse(text || '{}') as Record<string, unknown>);
  }
  switch (op) {
    case 'profile':
      return [
        200,
        {
          emailAddress: mb.email,
          messagesTotal: mb.messages.size,
          threadsTotal: mb.messages.size,
          historyId: String(mb.historyId),
        },
      ];
    case 'labels.list':
      return [200, { labels: [...mb.labels.values()] }];
    case 'labels.delete': {
      const id = decodeURIComponent(rest.slice('/labels/'.length));
      if (mb.labels.get(id)?.type === 'system')
        return [400, err(400, 'Invalid delete request', 'invalidArgument')];
      return mb.deleteLabel(id) ? [204, undefined] : [404, err(404, 'Not Found', 'notFound')];
    }
    case 'messages.delete': {
      const id = decodeURIComponent(rest.slice('/messages/'.length));
      return mb.deleteMessage(id) ? [204, undefined] : [404, err(404, 'Not Found', 'notFound')];
    }
    case 'drafts.delete': {
      const id = decodeURIComponent(rest.slice('/drafts/'.length));
      const msg = mb.drafts.get(id);
      if (!msg) return [404, err(404, 'Not Found', 'notFound')];
      mb.deleteMessage(msg);
      return [204, undefined];
    }
    case 'labels.get': {
      const l = mb.labels.get(decodeURIComponent(rest.slice('/labels/'.length)));
      if (!l) return [404, err(404, 'Requested entity was not found.', 'notFound')];
      const msgs = [...mb.messages.values()].filter((x) => x.labelIds.has(l.id));
      return [
        200,
        {
          ...l,
          messagesTotal: msgs.length,
          messagesUnread: msgs.filter((x) => x.labelIds.has('UNREAD')).length,
        },
      ];
    }
    case 'labels.create': {
      const { name } = JSON.parse((await body(r.req, MB)).buf.toString()) as { name?: string };
      if (!name || emu.isReserved(name)) return [400, err(400, 'Invalid label name', 'invalidArgument')];
      if ([...mb.labels.values()].some((l) => l.name.toLowerCase() === name.toLowerCase()))
        return [409, err(409, 'Label name exists or conflicts', 'failedPrecondition')];
      return [200, mb.createLabel(name)];
    }
    case 'messages.list': {
      const max = Number(q.get('maxResults') ?? 100);
      if (!(max >= 1 && max <= 500))
        return [400, err(400, 'Invalid maxResults: at most 500', 'invalidArgument')];
      const ids = mb.list(q.getAll('labelIds'), q.get('includeSpamTrash') === 'true');
      const start = Number(q.get('pageToken') ?? 0);
      const page = ids.slice(start, start + max);
      const next = start + max < ids.length ? String(start + max) : undefined;
      return [
        200,
        {
          messages: page.map((id) => ({ id, threadId: id })),
          nextPageToken: next,
          resultSizeEstimate: ids.length,
        },
      ];
    }
    case 'messages.get': {
      const msg = mb.messages.get(decodeURIComponent(rest.slice('/messages/'.length)));
      if (!msg) return [404, err(404, 'Requested entity was not found.', 'notFound')];
      return [200, messageJson(msg, q.get('format') ?? 'full', q.getAll('metadataHeaders'))];
    }
    case 'messages.modify': {
      const id = decodeURIComponent(rest.slice('/messages/'.length, -'/modify'.length));
      const b = JSON.parse((await body(r.req, MB)).buf.toString() || '{}') as {
        addLabelIds?: string[];
        removeLabelIds?: string[];
      };
      const refused = labelsRefused(emu, mb, [...(b.addLabelIds ?? []), ...(b.removeLabelIds ?? [])]);
      if (refused) return refused;
      const msg = mb.messages.get(id);
      if (!msg) return [404, err(404, 'Requested entity was not found.', 'notFound')];
      mb.modify(id, b.addLabelIds ?? [], b.removeLabelIds ?? []);
      return [200, messageJson(msg, 'minimal')];
    }
    case 'messages.batchModify': {
      const b = JSON.parse((await body(r.req, MB)).buf.toString()) as {
        ids?: string[];
        addLabelIds?: string[];
        removeLabelIds?: string[];
      };
      if (!b.ids?.length || b.ids.length > 1000)
        return [400, err(400, 'ids: 1 to 1000 required', 'invalidArgument')];
      const refused = labelsRefused(emu, mb, [...(b.addLabelIds ?? []), ...(b.removeLabelIds ?? [])]);
      if (refused) return refused;
      for (const id of b.ids) mb.modify(id, b.addLabelIds ?? [], b.removeLabelIds ?? []);
      return [204, undefined];
    }
    case 'history.list': {
      const records = mb.historySince(Number(q.get('startHistoryId')));
      if (!records) return [404, err(404, 'Requested entity was not found.', 'notFound')];
      const max = Math.min(500, Number(q.get('maxResults') ?? 100));
      const start = Number(q.get('pageToken') ?? 0);
      const next = start + max < records.length ? String(start + max) : undefined;
      return [
        200,
        { history: records.slice(start, start + max), nextPageToken: next, historyId: String(mb.historyId) },
      ];
    }
    case 'messages.import':
    case 'messages.insert':
    case 'drafts.create':
    case 'upload': {
      const kind = op === 'messages.import' ? 'import' : op === 'messages.insert' ? 'insert' : 'draft';
      const answer = await (op === 'upload' ? uploadSession(emu, mb, r) : receiveMessage(emu, mb, r, kind));
      r.imported = answer[0] === 200 && !answer[2]?.location;
      return answer;
    }
  }
  return [404, err(404, `No route ${rest}`, 'notFound')];
}

async function directory(emu: GmailEmulator, r: EmuRequest): Promise<Answer> {
  const grant = emu.auth.check(r.req.headers.authorization, DIRECTORY_SCOPE);
  if (grant === 'unauthenticated') return [401, err(401, 'Invalid Credentials', 'authError')];
  if (grant === 'forbidden' || grant.user.toLowerCase() !== emu.admin.toLowerCase())
    return [403, err(403, 'Not Authorized to access this resource/api', 'forbidden')];
  const q = r.url.searchParams;
  if (q.get('customer') !== 'my_customer' && !q.get('domain'))
    return [400, err(400, 'Bad Request', 'badRequest')];
  const max = Math.min(Number(q.get('maxResults') ?? 100), emu.directoryPage);
  const users = [...emu.mailboxes.values()].map((m) => m.email).sort();
  const start = Number(q.get('pageToken') ?? 0);
  const next = start + max < users.length ? String(start + max) : undefined;
  return [
    200,
    {
      kind: 'admin#directory#users',
      users: users
        .slice(start, start + max)
        .map((u) => ({ primaryEmail: u, name: { fullName: u.split('@')[0] }, suspended: false })),
      nextPageToken: next,
    },
  ];
}
