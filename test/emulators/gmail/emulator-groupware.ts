/**
 * EMULATOR (test code): the entry of the People API (/v1/…), Calendar API v3 (/calendar/v3/…) and Tasks
 * API v1 (/tasks/v1/…) beside the Gmail emulator, on the same loopback port. Every request is authenticated
 * with the API's own scope (contacts, calendar, tasks: 403 insufficientPermissions otherwise), may be
 * answered by the emulator's throttling storm (429 + Retry-After, 403 userRateLimitExceeded), then is
 * charged against a per-user, per-API budget of requests per minute (Google sets these per project in the
 * Cloud console; the default here, 600, is the emulator's choice) and refused with 429 rateLimitExceeded
 * beyond it. The state of each user lives here; the APIs are emulator-people.ts, emulator-calendar.ts and
 * emulator-tasks.ts.
 *
 * Every notification Google would send to attendees (events.insert/update/patch/delete with sendUpdates
 * all or externalOnly, or without sendUpdates) is RECORDED in `notifications`, so a test fails if one would
 * be sent. events.import never notifies.
 */
import type { EmuMailbox } from './emulator-mailbox.js';
import type { Answer, EmuRequest } from './emulator-routes.js';
import { body } from './emulator-import.js';
import { err, type GmailEmulator } from './gmail-emulator.js';
import { PeopleStore, servePeople } from './emulator-people.js';
import { CalendarStore, serveCalendar } from './emulator-calendar.js';
import { TasksStore, serveTasks } from './emulator-tasks.js';

export const CONTACTS_SCOPE = 'https://www.googleapis.com/auth/contacts';
export const CALENDAR_SCOPE = 'https://www.googleapis.com/auth/calendar';
export const TASKS_SCOPE = 'https://www.googleapis.com/auth/tasks';

/** A notification Google would have e-mailed. */
export interface Notification {
  op: string;
  calendarId: string;
  eventId: string;
  sendUpdates: string;
  attendees: string[];
}

/** One user's contacts, calendars and task lists. */
export interface UserGroupware {
  people: PeopleStore;
  calendars: CalendarStore;
  tasks: TasksStore;
}

/** The groupware side of one emulator. */
export interface GroupwareEmu {
  notifications: Notification[];
  /** Requests per minute per user per API. */
  perMinute: number;
  requests: Record<string, number>;
  user(email: string): UserGroupware;
}

const emus = new WeakMap<GmailEmulator, GroupwareEmu>();
const users = new WeakMap<EmuMailbox, UserGroupware>();
const buckets = new Map<string, { level: number; last: number }>();

/** The groupware state of an emulator (made on first use). */
export function groupwareOf(emu: GmailEmulator): GroupwareEmu {
  let g = emus.get(emu);
  if (!g) {
    const made: GroupwareEmu = {
      notifications: [],
      perMinute: 600,
      requests: {},
      user: (email) => userOf(emu.mailbox(email)),
    };
    emus.set(emu, made);
    g = made;
  }
  return g;
}

function userOf(mb: EmuMailbox): UserGroupware {
  let u = users.get(mb);
  if (!u)
    users.set(
      mb,
      (u = { people: new PeopleStore(), calendars: new CalendarStore(mb.email), tasks: new TasksStore() }),
    );
  return u;
}

const APIS: Array<{ prefix: string; scope: string; name: 'people' | 'calendar' | 'tasks' }> = [
  { prefix: '/v1/', scope: CONTACTS_SCOPE, name: 'people' },
  { prefix: '/calendar/v3/', scope: CALENDAR_SCOPE, name: 'calendar' },
  { prefix: '/tasks/v1/', scope: TASKS_SCOPE, name: 'tasks' },
];

/** Whether a path belongs to one of the groupware APIs. */
export function isGroupwarePath(path: string): boolean {
  return APIS.some((a) => path.startsWith(a.prefix));
}

function charge(key: string, perMinute: number): boolean {
  const now = Date.now();
  const b = buckets.get(key) ?? { level: perMinute, last: now };
  b.level = Math.min(perMinute, b.level + ((now - b.last) / 60_000) * perMinute);
  b.last = now;
  buckets.set(key, b);
  if (b.level < 1) return false;
  b.level -= 1;
  return true;
}

/** Serve one People/Calendar/Tasks request. */
export async function routeGroupware(emu: GmailEmulator, r: EmuRequest): Promise<Answer> {
  const api = APIS.find((a) => r.url.pathname.startsWith(a.prefix))!;
  const g = groupwareOf(emu);
  const grant = emu.auth.check(r.req.headers.authorization, api.scope);
  if (grant === 'unauthenticated')
    return [401, err(401, 'Request had invalid authentication credentials.', 'authError')];
  if (grant === 'forbidden')
    return [403, err(403, 'Request had insufficient authentication scopes.', 'insufficientPermissions')];
  const key = `${api.name} ${r.req.method} ${r.url.pathname.replace(/\/[^/]*$/, '/…')}`;
  g.requests[key] = (g.requests[key] ?? 0) + 1;
  const storm = emu.stormAnswer();
  const text = (await body(r.req, 8 * 1024 * 1024)).buf.toString('utf8');
  if (storm) return storm;
  if (!charge(`${grant.user.toLowerCase()}|${api.name}`, g.perMinute)) {
    emu.stats.quotaRejected++;
    return [
      429,
      err(
        429,
        `Quota exceeded for quota metric 'Requests' and limit 'Requests per minute per user' of service '${api.name}.googleapis.com'.`,
        'rateLimitExceeded',
      ),
    ];
  }
  let json: Record<string, unknown> = {};
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return [400, err(400, 'Invalid JSON payload received.', 'parseError')];
  }
  const u = userOf(emu.mailbox(grant.user));
  const rest = r.url.pathname.slice(api.prefix.length - 1);
  const method = r.req.method ?? 'GET';
  if (api.name === 'people') return servePeople(u.people, method, rest, r.url.searchParams, json);
  if (api.name === 'calendar')
    return serveCalendar(
      u.calendars,
      method,
      rest,
      r.url.searchParams,
      json,
      r.req.headers['if-match'],
      (n) => g.notifications.push(n),
    );
  return serveTasks(u.tasks, method, rest, r.url.searchParams, json);
}
