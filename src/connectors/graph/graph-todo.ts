/**
 * Microsoft To Do tasks (Graph `todoTask`) ↔ VTODO. Title, notes, importance ↔ PRIORITY, status, start, due
 * and completion times, categories, the reminder and the repeat pattern map onto the task's fields. To Do
 * has no percentage, classification or link between tasks (a VTODO's RELATED-TO parent): those are said in
 * the item's notes and kept in Cutover's stash, which a task carries as an open extension (todoTask has no
 * extended properties), with the UID by which a rerun finds its own copy.
 */
import {
  childComponents,
  childProperties,
  parseDocument,
  serialiseComponent,
  type Component,
} from '../../formats/component-tree.js';
import { paramValue, unfold, type ContentLine } from '../../formats/content-lines.js';
import { calendarObjects, timeOf } from '../../formats/icalendar.js';
import { formatTimeValue, parseTimeValue } from '../../formats/ical-time.js';
import { escapeText, splitUnescaped, unescapeText } from '../../formats/text-values.js';
import { ianaTimeZones } from '../../formats/windows-zones.js';
import { sameness } from './graph-event-read.js';
import { graphWall, instantOf, utcToWall, type GraphDateTime } from './graph-event-times.js';
import {
  componentLines,
  durationMs,
  importanceOf,
  writtenTime,
  type WriteContext,
} from './graph-event-write.js';
import { graphToRrule, rruleToGraph, type GraphRecurrence } from './graph-recurrence.js';
import { linesText, readStash, reconcile, stashText, TASK_EXTENSION, type Stash } from './graph-stash.js';

/** A To Do task as Graph gives it (the fields Cutover maps). */
export interface GraphTask {
  id: string;
  '@odata.etag'?: string;
  title?: string;
  body?: { content?: string; contentType?: string };
  importance?: string;
  status?: string;
  dueDateTime?: GraphDateTime | null;
  startDateTime?: GraphDateTime | null;
  completedDateTime?: GraphDateTime | null;
  reminderDateTime?: GraphDateTime | null;
  isReminderOn?: boolean;
  categories?: string[];
  recurrence?: GraphRecurrence | null;
  lastModifiedDateTime?: string;
  extensions?: Array<{ extensionName?: string; id?: string; uid?: string; original?: string }>;
}

const MAPPED = new Set([
  'UID',
  'SUMMARY',
  'DESCRIPTION',
  'DTSTART',
  'DUE',
  'COMPLETED',
  'STATUS',
  'PRIORITY',
  'CATEGORIES',
  'RRULE',
  'DTSTAMP',
]);
const DEFAULTS = new Set(['PRIORITY:5', 'STATUS:NEEDS-ACTION']);
const STATUS_TO: Record<string, string> = {
  'NEEDS-ACTION': 'notStarted',
  'IN-PROCESS': 'inProgress',
  COMPLETED: 'completed',
};
const STATUS_FROM: Record<string, string> = {
  notStarted: 'NEEDS-ACTION',
  inProgress: 'IN-PROCESS',
  completed: 'COMPLETED',
  waitingOnOthers: 'IN-PROCESS',
  deferred: 'NEEDS-ACTION',
};
const DAY_MS = 86_400_000;
const unfoldRaw = (raw: string) => unfold(raw).replace(/\r?\n$/, '');

const value = (comp: Component, name: string) => {
  const v = childProperties(comp, name)[0]?.line.value;
  return v === undefined ? undefined : unescapeText(v);
};

/** The reminder instant of a VTODO's first alarm: absolute, or relative to DUE/DTSTART. */
function reminderOf(comp: Component, ctx: WriteContext): { at: number; alarm: Component } | undefined {
  for (const alarm of childComponents(comp, 'VALARM')) {
    const trig = childProperties(alarm, 'TRIGGER')[0]?.line;
    if (!trig) continue;
    if ((paramValue(trig, 'VALUE') ?? '').toUpperCase() === 'DATE-TIME') {
      const t = parseTimeValue(trig.value);
      if (t) return { at: writtenTime(t, ctx, 'TRIGGER').instant, alarm };
    }
    const rel = (paramValue(trig, 'RELATED') ?? 'START').toUpperCase();
    const anchor = timeOf(comp, rel === 'END' ? 'DUE' : 'DTSTART') ?? timeOf(comp, 'DUE');
    const ms = durationMs(trig.value);
    if (anchor && ms !== undefined) return { at: writtenTime(anchor, ctx, 'TRIGGER').instant + ms, alarm };
  }
  return undefined;
}

