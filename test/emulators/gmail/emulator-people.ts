/**
 * EMULATOR (test code): the People API methods Cutover uses, refusing what Google refuses:
 * - people.connections.list: personFields required; pageSize 1–1000; requestSyncToken → nextSyncToken on the
 *   last page; syncToken → only people changed since, deleted ones as { metadata: { deleted: true } }; an
 *   expired token (`expireSyncTokens()`; Google: 7 days) → 400 FAILED_PRECONDITION, ErrorInfo reason
 *   EXPIRED_SYNC_TOKEN;
 * - people.getBatchGet: 1–200 resourceNames, personFields required;
 * - people.createContact / updateContact: a person with more than one name, biography or birthday refused
 *   (singleton fields), memberships only of existing groups; updateContact needs updatePersonFields and the
 *   current etag (400 FAILED_PRECONDITION "Request person.etag is different than the current person.etag");
 * - people.deleteContact; contactGroups.list (myContacts and starred are system groups) and
 *   contactGroups.create (409 ALREADY_EXISTS for a name in use).
 */
import { randomBytes } from 'node:crypto';
import type { Answer } from './emulator-routes.js';
import { err } from './gmail-emulator.js';

type Json = Record<string, unknown>;
interface Stored {
  person: Json;
  seq: number;
  deleted: boolean;
}
interface Group {
  resourceName: string;
  name: string;
  groupType: 'USER_CONTACT_GROUP' | 'SYSTEM_CONTACT_GROUP';
}

const SINGLETONS = ['names', 'biographies', 'birthdays'];
let etagSeq = 1;

function status(code: number, message: string, statusName: string, reason?: string): Answer {
  return [
    code,
    {
      error: {
        code,
        message,
        status: statusName,
        ...(reason
          ? {
              details: [
                {
                  '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
                  reason,
                  domain: 'people.googleapis.com',
                },
              ],
            }
          : {}),
      },
    },
  ];
}

export class PeopleStore {
  readonly people = new Map<string, Stored>();
  readonly groups = new Map<string, Group>([
    [
      'contactGroups/myContacts',
      { resourceName: 'contactGroups/myContacts', name: 'myContacts', groupType: 'SYSTEM_CONTACT_GROUP' },
    ],
    [
      'contactGroups/starred',
      { resourceName: 'contactGroups/starred', name: 'starred', groupType: 'SYSTEM_CONTACT_GROUP' },
    ],
  ]);
  seq = 0;
  /** Tokens issued before this sequence number are expired. */
  validFrom = 0;

  /** Every sync token issued so far expires (as after Google's 7 days). */
  expireSyncTokens(): void {
    this.validFrom = this.seq + 1;
  }

  /** Change a contact behind Cutover's back (a user editing it in Google Contacts). */
  edit(resourceName: string, change: (p: Json) => void): void {
    const s = this.people.get(resourceName);
    if (!s) throw new Error(`emulator: no ${resourceName}`);
    change(s.person);
    this.touch(s);
  }

  private touch(s: Stored): void {
    s.seq = ++this.seq;
    s.person.etag = `%Eg${(etagSeq++).toString(36)}${randomBytes(3).toString('hex')}`;
  }

  /** A refusal of a person's fields, or undefined. */
  refusal(p: Json): Answer | undefined {
    for (const f of SINGLETONS)
      if (Array.isArray(p[f]) && (p[f] as unknown[]).length > 1)
        return status(
          400,
          `Invalid person.${f}: only one ${f.replace(/s$/, '')} is allowed.`,
          'INVALID_ARGUMENT',
        );
    for (const m of (p.memberships as Json[] | undefined) ?? []) {
      const g = (m.contactGroupMembership as Json | undefined)?.contactGroupResourceName;
      if (typeof g !== 'string' || !this.groups.has(g))
        return status(400, `Invalid contact group resource name: ${String(g)}.`, 'INVALID_ARGUMENT');
    }
    return undefined;
  }

  view(s: Stored, fields: string[]): Json {
    const out: Json = { resourceName: s.person.resourceName, etag: s.person.etag };
    if (s.deleted) return { ...out, metadata: { deleted: true } };
    for (const f of fields) if (s.person[f] !== undefined) out[f] = s.person[f];
    if (fields.includes('metadata')) out.metadata = { sources: [{ type: 'CONTACT', etag: s.person.etag }] };
    return out;
  }

  create(p: Json): Stored {
    const resourceName = `people/c${randomBytes(8).readBigUInt64BE().toString().slice(0, 18)}`;
    const person: Json = { ...p, resourceName };
    if (!person.memberships)
      person.memberships = [
        { contactGroupMembership: { contactGroupResourceName: 'contactGroups/myContacts' } },
      ];
    const s: Stored = { person, seq: 0, deleted: false };
    this.touch(s);
    this.people.set(resourceName, s);
    return s;
  }
}

function fieldsOf(q: URLSearchParams, name = 'personFields'): string[] | undefined {
  const v = q.get(name) ?? q.get(name === 'personFields' ? 'readMask' : name);
  return v ? v.split(',').map((s) => s.trim()) : undefined;
}

