/**
 * One VTODO ↔ one Tasks API task. Google Tasks holds little: title ↔ SUMMARY, notes ↔ DESCRIPTION, due ↔
 * DUE as a date only (the API discards the time of day), status completed/needsAction ↔ STATUS COMPLETED or
 * anything else, completed ↔ COMPLETED, parent ↔ RELATED-TO (RELTYPE=PARENT, the default). A task has no
 * UID and no hidden storage, so a task read from Google takes its Google id as UID, and what Google cannot
 * hold (DTSTART, PRIORITY, PERCENT-COMPLETE, CATEGORIES, CLASS, alarms, the UID itself, the time of DUE) is
 * named by `tasksNotKept` for the report instead of being kept.
 */
import { escapeText, unescapeText } from '../../formats/text-values.js';
import {
  childComponents,
  childProperties,
  parseDocument,
  type Component,
} from '../../formats/component-tree.js';
import { fold, paramValue } from '../../formats/content-lines.js';
import { formatTimeValue, timesOf } from '../../formats/ical-time.js';

/** The parts of a Tasks API task Cutover reads and writes. */
export interface GoogleTask {
  id?: string;
  etag?: string;
  title?: string;
  notes?: string;
  status?: 'needsAction' | 'completed';
  due?: string;
  completed?: string;
  parent?: string;
  deleted?: boolean;
  hidden?: boolean;
  updated?: string;
}

/** A VTODO written for Google: the task, and the UID of its parent (resolved by the caller). */
export interface TaskWrite {
  uid?: string;
  task: GoogleTask;
  parentUid?: string;
}

/** Properties Google Tasks has fields for (the rest is not kept). */
const MAPPED = new Set(['SUMMARY', 'DESCRIPTION', 'DUE', 'STATUS', 'COMPLETED', 'RELATED-TO']);
const VOLATILE = new Set(['DTSTAMP', 'CREATED', 'LAST-MODIFIED', 'SEQUENCE']);

function todoOf(ics: string): Component | undefined {
  const cal = childComponents(parseDocument(ics).nodes, 'VCALENDAR')[0];
  return cal ? childComponents(cal, 'VTODO')[0] : undefined;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** A VTODO as a task. */
export function taskOf(ics: string): TaskWrite | undefined {
  const todo = todoOf(ics);
  if (!todo) return undefined;
  const task: GoogleTask = { status: 'needsAction' };
  const out: TaskWrite = { task };
  for (const p of childProperties(todo)) {
    const line = p.line;
    switch (line.name) {
      case 'UID':
        out.uid = line.value.trim();
        break;
      case 'SUMMARY':
        task.title = unescapeText(line.value);
        break;
      case 'DESCRIPTION':
        task.notes = unescapeText(line.value);
        break;
      case 'DUE': {
        const t = timesOf(line)[0];
        // Google records the date only: the date as the item's own calendar shows it.
        if (t) task.due = `${iso(t.wallMs).slice(0, 10)}T00:00:00.000Z`;
        break;
      }
      case 'STATUS':
        if (line.value.trim().toUpperCase() === 'COMPLETED') task.status = 'completed';
        break;
      case 'COMPLETED': {
        const t = timesOf(line)[0];
        if (t) task.completed = iso(t.wallMs);
        break;
      }
      case 'RELATED-TO':
        if ((paramValue(line, 'RELTYPE') ?? 'PARENT').toUpperCase() === 'PARENT')
          out.parentUid = line.value.trim();
        break;
    }
  }
  if (task.status !== 'completed') delete task.completed;
  return out;
}

/** What of a VTODO Google Tasks cannot keep, in words for the report (empty when everything fits). */
export function tasksNotKept(ics: string): string[] {
  const todo = todoOf(ics);
  if (!todo) return [];
  const out = new Set<string>(['UID (Google Tasks gives its own id)']);
  for (const p of childProperties(todo)) {
    const name = p.line.name;
    if (name === 'UID' || VOLATILE.has(name)) continue;
    if (!MAPPED.has(name)) out.add(name);
    else if (name === 'DUE' && timesOf(p.line)[0]?.kind !== 'date') out.add('DUE time of day');
    else if (name === 'STATUS' && !/^(COMPLETED|NEEDS-ACTION)$/i.test(p.line.value.trim()))
      out.add(`STATUS ${p.line.value.trim()}`);
  }
  for (const c of childComponents(todo)) out.add(c.name);
  return [...out];
}

/** A task as an iCalendar VTODO (UID = the task's Google id). */
export function todoText(t: GoogleTask): string {
  const lines = [`UID:${t.id ?? ''}`];
  if (t.updated) lines.push(`DTSTAMP:${formatTimeValue(Date.parse(t.updated), { utc: true })}`);
  if (t.title) lines.push(`SUMMARY:${escapeText(t.title)}`);
  if (t.notes) lines.push(`DESCRIPTION:${escapeText(t.notes)}`);
  if (t.due) lines.push(`DUE;VALUE=DATE:${t.due.slice(0, 10).replace(/-/g, '')}`);
  lines.push(`STATUS:${t.status === 'completed' ? 'COMPLETED' : 'NEEDS-ACTION'}`);
  if (t.status === 'completed' && t.completed)
    lines.push(`COMPLETED:${formatTimeValue(Date.parse(t.completed), { utc: true })}`);
  if (t.parent) lines.push(`RELATED-TO;RELTYPE=PARENT:${t.parent}`);
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Cutover//Google Tasks//EN',
    'BEGIN:VTODO',
    ...lines.map((l) => fold(l)),
    'END:VTODO',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}