/** A VTODO resource → a todoTask body with Cutover's extension, its UID, and what To Do cannot hold. */
export function vtodoToTask(
  data: string,
  mailboxZone: string,
  notes: string[],
): { body: Record<string, unknown>; uid?: string } {
  const renamed = ianaTimeZones(data);
  const objR = calendarObjects(renamed.text).find((o) => o.type === 'VTODO');
  const objO = calendarObjects(data).find((o) => o.type === 'VTODO');
  const comp = objR?.master ?? objR?.overrides[0];
  const orig = objO?.master ?? objO?.overrides[0];
  if (!comp || !orig) throw new Error('no VTODO in the calendar resource');
  const cal = childComponents(parseDocument(renamed.text).nodes, 'VCALENDAR')[0];
  const zones = new Map<string, Component>();
  for (const z of cal ? childComponents(cal, 'VTIMEZONE') : []) zones.set(value(z, 'TZID')?.trim() ?? '', z);
  const ctx: WriteContext = { zones, mailboxZone, notes };
  const body: Record<string, unknown> = { title: value(comp, 'SUMMARY') ?? '' };
  const description = value(comp, 'DESCRIPTION');
  if (description !== undefined) body.body = { contentType: 'text', content: description };
  const priority = value(comp, 'PRIORITY');
  if (priority !== undefined) body.importance = importanceOf(Number(priority));
  const status = value(comp, 'STATUS')?.toUpperCase();
  if (status) {
    body.status = STATUS_TO[status] ?? 'notStarted';
    if (!STATUS_TO[status]) notes.push(`STATUS:${status} has no To Do status; written as not started`);
  }
  const times: Array<[string, string]> = [
    ['DTSTART', 'startDateTime'],
    ['DUE', 'dueDateTime'],
    ['COMPLETED', 'completedDateTime'],
  ];
  let due: number | undefined;
  for (const [name, field] of times) {
    const t = timeOf(comp, name);
    if (!t) continue;
    const w = writtenTime(t, ctx, name);
    body[field] = w.dt;
    if (name === 'DUE') due = w.wall;
  }
  const cats = childProperties(comp, 'CATEGORIES').flatMap((p) =>
    splitUnescaped(p.line.value, ',').map(unescapeText),
  );
  if (cats.length) body.categories = cats;
  const reminder = reminderOf(comp, ctx);
  body.isReminderOn = reminder !== undefined;
  if (reminder) body.reminderDateTime = { dateTime: graphWall(reminder.at), timeZone: 'UTC' };
  const rrule = value(comp, 'RRULE');
  if (rrule) {
    const day = Math.floor((due ?? Date.now()) / DAY_MS) * DAY_MS;
    const rec = rruleToGraph(rrule, day, mailboxZone, (u) => {
      const p = parseTimeValue(u);
      return p ? Math.floor(p.wallMs / DAY_MS) * DAY_MS : undefined;
    });
    if ('reason' in rec) notes.push(`${rec.reason}; the task was written without repeating`);
    else body.recurrence = rec;
  }
  for (const name of ['PERCENT-COMPLETE', 'CLASS', 'RELATED-TO', 'ATTENDEE', 'ORGANIZER'])
    if (childProperties(comp, name).length)
      notes.push(
        name === 'RELATED-TO'
          ? "RELATED-TO: To Do has no link between tasks (its steps are plain checklist lines); the task was written on its own and its parent is kept in Cutover's property"
          : `${name}: no To Do field; kept in Cutover's property, To Do does not show it`,
      );
  const uid = objO?.uid;
  const { lines, subs } = componentLines(orig, unfoldRaw);
  const keptAlarm =
    reminder && childComponents(orig, 'VALARM')[childComponents(comp, 'VALARM').indexOf(reminder.alarm)];
  const stash: Stash = {
    v: 1,
    ...(uid ? { uid } : {}),
    lines,
    subs: subs.filter((s) => !keptAlarm || s !== serialiseComponent(keptAlarm, '\r\n')),
    ...(keptAlarm ? { alarm: serialiseComponent(keptAlarm, '\r\n') } : {}),
  };
  const original = stashText(stash, notes);
  body.extensions = [
    {
      '@odata.type': '#microsoft.graph.openTypeExtension',
      extensionName: TASK_EXTENSION,
      ...(uid ? { uid } : {}),
      ...(original ? { original } : {}),
    },
  ];
  return { body, ...(uid ? { uid } : {}) };
}

