/**
 * LOCAL EMULATOR of Microsoft Graph (test code, not the real service): Inbox message rules
 * (/mailFolders/inbox/messageRules: list with paging, create, get, update, delete) and automatic replies
 * (/mailboxSettings and /mailboxSettings/automaticRepliesSetting: get, update). It refuses what Exchange
 * refuses, with Graph's error body:
 * - a rule without displayName or sequence, or without any action (Exchange's rule validation:
 *   ErrorInboxRulesValidationError with the field and Exchange's RuleErrorCode, as EWS clients show it);
 * - moveToFolder/copyToFolder naming a folder the mailbox does not have (FolderDoesNotExist);
 * - a size range without both bounds or with the bounds reversed (MissingRangeValue, InvalidSizeRange);
 * - more rules than the mailbox's rules quota holds (Exchange Online: 256 KB; here the JSON size of each
 *   rule counts) — ErrorRulesOverQuota;
 * - an automaticRepliesSetting with a status or externalAudience outside the enumeration (OData's
 *   RequestBodyRead), or status scheduled without both times, or an end before the start.
 * Exchange upper-cases senderContains (the create example in the Graph reference answers "ADELE"); so does
 * this emulator. Nothing here sends mail: an automatic reply is only stored.
 */
import { randomBytes } from 'node:crypto';
import { fail, type EmRequest, type EmResponse, type MailContext } from './emulator-http.js';
import type { EmUser } from './emulator-store.js';

/** A stored rule, as Graph shows it. */
export type EmRule = Record<string, unknown> & { id: string; displayName: string; sequence: number };

/** Automatic replies as stored. */
export type EmAutoReplies = Record<string, unknown>;

/** Rules and automatic replies of every mailbox, and the rules quota. */
export class EmInboxRules {
  /** Exchange Online's rules quota per mailbox (bytes). */
  quotaBytes = 256 * 1024;
  private readonly rules = new WeakMap<EmUser, EmRule[]>();
  private readonly replies = new WeakMap<EmUser, EmAutoReplies>();

  of(user: EmUser): EmRule[] {
    let list = this.rules.get(user);
    if (!list) this.rules.set(user, (list = []));
    return list;
  }

  autoReplies(user: EmUser): EmAutoReplies {
    let r = this.replies.get(user);
    if (!r)
      this.replies.set(
        user,
        (r = {
          status: 'disabled',
          externalAudience: 'all',
          internalReplyMessage: '',
          externalReplyMessage: '',
          scheduledStartDateTime: { dateTime: '2000-01-01T00:00:00.0000000', timeZone: 'UTC' },
          scheduledEndDateTime: { dateTime: '2000-01-02T00:00:00.0000000', timeZone: 'UTC' },
        }),
      );
    return r;
  }

  /** Put a rule into a mailbox behind the API's back (e.g. one made by a client, read-only). */
  seed(user: EmUser, rule: { displayName: string; sequence: number } & Record<string, unknown>): EmRule {
    const made: EmRule = { hasError: false, isReadOnly: false, isEnabled: true, ...rule, id: newRuleId() };
    this.of(user).push(made);
    return made;
  }
}

const newRuleId = () => `AQAAA${randomBytes(6).toString('base64url')}=`;

const invalid = (field: string, code: string, message: string) =>
  fail(
    400,
    'ErrorInboxRulesValidationError',
    `A validation error occurred while executing the rule operation. ${field}: ${code} — ${message}`,
  );

const ACTIONS = [
  'assignCategories',
  'copyToFolder',
  'delete',
  'forwardAsAttachmentTo',
  'forwardTo',
  'markAsRead',
  'markImportance',
  'moveToFolder',
  'permanentDelete',
  'redirectTo',
  'stopProcessingRules',
];

