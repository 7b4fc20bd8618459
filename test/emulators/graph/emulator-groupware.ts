/**
 * LOCAL EMULATOR of Microsoft Graph (test code, not the real service): the contacts, calendar and To Do
 * endpoints Cutover uses — contactFolders, contacts (and their delta), calendars, events (create, read,
 * update with If-Match, delete, instances, calendarView/delta), todo/lists, tasks (and their delta, open
 * extensions), singleValueExtendedProperties with the `$filter=…/Any(ep: …)` form. Data and invitations:
 * emulator-groupware-store.ts. It refuses what Graph refuses, with Graph's error body:
 * - a contact with more than 3 e-mail addresses or more than 2 business or home phones — the service's own
 *   words, as reported in microsoftgraph/microsoft-graph-docs#15276 ("The multi value property
 *   EmailAddresses has 4 entries, that exceeds the max allowed value of 3"; the error code is this
 *   emulator's choice, the report does not give it);
 * - a stale If-Match on PATCH (412 ErrorIrresolvableConflict, the change-key message);
 * - an event without start or end, or ending before it starts; a recurrence pattern or range type outside
 *   Graph's enumerations (400; the wording is this emulator's);
 * - a calendar or contact folder name already used (409 ErrorFolderExists); writes to a calendar the
 *   mailbox cannot edit (403 ErrorAccessDenied);
 * - an expired deltaLink (410 SyncStateNotFound, after `expireDeltaTokens`).
 * Times are returned in UTC when asked (`Prefer: outlook.timezone="UTC"`), else as stored; delta rounds
 * compare snapshots, so a change made behind the API's back is seen as Graph would see it.
 */
import { randomBytes } from 'node:crypto';
import { fail, type EmRequest, type EmResponse } from './emulator-http.js';
import { newId, type EmUser } from './emulator-store.js';
import {
  calendarJson,
  conflict,
  eventJson,
  eventRefusal,
  matchesFilter,
  occurrenceJson,
  stale,
  taskJson,
  withExt,
} from './emulator-groupware-json.js';
import {
  EmGroupwareStore,
  expand,
  parseOccurrenceId,
  spanOf,
  type EmEvent,
  type GwData,
  type Json,
} from './emulator-groupware-store.js';

const LIMITS: Array<[string, string, number]> = [
  ['emailAddresses', 'EmailAddresses', 3],
  ['businessPhones', 'BusinessPhones', 2],
  ['homePhones', 'HomePhones', 2],
];
/** Event fields whose change Exchange sends to attendees as an update. */
/** Path segments that are names, not ids. */
const WORDS = new Set([
  'contacts',
  'contactFolders',
  'calendars',
  'events',
  'todo',
  'lists',
  'tasks',
  'delta',
  'instances',
  'calendarView',
  'extensions',
]);
const NOTIFYING = ['attendees', 'start', 'end', 'subject', 'location', 'body', 'recurrence'];

type Snapshot = Map<string, { etag: string; json: Json }>;
interface Cursor {
  items: Json[];
  pos: number;
  base: string;
  /** The state the final page's deltaLink stands for (delta rounds only). */
  snapshot?: Snapshot;
  source?: string;
}