const line = (name: string, v: string, params: Array<[string, string]> = []): ContentLine => ({
  name,
  params: params.map(([k, x]) => ({ name: k, values: [x] })),
  value: v,
});

/** A task's Cutover extension. */
export const taskExtension = (t: GraphTask) => t.extensions?.find((e) => e.extensionName === TASK_EXTENSION);

/** A todoTask → a VTODO resource (reconciled with Cutover's stash when it carries one). */
export function taskToVtodo(t: GraphTask, mailboxZone: string): { uid: string; data: string } {
  const ext = taskExtension(t);
  const stash = readStash(ext?.original);
  const uid = ext?.uid ?? stash?.uid ?? t.id;
  const frame = { zone: mailboxZone, allDay: false };
  const time = (name: string, v: GraphDateTime | null | undefined): ContentLine | undefined => {
    const at = v ? instantOf(v) : undefined;
    if (at === undefined) return undefined;
    const wall = utcToWall(at, mailboxZone);
    if (name !== 'COMPLETED' && wall % DAY_MS === 0)
      return line(name, formatTimeValue(wall, { dateOnly: true }), [['VALUE', 'DATE']]);
    return line(name, formatTimeValue(at, { utc: true }));
  };
  const fresh: ContentLine[] = [line('UID', uid)];
  if (t.lastModifiedDateTime)
    fresh.push(line('DTSTAMP', formatTimeValue(Date.parse(t.lastModifiedDateTime), { utc: true })));
  if (t.title) fresh.push(line('SUMMARY', escapeText(t.title)));
  if (t.body?.content) fresh.push(line('DESCRIPTION', escapeText(t.body.content.replace(/\r\n/g, '\n'))));
  for (const [name, v] of [
    ['DTSTART', t.startDateTime],
    ['DUE', t.dueDateTime],
    ['COMPLETED', t.completedDateTime],
  ] as const) {
    const l = time(name, v);
    if (l) fresh.push(l);
  }
  fresh.push(line('STATUS', STATUS_FROM[t.status ?? 'notStarted'] ?? 'NEEDS-ACTION'));
  fresh.push(line('PRIORITY', t.importance === 'high' ? '1' : t.importance === 'low' ? '9' : '5'));
  if (t.categories?.length) fresh.push(line('CATEGORIES', t.categories.map(escapeText).join(',')));
  const dueAt = t.dueDateTime ? instantOf(t.dueDateTime) : undefined;
  if (t.recurrence && dueAt !== undefined)
    fresh.push(
      line(
        'RRULE',
        graphToRrule(t.recurrence, (d) => formatTimeValue(d, { dateOnly: true })),
      ),
    );
  const lines = reconcile(fresh, stash?.lines ?? [], MAPPED, sameness(stash, frame, dueAt)).filter(
    (l) => !DEFAULTS.has(l.toUpperCase()) || (stash?.lines ?? []).includes(l),
  );
  let alarm = '';
  const remind = t.isReminderOn && t.reminderDateTime ? instantOf(t.reminderDateTime) : undefined;
  if (remind !== undefined) {
    const trigger = formatTimeValue(remind, { utc: true });
    alarm =
      stash?.alarm && stash.alarm.includes(trigger)
        ? stash.alarm
        : `BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nTRIGGER;VALUE=DATE-TIME:${trigger}\r\nEND:VALARM\r\n`;
  }
  const data = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Cutover//Microsoft 365//EN\r\nBEGIN:VTODO\r\n${linesText(lines)}${alarm}${(stash?.subs ?? []).join('')}END:VTODO\r\nEND:VCALENDAR\r\n`;
  return { uid, data };
}
