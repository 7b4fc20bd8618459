/**
 * A Google Workspace user's contacts, calendars and task lists, open (GroupwareEndpoint): one address book
 * (People API, google-contacts.ts), the calendars of the calendar list (Calendar API, google-calendar.ts)
 * and the task lists (Tasks API, google-tasks.ts). A collection id says which API holds it: `contacts`,
 * `calendar:<calendar id>`, `tasks:<task list id>`. Nothing here sends an invitation or a notification.
 */
import { ErrorCode, PermanentError } from '../../errors.js';
import type {
  CollectionChanges,
  EnsuredCollection,
  GroupwareCapabilities,
  GroupwareCollection,
  GroupwareEndpoint,
  GroupwareItem,
  GroupwareItemRef,
} from '../groupware-contract.js';
import type { GoogleApi } from './google-api.js';
import { GoogleCalendars } from './google-calendar.js';
import { CONTACTS_ID, GoogleContacts } from './google-contacts.js';
import { GoogleTasks } from './google-tasks.js';

type Where = { api: 'contacts' } | { api: 'calendar'; id: string } | { api: 'tasks'; id: string };

export class GoogleGroupware implements GroupwareEndpoint {
  readonly capabilities: GroupwareCapabilities = {
    types: ['contacts', 'calendars', 'tasks'],
    // Google's own export writes vCard 3.0; every version is read.
    vcardVersion: '3.0',
  };
  private readonly contacts: GoogleContacts;
  private readonly calendars: GoogleCalendars;
  private readonly tasks: GoogleTasks;

  constructor(private readonly api: GoogleApi) {
    this.contacts = new GoogleContacts(api);
    this.calendars = new GoogleCalendars(api);
    this.tasks = new GoogleTasks(api);
  }

  async listCollections(signal?: AbortSignal): Promise<GroupwareCollection[]> {
    return [
      ...this.contacts.collections(),
      ...(await this.calendars.collections(signal)),
      ...(await this.tasks.collections(signal)),
    ];
  }

  changes(collectionId: string, token: string | undefined, signal?: AbortSignal): Promise<CollectionChanges> {
    const w = this.where(collectionId);
    if (w.api === 'contacts') return this.contacts.changes(token, signal);
    if (w.api === 'calendar') return this.calendars.changes(w.id, token, signal);
    return this.tasks.changes(w.id, token, signal);
  }

  readItems(collectionId: string, keys: string[], signal?: AbortSignal): AsyncIterable<GroupwareItem> {
    const w = this.where(collectionId);
    if (w.api === 'contacts') return this.contacts.read(keys, signal);
    if (w.api === 'calendar') return this.calendars.read(w.id, keys, signal);
    return this.tasks.read(w.id, keys, signal);
  }

  /** Address books join the one Contacts; a calendar taking only VTODO becomes a task list. */
  async ensureCollection(like: GroupwareCollection, signal?: AbortSignal): Promise<EnsuredCollection> {
    if (like.type === 'addressbook') return this.contacts.ensure(like);
    const comps = like.components ?? ['VEVENT', 'VTODO'];
    if (!comps.includes('VEVENT') && comps.includes('VTODO')) return this.tasks.ensure(like, signal);
    const ensured = await this.calendars.ensure(like, signal);
    if (like.components?.includes('VTODO'))
      ensured.notKept.push('tasks: a Google calendar holds events only; its tasks are refused one by one');
    return ensured;
  }

  putItem(
    collectionId: string,
    item: GroupwareItem,
    replace?: GroupwareItemRef,
    signal?: AbortSignal,
  ): Promise<GroupwareItemRef> {
    const w = this.where(collectionId);
    if (w.api === 'contacts') return this.contacts.put(item, replace, signal);
    if (w.api === 'calendar') return this.calendars.put(w.id, item, replace, signal);
    return this.tasks.put(w.id, item, replace, signal);
  }

  async deleteItem(collectionId: string, ref: GroupwareItemRef, signal?: AbortSignal): Promise<void> {
    const w = this.where(collectionId);
    if (w.api === 'contacts') return this.contacts.delete(ref, signal);
    if (w.api === 'calendar') return this.calendars.delete(w.id, ref, signal);
    return this.tasks.delete(w.id, ref, signal);
  }

  /** Nothing to release: every request is its own exchange. */
  async close(): Promise<void> {}

  private where(collectionId: string): Where {
    if (collectionId === CONTACTS_ID) return { api: 'contacts' };
    const m = /^(calendar|tasks):(.+)$/.exec(collectionId);
    if (!m)
      throw new PermanentError(
        ErrorCode.InvalidInput,
        `${this.api.where}: "${collectionId}" is not a Google collection id (contacts, calendar:…, tasks:…).`,
        'Use the ids listCollections gives.',
      );
    return { api: m[1] as 'calendar' | 'tasks', id: m[2]! };
  }
}
