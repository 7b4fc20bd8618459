/**
 * The objects of an iCalendar text (RFC 5545): its events, tasks and journal entries grouped by UID, so a
 * recurring series (the master plus its overridden instances, each with a RECURRENCE-ID) always travels as
 * one; how each one's times are meant (all-day, floating, UTC, a TZID); its organizer and attendees. A text
 * that holds several UIDs (a whole exported calendar) is split into one resource per UID that keeps every
 * line's bytes and carries the VTIMEZONEs it refers to.
 */
import { paramValue, type ContentLine } from './content-lines.js';
import {
  allProperties,
  childComponents,
  childProperties,
  parseDocument,
  serialiseComponent,
  propertyText,
  type Component,
  type Document,
} from './component-tree.js';
import { timesOf, type TimeValue } from './ical-time.js';

/** The component types a calendar resource holds. */
export type ItemComponent = 'VEVENT' | 'VTODO' | 'VJOURNAL';
const ITEM_COMPONENTS: ReadonlySet<string> = new Set(['VEVENT', 'VTODO', 'VJOURNAL']);

/** One event, task or journal entry: every component with its UID. */
export interface CalendarObject {
  /** Absent when the component has none (invalid, but seen in exports). */
  uid?: string;
  type: ItemComponent;
  /** The component without RECURRENCE-ID (absent when only overridden instances were shared). */
  master?: Component;
  /** Overridden instances (RECURRENCE-ID), in text order. */
  overrides: Component[];
}

function itemComponents(doc: Document): Component[] {
  return childComponents(doc.nodes, 'VCALENDAR').flatMap((cal) =>
    childComponents(cal).filter((c) => ITEM_COMPONENTS.has(c.name)),
  );
}

/** The value of a component's first `name` property. */
export function propValue(comp: Component, name: string): string | undefined {
  return childProperties(comp, name)[0]?.line.value;
}

/** The events, tasks and journal entries of a text, one object per UID, in order of first appearance. */
export function calendarObjects(input: string | Document): CalendarObject[] {
  const doc = typeof input === 'string' ? parseDocument(input) : input;
  const byUid = new Map<string, CalendarObject>();
  const objects: CalendarObject[] = [];
  for (const comp of itemComponents(doc)) {
    const uid = propValue(comp, 'UID')?.trim();
    const key = `${comp.name}\u0000${uid ?? `\u0000${objects.length}`}`;
    let obj = byUid.get(key);
    if (!obj) {
      obj = { type: comp.name as ItemComponent, overrides: [] };
      if (uid !== undefined) obj.uid = uid;
      byUid.set(key, obj);
      objects.push(obj);
    }
    if (childProperties(comp, 'RECURRENCE-ID').length > 0) obj.overrides.push(comp);
    else obj.master ??= comp;
  }
  return objects;
}

/** The UID of a calendar resource's first event/task/journal (a resource holds one UID). */
export function calendarUid(text: string): string | undefined {
  return calendarObjects(text)[0]?.uid;
}

/** The time of a component's `DTSTART`, `DTEND`, `DUE`, `RECURRENCE-ID` or `COMPLETED`. */
export function timeOf(comp: Component, name: string): TimeValue | undefined {
  const prop = childProperties(comp, name)[0];
  return prop ? timesOf(prop.line)[0] : undefined;
}

/** True for an all-day item: its DTSTART (or a task's DUE) is a DATE. */
export function isAllDay(comp: Component): boolean {
  return (timeOf(comp, 'DTSTART') ?? timeOf(comp, 'DUE'))?.kind === 'date';
}

/** An ORGANIZER or ATTENDEE. */
export interface Participant {
  /** The value as written (usually `mailto:…`). */
  uri: string;
  /** The e-mail address: from a mailto: value, else the EMAIL parameter (RFC 7986). */
  email?: string;
  name?: string;
  role?: string;
  partstat?: string;
  rsvp?: boolean;
  cutype?: string;
}

/** A participant line read. */
export function participant(line: ContentLine): Participant {
  const uri = line.value.trim();
  const mailto = /^mailto:(.*)$/i.exec(uri)?.[1];
  const email = mailto || paramValue(line, 'EMAIL');
  const p: Participant = { uri };
  if (email) p.email = email;
  const fields = [
    ['name', 'CN'],
    ['role', 'ROLE'],
    ['partstat', 'PARTSTAT'],
    ['cutype', 'CUTYPE'],
  ] as const;
  for (const [key, param] of fields) {
    const v = paramValue(line, param);
    if (v !== undefined) p[key] = v;
  }
  const rsvp = paramValue(line, 'RSVP');
  if (rsvp !== undefined) p.rsvp = rsvp.toUpperCase() === 'TRUE';
  return p;
}

/** A component's ORGANIZER. */
export function organizer(comp: Component): Participant | undefined {
  const prop = childProperties(comp, 'ORGANIZER')[0];
  return prop ? participant(prop.line) : undefined;
}

/** A component's ATTENDEEs (not those of its alarms). */
export function attendees(comp: Component): Participant[] {
  return childProperties(comp, 'ATTENDEE').map((p) => participant(p.line));
}

/** One resource of a split calendar. */
export interface CalendarResource {
  uid?: string;
  type: ItemComponent;
  text: string;
}

/**
 * Split a text into one resource per UID (CalDAV allows one per resource, RFC 4791 §4.1). A text with one
 * UID is returned unchanged. Otherwise each resource gets the calendar's properties but METHOD (not allowed
 * in a stored resource), the VTIMEZONEs its components name, and its components, each line as it was.
 */
export function splitCalendar(text: string): CalendarResource[] {
  const doc = parseDocument(text);
  const objects = calendarObjects(doc);
  const first = objects[0];
  if (objects.length <= 1) return first ? [{ ...uidPart(first), type: first.type, text }] : [];
  const cal = childComponents(doc.nodes, 'VCALENDAR')[0] as Component;
  const header = childProperties(cal).filter((p) => p.line.name !== 'METHOD');
  const zones = childComponents(cal, 'VTIMEZONE');
  return objects.map((obj) => {
    const mine = new Set<Component>([...(obj.master ? [obj.master] : []), ...obj.overrides]);
    const comps = childComponents(cal).filter((c) => mine.has(c));
    const named = new Set<string>();
    for (const prop of allProperties(comps)) {
      const tzid = paramValue(prop.line, 'TZID');
      if (tzid !== undefined) named.add(tzid);
    }
    const tz = zones.filter((z) => named.has(propValue(z, 'TZID')?.trim() ?? ''));
    const body =
      propertyText(cal.begin, doc.eol) +
      header.map((p) => propertyText(p, doc.eol)).join('') +
      [...tz, ...comps].map((c) => serialiseComponent(c, doc.eol)).join('') +
      (cal.end ? propertyText(cal.end, doc.eol) : `END:VCALENDAR${doc.eol}`);
    return { ...uidPart(obj), type: obj.type, text: body };
  });
}

function uidPart(obj: CalendarObject): { uid?: string } {
  return obj.uid === undefined ? {} : { uid: obj.uid };
}
