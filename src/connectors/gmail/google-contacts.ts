/**
 * Google Contacts through the People API as one address book, "Contacts" (Google has one per user; its
 * contact groups are labels, many per contact, so they travel as each card's CATEGORIES rather than as
 * address books or group cards: a label then arrives with every contact that has it, in any order).
 * Delta: connections.list with requestSyncToken/syncToken (deleted people come back with
 * metadata.deleted; an expired token — 7 days — gives a full listing). Reads in batches of 200
 * (people.getBatchGet), writes with createContact / updateContact (the person's etag guards a replace).
 */
import { ErrorCode, PermanentError } from '../../errors.js';
import { vcardUid } from '../../formats/vcard.js';
import type {
  CollectionChanges,
  EnsuredCollection,
  GroupwareCollection,
  GroupwareItem,
  GroupwareItemRef,
} from '../groupware-contract.js';
import { SyncTokenExpired, type GoogleApi } from './google-api.js';
import { PERSON_FIELDS, personOf, vcardOf, type Person } from './google-people-map.js';

/** The one address book's id. */
export const CONTACTS_ID = 'contacts';
const BATCH = 200;
const MY_CONTACTS = 'contactGroups/myContacts';

interface ContactGroup {
  resourceName: string;
  name?: string;
  groupType?: string;
}

export class GoogleContacts {
  private groups?: Map<string, ContactGroup>;

  constructor(private readonly api: GoogleApi) {}

  collections(): GroupwareCollection[] {
    return [{ id: CONTACTS_ID, type: 'addressbook', displayName: 'Contacts', isDefault: true }];
  }

  ensure(like: GroupwareCollection): EnsuredCollection {
    return {
      id: CONTACTS_ID,
      existed: true,
      notKept: like.isDefault
        ? []
        : [`address book "${like.displayName}": Google Contacts has one address book, its contacts join it`],
    };
  }

  async changes(token: string | undefined, signal?: AbortSignal): Promise<CollectionChanges> {
    try {
      return await this.list(token, signal);
    } catch (err) {
      if (token !== undefined && err instanceof SyncTokenExpired) return this.list(undefined, signal);
      throw err;
    }
  }

  private async list(token: string | undefined, signal?: AbortSignal): Promise<CollectionChanges> {
    const changed: GroupwareItemRef[] = [];
    const deleted: string[] = [];
    let pageToken: string | undefined;
    let next: string | undefined;
    do {
      const page = await this.api.json<{
        connections?: Person[];
        nextPageToken?: string;
        nextSyncToken?: string;
      }>(
        {
          api: 'people',
          op: 'people.connections.list',
          path: '/people/me/connections',
          query: {
            personFields: 'metadata',
            pageSize: 1000,
            requestSyncToken: true,
            syncToken: token,
            pageToken,
          },
        },
        signal,
      );
      for (const p of page.connections ?? []) {
        if (!p.resourceName) continue;
        if (p.metadata?.deleted) deleted.push(p.resourceName);
        else changed.push({ key: p.resourceName, etag: p.etag ?? '' });
      }
      pageToken = page.nextPageToken;
      next = page.nextSyncToken ?? next;
    } while (pageToken);
    return { changed, deleted, token: next, full: token === undefined };
  }

  async *read(keys: string[], signal?: AbortSignal): AsyncIterable<GroupwareItem> {
    const names = await this.groupNames(signal);
    for (let i = 0; i < keys.length; i += BATCH) {
      const batch = keys.slice(i, i + BATCH);
      const q = new URLSearchParams({ personFields: PERSON_FIELDS });
      for (const k of batch) q.append('resourceNames', k);
      const res = await this.api.json<{ responses?: Array<{ person?: Person }> }>(
        {
          api: 'people',
          op: 'people.getBatchGet',
          path: `/people:batchGet?${q.toString()}`,
        },
        signal,
      );
      for (const r of res.responses ?? []) {
        const p = r.person;
        if (!p?.resourceName || p.metadata?.deleted) continue;
        const data = vcardOf(p, (g) => names.get(g)?.name);
        const uid = vcardUid(data);
        yield {
          key: p.resourceName,
          etag: p.etag ?? '',
          contentType: 'text/vcard',
          data,
          ...(uid ? { uid } : {}),
        };
      }
    }
  }

  async put(
    item: GroupwareItem,
    replace?: GroupwareItemRef,
    signal?: AbortSignal,
  ): Promise<GroupwareItemRef> {
    const { person, groupNames, isGroup } = personOf(item.data);
    if (isGroup)
      throw new PermanentError(
        ErrorCode.MessageRejected,
        `${this.api.where}: the group card "${item.uid ?? item.key}" has no place in Google Contacts, which keeps groups as labels on each contact.`,
        'Its members keep their labels through their CATEGORIES; create the label by hand if a group without members matters.',
      );
    const memberships = [MY_CONTACTS, ...(await this.groupIds(groupNames, signal))].map((g) => ({
      contactGroupMembership: { contactGroupResourceName: g },
    }));
    const body: Person = { ...person, memberships };
    const answer = replace
      ? await this.api.json<Person>(
          {
            api: 'people',
            op: 'people.updateContact',
            method: 'PATCH',
            path: `/${replace.key}:updateContact`,
            query: { updatePersonFields: PERSON_FIELDS, personFields: 'metadata' },
            json: { ...body, etag: replace.etag },
          },
          signal,
        )
      : await this.api.json<Person>(
          {
            api: 'people',
            op: 'people.createContact',
            path: '/people:createContact',
            query: { personFields: 'metadata' },
            json: body,
          },
          signal,
        );
    if (!answer.resourceName)
      throw new PermanentError(
        ErrorCode.ProtocolError,
        `${this.api.where}: createContact gave no resourceName.`,
      );
    return { key: answer.resourceName, etag: answer.etag ?? '' };
  }

  async delete(ref: GroupwareItemRef, signal?: AbortSignal): Promise<void> {
    await this.api.json(
      { api: 'people', op: 'people.deleteContact', method: 'DELETE', path: `/${ref.key}:deleteContact` },
      signal,
    );
  }

  /** Contact groups by resource name (listed once per endpoint). */
  private async groupNames(signal?: AbortSignal): Promise<Map<string, ContactGroup>> {
    if (this.groups) return this.groups;
    const all = new Map<string, ContactGroup>();
    let pageToken: string | undefined;
    do {
      const page = await this.api.json<{ contactGroups?: ContactGroup[]; nextPageToken?: string }>(
        {
          api: 'people',
          op: 'contactGroups.list',
          path: '/contactGroups',
          query: { pageSize: 1000, pageToken },
        },
        signal,
      );
      // System groups (myContacts, starred, …) are Google's own, not the user's labels.
      for (const g of page.contactGroups ?? [])
        if (g.groupType === 'USER_CONTACT_GROUP') all.set(g.resourceName, g);
      pageToken = page.nextPageToken;
    } while (pageToken);
    this.groups = all;
    return all;
  }

  /** The resource names of labels by name, created where missing. */
  private async groupIds(names: string[], signal?: AbortSignal): Promise<string[]> {
    if (names.length === 0) return [];
    const groups = await this.groupNames(signal);
    const out: string[] = [];
    for (const name of new Set(names)) {
      let g = [...groups.values()].find((x) => x.name === name);
      if (!g) {
        g = await this.api.json<ContactGroup>(
          {
            api: 'people',
            op: 'contactGroups.create',
            path: '/contactGroups',
            json: { contactGroup: { name } },
          },
          signal,
        );
        groups.set(g.resourceName, g);
      }
      out.push(g.resourceName);
    }
    return out;
  }
}