/** Exchange's checks of a rule about to be stored; the refusal, or undefined. */
function refusal(ctx: MailContext, user: EmUser, rule: Record<string, unknown>): EmResponse | undefined {
  if (typeof rule['displayName'] !== 'string' || !rule['displayName'])
    return invalid('Rule:DisplayName', 'MissingParameter', 'The display name of the rule is required.');
  if (typeof rule['sequence'] !== 'number')
    return invalid('Rule:Priority', 'MissingParameter', 'The sequence of the rule is required.');
  const actions = (rule['actions'] ?? {}) as Record<string, unknown>;
  const set = ACTIONS.filter((k) => {
    const v = actions[k];
    return v !== undefined && v !== null && v !== false && !(Array.isArray(v) && v.length === 0);
  });
  if (!set.length) return invalid('Rule:Actions', 'MissingAction', 'The rule must have at least one action.');
  for (const k of ['moveToFolder', 'copyToFolder'] as const) {
    const id = actions[k];
    if (id !== undefined && (typeof id !== 'string' || !user.folders.has(id)))
      return invalid(
        `Action:${k[0]!.toUpperCase()}${k.slice(1)}`,
        'FolderDoesNotExist',
        'The folder does not exist.',
      );
  }
  for (const which of ['conditions', 'exceptions'] as const) {
    const range = ((rule[which] ?? {}) as Record<string, unknown>)['withinSizeRange'] as
      { minimumSize?: number; maximumSize?: number } | undefined;
    if (!range) continue;
    if (typeof range.minimumSize !== 'number' || typeof range.maximumSize !== 'number')
      return invalid('Condition:WithinSizeRange', 'MissingRangeValue', 'Both range values are required.');
    if (range.minimumSize > range.maximumSize)
      return invalid(
        'Condition:WithinSizeRange',
        'InvalidSizeRange',
        'The minimum size is larger than the maximum size.',
      );
  }
  const used = ctx.inboxRules
    .of(user)
    .filter((r) => r.id !== rule['id'])
    .reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r)), 0);
  if (used + Buffer.byteLength(JSON.stringify(rule)) > ctx.inboxRules.quotaBytes)
    return fail(
      400,
      'ErrorRulesOverQuota',
      `The inbox rules quota of this mailbox (${ctx.inboxRules.quotaBytes} bytes) would be exceeded. Delete or simplify rules.`,
    );
  return undefined;
}

/** What Exchange stores of a written rule (senderContains upper-cased, as its answers show). */
function stored(rule: Record<string, unknown>): EmRule {
  const cond = rule['conditions'] as { senderContains?: string[] } | undefined;
  if (cond?.senderContains) cond.senderContains = cond.senderContains.map((s) => s.toUpperCase());
  return {
    hasError: false,
    isReadOnly: false,
    isEnabled: true,
    ...rule,
    id: String(rule['id']),
    displayName: String(rule['displayName']),
    sequence: Number(rule['sequence']),
  };
}

function list(ctx: MailContext, items: unknown[], base: string, req: EmRequest): EmResponse {
  const skip = req.query.get('$skiptoken');
  const cur = skip ? ctx.cursors.get(skip) : { items, pos: 0, base };
  if (!cur) return fail(400, 'ErrorInvalidSkipToken', 'The skip token is unknown or expired.');
  const size = Number(req.query.get('$top') ?? 0) || ctx.pageSize;
  const value = cur.items.slice(cur.pos, cur.pos + size);
  cur.pos += value.length;
  const body: Record<string, unknown> = { value };
  if (cur.pos < cur.items.length) {
    const tok = randomBytes(9).toString('base64url');
    ctx.cursors.set(tok, cur);
    body['@odata.nextLink'] = `${base}?$skiptoken=${tok}`;
  }
  return { status: 200, json: body };
}

const parse = (req: EmRequest) => JSON.parse(req.body.toString('utf8') || '{}') as Record<string, unknown>;

