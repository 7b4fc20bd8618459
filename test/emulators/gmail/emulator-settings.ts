/**
 * EMULATOR (test code): a Gmail user's settings — filters (list/get/create/delete; Gmail has no update),
 * the vacation responder (get/update), send-as addresses (list/get/patch) and forwarding addresses (list).
 * It refuses what Gmail refuses, with Google's error body:
 * - a filter with no criteria or no action, a label id the user does not have (or SENT/DRAFT), a forward to
 *   an address that is not a verified forwarding address (400 failedPrecondition "Unrecognized forwarding
 *   address", as gmailctl #56 shows Gmail answering), a filter identical to one already there, and a
 *   1,001st filter ("you can only create a maximum of 1,000 filters");
 * - a vacation responder switched on with neither subject nor body, or starting after it ends;
 * - a send-as address the user does not have (404), a signature over 10,000 characters.
 * Writes need the gmail.settings.basic scope (route table in emulator-routes.ts). Nothing here sends mail.
 */
import { randomBytes } from 'node:crypto';
import { err, type GmailEmulator } from './gmail-emulator.js';
import { notManual } from './emulator-label-rules.js';
import type { EmuMailbox } from './emulator-mailbox.js';
import type { Answer } from './emulator-routes.js';

type Json = Record<string, unknown>;

/** One user's settings. */
export interface EmuSettings {
  filters: Map<string, Json>;
  vacation: Json;
  sendAs: Json[];
  forwardingAddresses: Array<{ forwardingEmail: string; verificationStatus: 'accepted' | 'pending' }>;
}

/** Gmail's documented maximum number of filters per user. */
export const MAX_FILTERS = 1000;
const MAX_SIGNATURE = 10_000;
const all = new WeakMap<EmuMailbox, EmuSettings>();

/** The settings of a mailbox (made on first use: no filters, responder off, the primary send-as address). */
export function settingsOf(mb: EmuMailbox): EmuSettings {
  let s = all.get(mb);
  if (!s)
    all.set(
      mb,
      (s = {
        filters: new Map(),
        vacation: {
          enableAutoReply: false,
          responseSubject: '',
          responseBodyPlainText: '',
          restrictToContacts: false,
          restrictToDomain: false,
        },
        sendAs: [
          {
            sendAsEmail: mb.email,
            displayName: '',
            signature: '',
            isPrimary: true,
            isDefault: true,
            verificationStatus: 'accepted',
          },
        ],
        forwardingAddresses: [],
      }),
    );
  return s;
}

/** The settings operation a request is, or undefined. */
export function settingsOp(method: string, rest: string): string | undefined {
  if (rest === '/settings/filters')
    return method === 'POST' ? 'settings.filters.create' : 'settings.filters.list';
  if (rest.startsWith('/settings/filters/'))
    return method === 'DELETE' ? 'settings.filters.delete' : 'settings.filters.get';
  if (rest === '/settings/vacation')
    return method === 'PUT' ? 'settings.updateVacation' : 'settings.getVacation';
  if (rest === '/settings/sendAs') return 'settings.sendAs.list';
  if (rest.startsWith('/settings/sendAs/'))
    return method === 'PATCH'
      ? 'settings.sendAs.patch'
      : method === 'PUT'
        ? 'settings.sendAs.update'
        : 'settings.sendAs.get';
  if (rest === '/settings/forwardingAddresses') return 'settings.forwardingAddresses.list';
  return undefined;
}

/** Settings operations that change something (they need gmail.settings.basic). */
export const SETTINGS_WRITES = new Set([
  'settings.filters.create',
  'settings.filters.delete',
  'settings.updateVacation',
  'settings.sendAs.patch',
  'settings.sendAs.update',
]);

const bad = (message: string, reason = 'invalidArgument'): Answer => [400, err(400, message, reason)];
const notFound: Answer = [404, err(404, 'Requested entity was not found.', 'notFound')];
const isEmpty = (v: unknown) =>
  v === undefined || v === null || v === '' || v === false || (Array.isArray(v) && !v.length);
/** A filter's criteria and action with empty members left out and lists sorted, to find a duplicate. */
const filterKey = (f: Json) =>
  JSON.stringify(
    ['criteria', 'action'].map((k) =>
      Object.entries((f[k] ?? {}) as Json)
        .filter(([, v]) => !isEmpty(v) && v !== 'unspecified')
        .map(([n, v]) => [n, Array.isArray(v) ? [...(v as string[])].sort() : v])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    ),
  );

