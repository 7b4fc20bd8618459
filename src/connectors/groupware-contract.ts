/**
 * Contacts, calendars and tasks (item types `contacts`, `calendars`, `tasks`): what the engine knows about a
 * system's address books, calendars and task lists. The neutral form of an item is its standard text —
 * iCalendar (RFC 5545) for events and tasks, vCard (RFC 6350, and 3.0/2.1 as read) for contacts — so a
 * CalDAV/CardDAV server hands over and takes what it stores, byte for byte, and Microsoft 365 or Google
 * convert their JSON to and from it inside their connector (src/formats/ holds the parsers both sides use).
 *
 * Items and collections are keyed by strings (a DAV href, an API id), never by numbers; the engine keeps
 * them in the item ledger (src/store/item-ledger-repo.ts). Nothing here deletes anything at a destination
 * unless `deleteItem` is called, which the engine does only on the operator's explicit option.
 */

/** Where `putItem` left an item. */
export interface PutResult extends GroupwareItemRef {
  /**
   * A new item was not written because an item with its UID is already at its place (an earlier write whose
   * answer was lost, or a copy made before): this is that item's key and version, for the engine to compare.
   */
  found?: boolean;
}

/** What a collection holds. */
export type CollectionType = 'addressbook' | 'calendar';

/** The iCalendar components a calendar collection can hold. */
export type CalendarComponent = 'VEVENT' | 'VTODO' | 'VJOURNAL';

/** An address book, a calendar or a task list, as listed. */
export interface GroupwareCollection {
  /** Stable key on its system: a DAV collection's path (e.g. /dav/calendars/alice/work/), an API id. */
  id: string;
  type: CollectionType;
  /** Calendars: the components it takes (supported-calendar-component-set); absent = any. */
  components?: CalendarComponent[];
  displayName: string;
  /** #RRGGBB or #RRGGBBAA (Apple's calendar-color form). */
  color?: string;
  description?: string;
  /** The system's default calendar / task list / address book: mapped onto the destination's default. */
  isDefault: boolean;
  /**
   * Set when the collection belongs to someone else (shared with or subscribed by this user): who or what,
   * in words. Such collections are reported, not copied as if owned.
   */
  sharedFrom?: string;
}

/** An item's key and version, as a listing gives them. */
export interface GroupwareItemRef {
  /** The item's key on its system (a DAV href path, an API id). */
  key: string;
  /** Changes whenever the item changes (DAV ETag, Graph changeKey, Google etag). */
  etag: string;
}

/** One contact, event or task in its neutral text form. */
export interface GroupwareItem extends GroupwareItemRef {
  /** The iCalendar UID or vCard UID; absent for a vCard that has none (the key then stands in). */
  uid?: string;
  contentType: 'text/calendar' | 'text/vcard';
  /** The whole iCalendar object or vCard, as the system stores it (CRLF line ends, folded lines kept). */
  data: string;
}

/** What changed in a collection since a token. */
export interface CollectionChanges {
  /** Items new or changed since the token (every item, when there was no token or it expired). */
  changed: GroupwareItemRef[];
  /** Keys deleted since the token (empty on a full listing). */
  deleted: string[];
  /**
   * The token for the next call (RFC 6578 sync-token, a Graph deltaLink, a Google syncToken); undefined when
   * the system has none, and the engine compares ETags against its ledger instead.
   */
  token?: string;
  /** True when this is every item (no token given, the system has no tokens, or it refused an old one). */
  full: boolean;
}

/** What a groupware endpoint can do, declared by the connector. */
export interface GroupwareCapabilities {
  /** The item types it carries. */
  types: ReadonlyArray<'contacts' | 'calendars' | 'tasks'>;
  /** The vCard version it stores best (CardDAV supported-address-data); items are written in it. */
  vcardVersion: '3.0' | '4.0';
  /** Largest item accepted (bytes; CalDAV max-resource-size), absent = unknown. */
  maxItemBytes?: number;
  /** Collection properties it cannot keep at all (e.g. colour on a system without colours), for the report. */
  unkeptProperties?: ReadonlyArray<'color' | 'description'>;
}

/** Where `ensureCollection` put a collection and what of it could not be kept. */
export interface EnsuredCollection {
  id: string;
  /** The collection already existed (a default, or one made by an earlier pass). */
  existed: boolean;
  /** Properties the system did not keep, in words ("colour: the server ignores it"). */
  notKept: string[];
}

/** A mailbox's address books, calendars and task lists on one system, open. */
export interface GroupwareEndpoint {
  readonly capabilities: GroupwareCapabilities;
  /** Every collection the user can see (owned and shared). */
  listCollections(signal?: AbortSignal): Promise<GroupwareCollection[]>;
  /** What changed in a collection since `token` (undefined: list everything). */
  changes(collectionId: string, token: string | undefined, signal?: AbortSignal): Promise<CollectionChanges>;
  /**
   * These items, read in batches (DAV multiget), yielded as they arrive; a key gone meanwhile is not
   * yielded. Every item of a multi-status answer is read, including those with an error status.
   */
  readItems(collectionId: string, keys: string[], signal?: AbortSignal): AsyncIterable<GroupwareItem>;
  /**
   * Find or create a collection like `like` (the default maps onto the default; otherwise by display name
   * among owned collections of the same type), then set the properties the system ignored at creation
   * (Xandikos ignores colour and description in MKCALENDAR: they are set by PROPPATCH).
   */
  ensureCollection(like: GroupwareCollection, signal?: AbortSignal): Promise<EnsuredCollection>;
  /**
   * Write an item: a new one when `replace` is absent (refused if its key exists), else replace that
   * destination item if it still has that ETag. Returns its key and ETag at the destination. A refusal
   * (too large, invalid by the system's rules, a UID already in the collection — Xandikos answers that
   * with 207 Multi-Status holding 412 no-uid-conflict) throws a PermanentError (ErrorCode.MessageRejected)
   * carrying the system's own words; a replace whose ETag is no longer the item's throws a PermanentError
   * (ErrorCode.Conflict). Never sends invitations or notifications to attendees.
   */
  putItem(
    collectionId: string,
    item: GroupwareItem,
    replace?: GroupwareItemRef,
    signal?: AbortSignal,
  ): Promise<PutResult>;
  /** Delete an item at this system; the engine calls it only on the operator's explicit option. */
  deleteItem?(collectionId: string, ref: GroupwareItemRef, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}