const body = (req: EmRequest): Json => JSON.parse(req.body.toString('utf8') || '{}') as Json;
const ok = (json: unknown, status = 200): EmResponse => ({ status, json });
const notFound = () => fail(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
/** A body field as text ('' when it is not a string). */
const str = (v: unknown, dflt = ''): string => (typeof v === 'string' ? v : dflt);
const sameName = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Contacts, calendars and To Do of every mailbox (see the file header). */
export class EmGroupware extends EmGroupwareStore {
  private readonly cursors = new Map<string, Cursor>();
  private readonly tokens = new Map<string, { snapshot: Snapshot; source: string }>();

  /** Every deltaLink handed out so far stops working (410), as when Graph's sync state expires. */
  expireDeltaTokens(): void {
    this.tokens.clear();
  }

  /** Put an event into a calendar behind the API's back (a meeting received, say: `isOrganizer` false). */
  seedEvent(user: EmUser, json: Json, opts: { calendarId?: string; isOrganizer?: boolean } = {}): EmEvent {
    const d = this.of(user);
    const cal = opts.calendarId ?? [...d.calendars.values()].find((c) => c.isDefaultCalendar)!.id;
    return this.addEvent(user, d, cal, json, opts.isOrganizer ?? false);
  }

  /** Change an event behind the API's back (as a user in Outlook would); no invitation is recorded. */
  editEvent(user: EmUser, id: string, patch: Json): void {
    const e = this.of(user).events.get(id);
    if (!e) throw new Error(`no event ${id}`);
    Object.assign(e.json, patch);
    this.touchEvent(e);
  }

  private addEvent(user: EmUser, d: GwData, calendarId: string, json: Json, isOrganizer: boolean): EmEvent {
    const id = newId('AAMkEvt');
    const { transactionId, singleValueExtendedProperties, ...fields } = json;
    const e: EmEvent = {
      id,
      calendarId,
      changeKey: '',
      json: {
        ...fields,
        iCalUId: `040000008200E00074C5B7101A82E008${randomBytes(16).toString('hex').toUpperCase()}`,
        createdDateTime: new Date().toISOString(),
        ...(singleValueExtendedProperties ? { singleValueExtendedProperties } : {}),
        organizer: { emailAddress: { address: user.userPrincipalName, name: user.displayName } },
        ...(json.organizer ? { organizer: json.organizer } : {}),
      },
      type: fields.recurrence ? 'seriesMaster' : 'singleInstance',
      isOrganizer,
      ...(typeof transactionId === 'string' ? { transactionId } : {}),
    };
    this.touchEvent(e);
    d.events.set(id, e);
    return e;
  }

  /** Routes under /users/{id}/ for contacts, calendars and To Do; undefined for any other path. */
  route(user: EmUser, seg: string[], req: EmRequest, origin: string): EmResponse | undefined {
    const first = seg[0];
    if (!['contacts', 'contactFolders', 'calendars', 'events', 'todo', 'calendar'].includes(first ?? ''))
      return undefined;
    const d = this.of(user);
    const base = `${origin}/v1.0/users/${user.id}/${seg.join('/')}`;
    const q = req.query;
    if (q.get('$skiptoken')) return this.nextPage(q.get('$skiptoken')!, req);
    if (q.get('$deltatoken')) return this.deltaAgain(user, q.get('$deltatoken')!, req, base);
    const m = `${req.method} ${seg.map((x) => (WORDS.has(x) ? x : '{}')).join('/')}`;
    switch (m) {
      case 'GET contactFolders':
        return this.list(
          [...d.contactFolders.values()].map((f) => ({ ...f, parentFolderId: 'default' })),
          req,
          base,
        );
      case 'POST contactFolders': {
        const name = str(body(req).displayName);
        if (!name) return fail(400, 'ErrorInvalidRequest', 'displayName is required.');
        if ([...d.contactFolders.values()].some((f) => sameName(f.displayName, name)))
          return fail(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
        const f = { id: newId('AAMkCf'), displayName: name };
        d.contactFolders.set(f.id, f);
        return ok(f, 201);
      }
      case 'GET contacts':
      case 'GET contactFolders/{}/contacts':
      case 'POST contacts':
      case 'POST contactFolders/{}/contacts': {
        const folder = seg[0] === 'contacts' ? 'default' : seg[1]!;
        if (folder !== 'default' && !d.contactFolders.has(folder)) return notFound();
        if (req.method === 'POST') return this.putContact(d, folder, undefined, req);
        const items = [...d.contacts.values()].filter(
          (c) => c.folderId === folder && matchesFilter(c.json, q.get('$filter')),
        );
        return this.list(
          items.map((c) => ({ ...c.json, id: c.id, changeKey: c.changeKey })),
          req,
          base,
        );
      }
      case 'GET contacts/delta':
      case 'GET contactFolders/{}/contacts/delta': {
        const folder = seg[0] === 'contacts' ? 'default' : seg[1]!;
        return this.delta(`contacts:${folder}`, this.contactSnapshot(d, folder), new Map(), req, base);
      }
      case 'GET contacts/{}':
      case 'PATCH contacts/{}':
      case 'DELETE contacts/{}': {
        const c = d.contacts.get(seg[1]!);
        if (!c) return notFound();
        if (req.method === 'GET') return ok(withExt({ ...c.json, id: c.id, changeKey: c.changeKey }, q));
        if (req.method === 'DELETE') return (d.contacts.delete(c.id), { status: 204 });
        if (stale(req, c.changeKey)) return conflict();
        return this.putContact(d, c.folderId, c.id, req);
      }
      case 'GET calendars':
        return this.list(
          [...d.calendars.values()].map((c) => calendarJson(c)),
          req,
          base,
        );
      case 'POST calendars': {
        const b = body(req);
        const name = str(b.name);
        if (!name) return fail(400, 'ErrorInvalidRequest', 'name is required.');
        if ([...d.calendars.values()].some((c) => sameName(c.name, name)))
          return fail(409, 'ErrorFolderExists', 'A folder with the specified name already exists.');
        const cal = {
          id: newId('AAMkCal'),
          name,
          color: str(b.color, 'auto'),
          isDefaultCalendar: false,
          canEdit: true,
          owner: { name: user.displayName, address: user.userPrincipalName },
        };
        d.calendars.set(cal.id, cal);
        return ok(calendarJson(cal), 201);
      }
      case 'GET calendars/{}/events':
      case 'POST calendars/{}/events': {
        const cal = d.calendars.get(seg[1]!);
        if (!cal) return notFound();
        if (req.method === 'GET') {
          const items = [...d.events.values()].filter(
            (e) =>
              e.calendarId === cal.id && e.type !== 'exception' && matchesFilter(e.json, q.get('$filter')),
          );
          return this.list(
            items.map((e) => eventJson(e, req, q)),
            req,
            base,
          );
        }
        if (!cal.canEdit)
          return fail(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
        const b = body(req);
        const refused = eventRefusal(b, true);
        if (refused) return refused;
        const again =
          typeof b.transactionId === 'string' &&
          [...d.events.values()].find((e) => e.transactionId === b.transactionId);
        if (again) return ok(eventJson(again, req, q), 201);
        const e = this.addEvent(user, d, cal.id, b, true);
        this.invite(user, e, 'request');
        return ok(eventJson(e, req, q), 201);
      }
      case 'GET calendars/{}/calendarView/delta': {
        const cal = d.calendars.get(seg[1]!);
        if (!cal) return notFound();
        const from = Date.parse(q.get('startDateTime') ?? '');
        const to = Date.parse(q.get('endDateTime') ?? '');
        if (Number.isNaN(from) || Number.isNaN(to))
          return fail(
            400,
            'ErrorInvalidParameter',
            'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
          );
        return this.delta(
          `view:${cal.id}:${from}:${to}`,
          this.viewSnapshot(d, cal.id, from, to, req),
          new Map(),
          req,
          base,
        );
      }
      case 'GET events/{}':
      case 'PATCH events/{}':
      case 'DELETE events/{}':
        return this.oneEvent(user, d, seg[1]!, req);
      case 'GET events/{}/instances': {
        const e = d.events.get(seg[1]!);
        if (!e || e.type !== 'seriesMaster') return notFound();
        const from = Date.parse(q.get('startDateTime') ?? '');
        const to = Date.parse(q.get('endDateTime') ?? '');
        if (Number.isNaN(from) || Number.isNaN(to))
          return fail(
            400,
            'ErrorInvalidParameter',
            'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
          );
        return this.list(
          expand(d, e, from, to).map((o) => occurrenceJson(e, o, req)),
          req,
          base,
        );
      }
      case 'GET todo/lists':
        return this.list(
          [...d.lists.values()].map((l) => ({ ...l })),
          req,
          base,
        );
      case 'POST todo/lists': {
        const name = str(body(req).displayName);
        if (!name) return fail(400, 'invalidRequest', 'displayName is required.');
        const l = {
          id: newId('AAMkList'),
          displayName: name,
          wellknownListName: 'none',
          isOwner: true,
          isShared: false,
        };
        d.lists.set(l.id, l);
        return ok(l, 201);
      }
      case 'GET todo/lists/{}/tasks':
      case 'POST todo/lists/{}/tasks': {
        const list = d.lists.get(seg[2]!);
        if (!list) return notFound();
        if (req.method === 'GET')
          return this.list(
            [...d.tasks.values()].filter((t) => t.listId === list.id).map((t) => taskJson(t, q)),
            req,
            base,
          );
        const { extensions, ...fields } = body(req);
        if (typeof fields.title !== 'string')
          return fail(400, 'invalidRequest', 'The title of a task is required.');
        const t = {
          id: newId('AAMkTask'),
          listId: list.id,
          etag: '',
          json: { ...fields, createdDateTime: new Date().toISOString() },
          extensions: (extensions as Json[] | undefined) ?? [],
        };
        this.touchTask(t);
        d.tasks.set(t.id, t);
        return ok(taskJson(t, q), 201);
      }
      case 'GET todo/lists/{}/tasks/delta': {
        const list = d.lists.get(seg[2]!);
        if (!list) return notFound();
        const snap: Snapshot = new Map(
          [...d.tasks.values()]
            .filter((t) => t.listId === list.id)
            .map((t) => [t.id, { etag: t.etag, json: taskJson(t, q) }]),
        );
        return this.delta(`tasks:${list.id}`, snap, new Map(), req, base);
      }
      case 'GET todo/lists/{}/tasks/{}':
      case 'PATCH todo/lists/{}/tasks/{}':
      case 'DELETE todo/lists/{}/tasks/{}': {
        const t = d.tasks.get(seg[4]!);
        if (!t || t.listId !== seg[2]) return notFound();
        if (req.method === 'GET') return ok(taskJson(t, q));
        if (req.method === 'DELETE') return (d.tasks.delete(t.id), { status: 204 });
        const { extensions: _x, ...fields } = body(req);
        Object.assign(t.json, fields);
        this.touchTask(t);
        return ok(taskJson(t, q));
      }
      case 'POST todo/lists/{}/tasks/{}/extensions':
      case 'PATCH todo/lists/{}/tasks/{}/extensions/{}': {
        const t = d.tasks.get(seg[4]!);
        if (!t) return notFound();
        const b = body(req);
        const name = req.method === 'POST' ? str(b.extensionName) : seg[6]!;
        const i = t.extensions.findIndex((x) => x.extensionName === name);
        if (req.method === 'PATCH' && i < 0) return notFound();
        if (req.method === 'POST' && i >= 0)
          return fail(409, 'NameAlreadyExists', 'An extension with this name already exists.');
        const ext = { ...(i >= 0 ? t.extensions[i] : {}), ...b, extensionName: name };
        if (i >= 0) t.extensions[i] = ext;
        else t.extensions.push(ext);
        this.touchTask(t);
        return ok(ext, req.method === 'POST' ? 201 : 200);
      }
    }
    return fail(400, 'BadRequest', `Resource not found for the segment '${seg.join('/')}' (not emulated).`);
  }

  private putContact(d: GwData, folder: string, id: string | undefined, req: EmRequest): EmResponse {
    const b = body(req);
    for (const [field, name, max] of LIMITS) {
      const n = Array.isArray(b[field]) ? (b[field] as unknown[]).length : 0;
      if (n > max)
        return fail(
          400,
          'ErrorInvalidArgument',
          `The multi value property ${name} has ${n} entries, that exceeds the max allowed value of ${max}`,
        );
    }
    const c = id ? d.contacts.get(id)! : { id: newId('AAMkCon'), folderId: folder, changeKey: '', json: {} };
    Object.assign(c.json, b, { parentFolderId: folder });
    this.touchContact(c);
    d.contacts.set(c.id, c);
    return ok({ ...c.json, id: c.id, changeKey: c.changeKey }, id ? 200 : 201);
  }

  private oneEvent(user: EmUser, d: GwData, id: string, req: EmRequest): EmResponse {
    const occ = parseOccurrenceId(id);
    const master = occ ? d.events.get(occ.masterId) : undefined;
    const q = req.query;
    if (occ) {
      if (!master) return notFound();
      const o = expand(d, master, occ.at, occ.at + 1)[0];
      if (!o || o.type !== 'occurrence') return notFound();
      if (req.method === 'GET') return ok(occurrenceJson(master, o, req));
      if (req.method === 'DELETE') {
        if (!d.cancelled.has(master.id)) d.cancelled.set(master.id, new Set());
        d.cancelled.get(master.id)!.add(occ.at);
        this.touchEvent(master);
        this.invite(user, master, 'cancel');
        return { status: 204 };
      }
      const b = body(req);
      const refused = eventRefusal({ ...o.json, ...b }, false);
      if (refused) return refused;
      const { singleValueExtendedProperties: _s, ...fields } = b;
      const ex: EmEvent = {
        id: newId('AAMkExc'),
        calendarId: master.calendarId,
        changeKey: '',
        json: { ...o.json, ...fields },
        type: 'exception',
        seriesMasterId: master.id,
        originalStart: occ.at,
        isOrganizer: master.isOrganizer,
      };
      delete ex.json.singleValueExtendedProperties;
      this.touchEvent(ex);
      d.events.set(ex.id, ex);
      this.touchEvent(master);
      if (NOTIFYING.some((k) => k in b)) this.invite(user, ex, 'update');
      return ok(eventJson(ex, req, q));
    }
    const e = d.events.get(id);
    if (!e) return notFound();
    if (req.method === 'GET') return ok(eventJson(e, req, q));
    const cal = d.calendars.get(e.calendarId);
    if (cal && !cal.canEdit)
      return fail(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    if (req.method === 'DELETE') {
      this.invite(user, e, 'cancel');
      d.events.delete(e.id);
      if (e.type === 'exception' && e.seriesMasterId) {
        const m = d.events.get(e.seriesMasterId);
        if (!d.cancelled.has(e.seriesMasterId)) d.cancelled.set(e.seriesMasterId, new Set());
        d.cancelled.get(e.seriesMasterId)!.add(e.originalStart!);
        if (m) this.touchEvent(m);
      }
      for (const x of [...d.events.values()]) if (x.seriesMasterId === e.id) d.events.delete(x.id);
      return { status: 204 };
    }
    if (stale(req, e.changeKey)) return conflict();
    const b = body(req);
    const refused = eventRefusal({ ...e.json, ...b }, false);
    if (refused) return refused;
    const { transactionId: _t, ...fields } = b;
    if ('recurrence' in fields && JSON.stringify(fields.recurrence) !== JSON.stringify(e.json.recurrence)) {
      // A new pattern: Exchange drops the series' exceptions and cancellations.
      for (const x of [...d.events.values()]) if (x.seriesMasterId === e.id) d.events.delete(x.id);
      d.cancelled.delete(e.id);
      e.type = fields.recurrence ? 'seriesMaster' : 'singleInstance';
    }
    Object.assign(e.json, fields);
    this.touchEvent(e);
    if (e.type === 'exception' && e.seriesMasterId) {
      const m = d.events.get(e.seriesMasterId);
      if (m) this.touchEvent(m);
    }
    if (NOTIFYING.some((k) => k in b)) this.invite(user, e, 'update');
    return ok(eventJson(e, req, q));
  }

  private contactSnapshot(d: GwData, folder: string): Snapshot {
    return new Map(
      [...d.contacts.values()]
        .filter((c) => c.folderId === folder)
        .map((c) => [c.id, { etag: c.changeKey, json: { id: c.id, changeKey: c.changeKey } }]),
    );
  }

  private viewSnapshot(d: GwData, calendarId: string, from: number, to: number, req: EmRequest): Snapshot {
    const snap: Snapshot = new Map();
    for (const e of d.events.values()) {
      if (e.calendarId !== calendarId || e.type === 'exception') continue;
      if (e.type === 'seriesMaster')
        for (const o of expand(d, e, from, to))
          snap.set(o.id, { etag: o.changeKey, json: occurrenceJson(e, o, req) });
      else {
        const { start, end } = spanOf(e.json);
        if (end >= from && start < to)
          snap.set(e.id, { etag: e.changeKey, json: eventJson(e, req, req.query) });
      }
    }
    return snap;
  }

  /** A delta round: everything (first round), or what differs from the token's snapshot. */
  private delta(
    source: string,
    now: Snapshot,
    before: Snapshot,
    req: EmRequest,
    base: string,
    first = true,
  ): EmResponse {
    const items: Json[] = [];
    for (const [id, v] of now) if (first || before.get(id)?.etag !== v.etag) items.push(v.json);
    if (!first)
      for (const id of before.keys()) if (!now.has(id)) items.push({ id, '@removed': { reason: 'deleted' } });
    const cur: Cursor = { items, pos: 0, base: base.split('?')[0]!, snapshot: now, source };
    return this.page(cur, req);
  }

  private deltaAgain(user: EmUser, token: string, req: EmRequest, base: string): EmResponse {
    const t = this.tokens.get(token);
    if (!t)
      return fail(410, 'SyncStateNotFound', 'The sync state is not found; restart the sync from scratch.');
    const d = this.of(user);
    const [kind, id, from, to] = t.source.split(':');
    const now =
      kind === 'contacts'
        ? this.contactSnapshot(d, id!)
        : kind === 'tasks'
          ? new Map(
              [...d.tasks.values()]
                .filter((x) => x.listId === id)
                .map((x) => [x.id, { etag: x.etag, json: taskJson(x, req.query) }]),
            )
          : this.viewSnapshot(d, id!, Number(from), Number(to), req);
    return this.delta(t.source, now, t.snapshot, req, base, false);
  }

  private list(items: Json[], req: EmRequest, base: string): EmResponse {
    return this.page({ items, pos: 0, base: base.split('?')[0]! }, req);
  }

  private page(cur: Cursor, req: EmRequest): EmResponse {
    const m = /odata\.maxpagesize=(\d+)/.exec(req.headers['prefer'] ?? '');
    const size = Math.min(Number(req.query.get('$top') ?? 0) || Number(m?.[1] ?? 10), 1000);
    const items = cur.items.slice(cur.pos, cur.pos + size);
    cur.pos += items.length;
    const out: Json = { value: items };
    if (cur.pos < cur.items.length) {
      const tok = randomBytes(9).toString('base64url');
      this.cursors.set(tok, cur);
      out['@odata.nextLink'] = `${cur.base}?$skiptoken=${tok}`;
    } else if (cur.snapshot && cur.source) {
      const tok = randomBytes(9).toString('base64url');
      this.tokens.set(tok, { snapshot: cur.snapshot, source: cur.source });
      out['@odata.deltaLink'] = `${cur.base}?$deltatoken=${tok}`;
    }
    return ok(out);
  }

  private nextPage(token: string, req: EmRequest): EmResponse {
    const cur = this.cursors.get(token);
    return cur
      ? this.page(cur, req)
      : fail(400, 'ErrorInvalidSkipToken', 'The skip token is unknown or expired.');
  }
}