function createFilter(mb: EmuMailbox, s: EmuSettings, f: Json): Answer {
  const criteria = (f['criteria'] ?? {}) as Json;
  const action = (f['action'] ?? {}) as {
    addLabelIds?: string[];
    removeLabelIds?: string[];
    forward?: string;
  };
  if (Object.values(criteria).every(isEmpty)) return bad('Filter criteria must not be empty.');
  if (isEmpty(action.addLabelIds) && isEmpty(action.removeLabelIds) && !action.forward)
    return bad('Filter action must not be empty.');
  const named = [...(action.addLabelIds ?? []), ...(action.removeLabelIds ?? [])];
  const manual = notManual(named);
  if (manual) return bad(`Invalid label: ${manual}`);
  for (const id of named) if (!mb.labels.has(id)) return bad(`Invalid label: ${id}`);
  if (action.forward) {
    const ok = s.forwardingAddresses.some(
      (a) =>
        a.forwardingEmail.toLowerCase() === action.forward!.toLowerCase() &&
        a.verificationStatus === 'accepted',
    );
    if (!ok) return bad('Unrecognized forwarding address', 'failedPrecondition');
  }
  const key = filterKey(f);
  if ([...s.filters.values()].some((x) => filterKey(x) === key))
    return bad('Filter already exists', 'failedPrecondition');
  if (s.filters.size >= MAX_FILTERS)
    return bad(`Too many filters: a user can have at most ${MAX_FILTERS} filters.`, 'failedPrecondition');
  const made = { id: `ANe1Bm${randomBytes(12).toString('base64url')}`, criteria, action };
  s.filters.set(made.id, made);
  return [200, made];
}

function updateVacation(s: EmuSettings, v: Json): Answer {
  const has = (k: string) => typeof v[k] === 'string' && v[k] !== '';
  if (
    v['enableAutoReply'] &&
    !has('responseSubject') &&
    !has('responseBodyPlainText') &&
    !has('responseBodyHtml')
  )
    return bad('Either the response subject or the response body must be nonempty to enable auto-replies.');
  const [start, end] = [Number(v['startTime'] ?? 0), Number(v['endTime'] ?? 0)];
  if (start && end && start >= end) return bad('Invalid vacation settings: startTime must precede endTime.');
  const keep = [
    'enableAutoReply',
    'responseSubject',
    'responseBodyPlainText',
    'responseBodyHtml',
    'restrictToContacts',
    'restrictToDomain',
    'startTime',
    'endTime',
  ];
  s.vacation = Object.fromEntries(keep.filter((k) => v[k] !== undefined).map((k) => [k, v[k]]));
  return [200, s.vacation];
}

function patchSendAs(s: EmuSettings, email: string, patch: Json): Answer {
  const sa = s.sendAs.find((x) => String(x['sendAsEmail']).toLowerCase() === email.toLowerCase());
  if (!sa) return notFound;
  if (typeof patch['signature'] === 'string' && patch['signature'].length > MAX_SIGNATURE)
    return bad('Signature is too long.');
  for (const k of ['signature', 'displayName', 'replyToAddress'])
    if (patch[k] !== undefined) sa[k] = patch[k];
  return [200, sa];
}

/** Serve a settings operation for one mailbox. */
export function serveSettings(
  _emu: GmailEmulator,
  mb: EmuMailbox,
  op: string,
  rest: string,
  body: Json,
): Answer {
  const s = settingsOf(mb);
  const tail = decodeURIComponent(rest.split('/')[3] ?? '');
  switch (op) {
    case 'settings.filters.list':
      return [200, s.filters.size ? { filter: [...s.filters.values()] } : {}];
    case 'settings.filters.get':
      return s.filters.has(tail) ? [200, s.filters.get(tail)] : notFound;
    case 'settings.filters.delete':
      return s.filters.delete(tail) ? [204, undefined] : notFound;
    case 'settings.filters.create':
      return createFilter(mb, s, body);
    case 'settings.getVacation':
      return [200, s.vacation];
    case 'settings.updateVacation':
      return updateVacation(s, body);
    case 'settings.sendAs.list':
      return [200, { sendAs: s.sendAs }];
    case 'settings.sendAs.get': {
      const sa = s.sendAs.find((x) => String(x['sendAsEmail']).toLowerCase() === tail.toLowerCase());
      return sa ? [200, sa] : notFound;
    }
    case 'settings.sendAs.patch':
    case 'settings.sendAs.update':
      return patchSendAs(s, tail, body);
    case 'settings.forwardingAddresses.list':
      return [200, { forwardingAddresses: s.forwardingAddresses }];
  }
  return [404, err(404, `No route ${rest}`, 'notFound')];
}