const MASK_REQUIRED = status(
  400,
  'personFields mask is required. Please specify one or more valid paths. Valid paths are documented at https://developers.google.com/people/api/rest/v1/people.connections/list.',
  'INVALID_ARGUMENT',
);

/** Serve one People API request (`rest` starts with /). */
export function servePeople(
  st: PeopleStore,
  method: string,
  rest: string,
  q: URLSearchParams,
  json: Json,
): Answer {
  if (rest === '/people/me/connections' && method === 'GET') {
    const fields = fieldsOf(q);
    if (!fields) return MASK_REQUIRED;
    const size = Number(q.get('pageSize') ?? 100);
    if (!(size >= 1 && size <= 1000))
      return status(400, 'pageSize must be between 1 and 1000.', 'INVALID_ARGUMENT');
    const token = q.get('syncToken');
    let since = -1;
    if (token) {
      const n = Number(/^sync-(\d+)$/.exec(token)?.[1] ?? NaN);
      if (!Number.isFinite(n) || n < st.validFrom)
        return status(
          400,
          'Sync token is expired. Clear local cache and retry call without the sync token.',
          'FAILED_PRECONDITION',
          'EXPIRED_SYNC_TOKEN',
        );
      since = n;
    }
    const all = [...st.people.values()]
      .filter((s) => (since < 0 ? !s.deleted : s.seq > since))
      .sort((a, b) => a.seq - b.seq);
    const start = Number(q.get('pageToken') ?? 0);
    const page = all.slice(start, start + size);
    const more = start + size < all.length;
    return [
      200,
      {
        connections: page.map((s) => st.view(s, fields)),
        totalItems: all.length,
        ...(more ? { nextPageToken: String(start + size) } : {}),
        ...(!more && q.get('requestSyncToken') === 'true' ? { nextSyncToken: `sync-${st.seq}` } : {}),
      },
    ];
  }
  if (rest === '/people:batchGet' && method === 'GET') {
    const fields = fieldsOf(q);
    if (!fields) return MASK_REQUIRED;
    const names = q.getAll('resourceNames');
    if (names.length < 1 || names.length > 200)
      return status(400, 'resourceNames: between 1 and 200 are allowed.', 'INVALID_ARGUMENT');
    return [
      200,
      {
        responses: names.map((n) => {
          const s = st.people.get(n);
          return s && !s.deleted
            ? { requestedResourceName: n, httpStatusCode: 200, person: st.view(s, fields) }
            : {
                requestedResourceName: n,
                httpStatusCode: 404,
                status: { code: 5, message: 'Requested entity was not found.' },
              };
        }),
      },
    ];
  }
  if (rest === '/people:createContact' && method === 'POST') {
    const refused = st.refusal(json);
    if (refused) return refused;
    const s = st.create(json);
    return [200, st.view(s, fieldsOf(q) ?? [])];
  }
  const upd = /^\/(people\/[^/:]+):(updateContact|deleteContact)$/.exec(rest);
  if (upd) {
    const s = st.people.get(upd[1]!);
    if (!s || s.deleted) return status(404, 'Requested entity was not found.', 'NOT_FOUND');
    if (upd[2] === 'deleteContact' && method === 'DELETE') {
      s.deleted = true;
      st.edit(upd[1]!, () => undefined);
      return [200, {}];
    }
    if (method !== 'PATCH') return status(404, `No route ${method} ${rest}`, 'NOT_FOUND');
    const mask = fieldsOf(q, 'updatePersonFields');
    if (!mask) return status(400, 'updatePersonFields mask is required.', 'INVALID_ARGUMENT');
    if (json.etag !== s.person.etag)
      return status(
        400,
        'Request person.etag is different than the current person.etag. Clear local cache and get the latest person.',
        'FAILED_PRECONDITION',
      );
    const refused = st.refusal(json);
    if (refused) return refused;
    st.edit(upd[1]!, (p) => {
      for (const f of mask) {
        if (json[f] === undefined) delete p[f];
        else p[f] = json[f];
      }
    });
    return [200, st.view(s, fieldsOf(q) ?? [])];
  }
  if (rest === '/contactGroups' && method === 'GET')
    return [200, { contactGroups: [...st.groups.values()], totalItems: st.groups.size }];
  if (rest === '/contactGroups' && method === 'POST') {
    const name = ((json.contactGroup as Json | undefined)?.name as string | undefined)?.trim();
    if (!name) return status(400, 'Contact group name must not be empty.', 'INVALID_ARGUMENT');
    if ([...st.groups.values()].some((g) => g.name === name))
      return status(409, 'Contact group name already exists.', 'ALREADY_EXISTS');
    const g: Group = {
      resourceName: `contactGroups/${randomBytes(6).toString('hex')}`,
      name,
      groupType: 'USER_CONTACT_GROUP',
    };
    st.groups.set(g.resourceName, g);
    return [200, g];
  }
  return [404, err(404, `No route ${method} ${rest}`, 'notFound')];
}
