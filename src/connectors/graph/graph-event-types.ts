/**
 * Graph's `event` as Cutover reads and writes it (the fields the iCalendar mapping uses), and the property
 * sets shared by the two directions of that mapping (graph-event-write.ts, graph-event-read.ts).
 */
import type { GraphDateTime } from './graph-event-times.js';
import type { GraphRecurrence } from './graph-recurrence.js';

/** An attendee as Graph gives it. */
export interface GraphAttendee {
  type?: 'required' | 'optional' | 'resource';
  emailAddress: { address?: string; name?: string };
  status?: { response?: string };
}

/** An event (single instance, series master, occurrence or exception). */
export interface GraphEvent {
  id: string;
  changeKey?: string;
  '@odata.etag'?: string;
  iCalUId?: string;
  type?: 'singleInstance' | 'occurrence' | 'exception' | 'seriesMaster';
  seriesMasterId?: string | null;
  /** The occurrence's start in the series before it was changed (UTC, ISO). */
  originalStart?: string | null;
  originalStartTimeZone?: string | null;
  originalEndTimeZone?: string | null;
  subject?: string | null;
  body?: { contentType?: string; content?: string } | null;
  start?: GraphDateTime;
  end?: GraphDateTime;
  isAllDay?: boolean;
  location?: { displayName?: string | null } | null;
  categories?: string[];
  sensitivity?: string;
  showAs?: string;
  importance?: string;
  isReminderOn?: boolean;
  reminderMinutesBeforeStart?: number;
  recurrence?: GraphRecurrence | null;
  attendees?: GraphAttendee[];
  organizer?: { emailAddress: { address?: string; name?: string } } | null;
  isCancelled?: boolean;
  isOrganizer?: boolean;
  lastModifiedDateTime?: string;
  singleValueExtendedProperties?: Array<{ id: string; value: string }>;
}

/** VEVENT properties Graph's fields hold; every other line lives only in Cutover's stash. */
export const EVENT_MAPPED: ReadonlySet<string> = new Set([
  'UID',
  'SUMMARY',
  'DESCRIPTION',
  'LOCATION',
  'DTSTART',
  'DTEND',
  'DURATION',
  'RRULE',
  'EXDATE',
  'RECURRENCE-ID',
  'CATEGORIES',
  'CLASS',
  'TRANSP',
  'PRIORITY',
  'X-MICROSOFT-CDO-BUSYSTATUS',
  'DTSTAMP',
]);

/** Lines a read writes only when the stash had them (their value is iCalendar's default). */
export const EVENT_DEFAULTS: ReadonlySet<string> = new Set([
  'CLASS:PUBLIC',
  'TRANSP:OPAQUE',
  'PRIORITY:5',
  'X-MICROSOFT-CDO-BUSYSTATUS:BUSY',
  'X-MICROSOFT-CDO-BUSYSTATUS:FREE',
]);

/** Select of every event read. */
export const EVENT_SELECT = [
  'id',
  'changeKey',
  'iCalUId',
  'type',
  'seriesMasterId',
  'originalStart',
  'originalStartTimeZone',
  'originalEndTimeZone',
  'subject',
  'body',
  'start',
  'end',
  'isAllDay',
  'location',
  'categories',
  'sensitivity',
  'showAs',
  'importance',
  'isReminderOn',
  'reminderMinutesBeforeStart',
  'recurrence',
  'attendees',
  'organizer',
  'isCancelled',
  'lastModifiedDateTime',
].join(',');