/** /mailFolders/{inbox}/messageRules[/{id}]; undefined when the path is not one of these. */
export function rulesRoute(
  ctx: MailContext,
  user: EmUser,
  seg: string[],
  req: EmRequest,
): EmResponse | undefined {
  if (seg[0] !== 'mailFolders' || seg[2] !== 'messageRules' || seg.length > 4) return undefined;
  const folder = ctx.store.folder(user, seg[1]!);
  if (!folder) return fail(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
  if (folder.wellKnown !== 'inbox')
    return fail(400, 'ErrorInvalidRequest', 'Message rules are supported on the Inbox folder only.');
  const rules = ctx.inboxRules.of(user);
  const base = `${ctx.origin}/v1.0/users/${user.id}/mailFolders/${seg[1]}/messageRules`;
  if (seg.length === 3) {
    if (req.method === 'GET') return list(ctx, [...rules], base, req);
    if (req.method !== 'POST') return fail(405, 'ErrorInvalidRequest', 'Method not allowed.');
    const rule = { ...parse(req), id: newRuleId() };
    const refused = refusal(ctx, user, rule);
    if (refused) return refused;
    const made = stored(rule);
    rules.push(made);
    return { status: 201, json: made };
  }
  const i = rules.findIndex((r) => r.id === seg[3]);
  if (i < 0) return fail(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
  if (req.method === 'GET') return { status: 200, json: rules[i] };
  if (req.method === 'DELETE') {
    rules.splice(i, 1);
    return { status: 204 };
  }
  if (req.method !== 'PATCH') return fail(405, 'ErrorInvalidRequest', 'Method not allowed.');
  if (rules[i]!['isReadOnly'])
    return fail(403, 'ErrorAccessDenied', 'The rule is read-only and cannot be changed through this API.');
  const rule = { ...rules[i]!, ...parse(req), id: rules[i]!.id };
  const refused = refusal(ctx, user, rule);
  if (refused) return refused;
  rules[i] = stored(rule);
  return { status: 200, json: rules[i] };
}

const STATUS = ['disabled', 'alwaysEnabled', 'scheduled'];
const AUDIENCE = ['none', 'contactsOnly', 'all'];

/** /mailboxSettings[/automaticRepliesSetting]; undefined when the path is not one of these. */
export function settingsRoute(
  ctx: MailContext,
  user: EmUser,
  seg: string[],
  req: EmRequest,
): EmResponse | undefined {
  if (seg[0] !== 'mailboxSettings') return undefined;
  const replies = ctx.inboxRules.autoReplies(user);
  if (req.method === 'GET' && seg.length === 1)
    return {
      status: 200,
      json: { userPurpose: user.mailbox, timeZone: 'UTC', automaticRepliesSetting: replies },
    };
  if (req.method === 'GET' && seg[1] === 'automaticRepliesSetting' && seg.length === 2)
    return { status: 200, json: replies };
  if (req.method !== 'PATCH' || seg.length !== 1) return undefined;
  const patch = parse(req)['automaticRepliesSetting'] as Record<string, unknown> | undefined;
  if (!patch) return { status: 200, json: { automaticRepliesSetting: replies } };
  for (const [key, allowed, type] of [
    ['status', STATUS, 'automaticRepliesStatus'],
    ['externalAudience', AUDIENCE, 'externalAudienceScope'],
  ] as const)
    if (patch[key] !== undefined && !allowed.includes(JSON.stringify(patch[key]).replace(/^"|"$/g, '')))
      return fail(
        400,
        'RequestBodyRead',
        `Cannot convert the literal '${JSON.stringify(patch[key]).replace(/^"|"$/g, '')}' to the expected type 'microsoft.graph.${type}'.`,
      );
  const next = { ...replies, ...patch };
  if (next['status'] === 'scheduled') {
    const at = (k: string) => {
      const v = patch[k] as { dateTime?: string } | undefined;
      return v?.dateTime ? Date.parse(`${v.dateTime.slice(0, 23)}Z`) : NaN;
    };
    const [start, end] = [at('scheduledStartDateTime'), at('scheduledEndDateTime')];
    if (Number.isNaN(start) || Number.isNaN(end))
      return fail(
        400,
        'ErrorInvalidRequest',
        'ScheduledStartDateTime and ScheduledEndDateTime are required when Status is Scheduled.',
      );
    if (end <= start)
      return fail(400, 'ErrorInvalidRequest', 'The end time must be later than the start time.');
  }
  Object.assign(replies, next);
  return { status: 200, json: { automaticRepliesSetting: replies } };
}
