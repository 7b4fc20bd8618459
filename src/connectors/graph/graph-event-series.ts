/**
 * A calendar resource (one UID: a single event, or a series with its overridden and cancelled occurrences)
 * read from and written to Microsoft 365.
 *
 * Reading: the event; for a series master, its instances over the series' range (to two years from now for
 * a series without end): exceptions become overrides (RECURRENCE-ID = originalStart), and occurrences the
 * pattern gives that Graph no longer has were cancelled — EXDATEs.
 *
 * Writing: the master (POST, or PATCH with If-Match on the changeKey when replacing), then each override as
 * a PATCH of the occurrence it replaces and each EXDATE as a DELETE of its occurrence (found through
 * instances by originalStart). Which copy is Cutover's: the iCalendar UID is kept in Cutover's named
 * property (Graph assigns its own iCalUId on POST and offers no way to set it), and a new item is first
 * looked for by that property in the calendar, so a rerun, or a retry after a lost answer, updates its own
 * earlier copy instead of making a second; `transactionId` (a digest of calendar, UID and text) also lets
 * Graph drop a retried POST. Attendees are never sent to Graph (graph-event-write.ts: no invitations).
 */
import { createHash } from 'node:crypto';
import {
  childComponents,
  childProperties,
  parseDocument,
  serialiseComponent,
  type Component,
} from '../../formats/component-tree.js';
import { unfold } from '../../formats/content-lines.js';
import { calendarObjects, timeOf } from '../../formats/icalendar.js';
import { ianaTimeZones } from '../../formats/windows-zones.js';
import { throwIfAborted } from '../../errors.js';
import type { GraphClient } from './graph-client.js';
import { userPath } from './graph-config.js';
import { formatLine } from '../../formats/content-lines.js';
import { eventFresh, eventText, seriesTimeOf, type SeriesTime } from './graph-event-read.js';
import { EVENT_SELECT, type GraphEvent } from './graph-event-types.js';
import { GROUPWARE_PREFER, instantOf, utcToWall, wallToUtc } from './graph-event-times.js';
import {
  componentLines,
  eventBody,
  reminderText,
  writtenTime,
  type WriteContext,
} from './graph-event-write.js';
import { dayMs, occurrenceDays } from './graph-recurrence.js';
import { EXPAND_PROPS, extProp, GW_PROP, readStash, stashText, type Stash } from './graph-stash.js';

const DAY_MS = 86_400_000;
const YEAR_MS = 366 * DAY_MS;
const unfoldRaw = (raw: string) => unfold(raw).replace(/\r?\n$/, '');

/** Where a series' occurrences are looked for: its range, or up to two years ahead when it has no end. */
function seriesWindow(
  ev: GraphEvent,
  t: SeriesTime,
): { from: number; to: number; days: number[] } | undefined {
  const r = ev.recurrence;
  const start = ev.start ? instantOf(ev.start) : undefined;
  if (!r || start === undefined) return undefined;
  const horizon = Math.max(Date.now(), start) + 2 * YEAR_MS;
  const days = occurrenceDays(r, r.range.type === 'endDate' ? horizon + 100 * YEAR_MS : horizon);
  const timeOfDay = ((utcToWall(start, t.zone) % DAY_MS) + DAY_MS) % DAY_MS;
  const first = days[0] ?? dayMs(r.range.startDate);
  const last = days[days.length - 1] ?? first;
  return {
    from: wallToUtc(first, t.zone) - DAY_MS,
    to: wallToUtc(last + timeOfDay, t.zone) + 2 * DAY_MS,
    days: days.map((d) => (t.allDay ? wallToUtc(d, t.zone) : wallToUtc(d + timeOfDay, t.zone))),
  };
}

async function instances(
  client: GraphClient,
  id: string,
  from: number,
  to: number,
  signal?: AbortSignal,
): Promise<GraphEvent[]> {
  const q = `startDateTime=${new Date(from).toISOString()}&endDateTime=${new Date(to).toISOString()}&$select=${EVENT_SELECT}`;
  const out: GraphEvent[] = [];
  for await (const page of client.pages<GraphEvent>(
    `${userPath(client.target)}/events/${encodeURIComponent(id)}/instances?${q}`,
    signal,
    GROUPWARE_PREFER,
  ))
    out.push(...page);
  return out;
}

const originalAt = (ev: GraphEvent) => (ev.originalStart ? Date.parse(ev.originalStart) : undefined);

/** One event or series as iCalendar text (see the file header). */
export async function readEvent(
  client: GraphClient,
  id: string,
  signal?: AbortSignal,
): Promise<{ uid: string; etag: string; data: string } | undefined> {
  let ev: GraphEvent;
  try {
    ev = await client.json<GraphEvent>(
      'GET',
      `${userPath(client.target)}/events/${encodeURIComponent(id)}?$select=${EVENT_SELECT}&$expand=${EXPAND_PROPS}`,
      { prefer: GROUPWARE_PREFER, what: 'read event' },
      signal,
    );
  } catch (err) {
    if (err instanceof Error && /HTTP 404/.test(err.message)) return undefined;
    throw err;
  }
  const stash = readStash(extProp(ev, GW_PROP.stash));
  const uid = extProp(ev, GW_PROP.uid) ?? stash?.uid ?? ev.iCalUId ?? ev.id;
  const t = seriesTimeOf(ev);
  const win = ev.type === 'seriesMaster' ? seriesWindow(ev, t) : undefined;
  const overrides: string[] = [];
  let exdates: number[] = [];
  const inherit = eventFresh(ev, { uid }).map(formatLine);
  if (win) {
    const seen = new Map<number, GraphEvent>();
    for (const inst of await instances(client, ev.id, win.from, win.to, signal)) {
      const at = originalAt(inst);
      if (at !== undefined) seen.set(at, inst);
    }
    exdates = win.days.filter((d) => !seen.has(d));
    for (const inst of seen.values()) {
      if (inst.type !== 'exception') continue;
      const at = originalAt(inst)!;
      const own = Object.values(stash?.overrides ?? {}).find((s) => s.at === at);
      overrides.push(eventText(inst, { uid, series: t, inherit, ...(own ? { stash: own } : {}) }));
    }
  }
  const master = eventText(ev, { uid, ...(stash ? { stash } : {}), exdates });
  const cal = (stash?.cal ?? []).map((l) => `${l}\r\n`).join('');
  const data = `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Cutover//Microsoft 365//EN\r\n${cal}${(stash?.zones ?? []).join('')}${master}${overrides.join('')}END:VCALENDAR\r\n`;
  return { uid, etag: ev.changeKey ?? '', data };
}

/** The calendar-level lines of a text, without BEGIN/END/VERSION/PRODID/METHOD. */
function calendarLines(cal: Component | undefined): string[] {
  if (!cal) return [];
  return childProperties(cal)
    .filter((p) => !['VERSION', 'PRODID', 'METHOD'].includes(p.line.name))
    .map((p) => (p.raw !== undefined ? unfoldRaw(p.raw) : ''))
    .filter(Boolean);
}

function componentStash(comp: Component, at?: number): Stash {
  const { lines, subs } = componentLines(comp, unfoldRaw);
  const alarm = reminderText(comp);
  return {
    v: 1,
    lines,
    ...(subs.length ? { subs } : {}),
    ...(alarm ? { alarm } : {}),
    ...(at !== undefined ? { at } : {}),
  };
}

/** Write one calendar resource (see the file header); its key and etag, and what could not be kept in `notes`. */
export async function writeEvent(
  client: GraphClient,
  calendarId: string,
  data: string,
  replace: { key: string; etag: string } | undefined,
  mailboxZone: string,
  notes: string[],
  signal?: AbortSignal,
): Promise<{ key: string; etag: string }> {
  const renamed = ianaTimeZones(data);
  for (const z of renamed.left) notes.push(`TZID ${z.tzid}: ${z.reason}`);
  const docR = parseDocument(renamed.text);
  const docO = parseDocument(data);
  const objR = calendarObjects(docR).find((o) => o.type === 'VEVENT');
  const objO = calendarObjects(docO).find((o) => o.type === 'VEVENT');
  if (!objR || !objO) throw new Error('no VEVENT in the calendar resource');
  const calR = childComponents(docR.nodes, 'VCALENDAR')[0];
  const calO = childComponents(docO.nodes, 'VCALENDAR')[0];
  const zones = new Map<string, Component>();
  for (const z of calR ? childComponents(calR, 'VTIMEZONE') : []) {
    const id = childProperties(z, 'TZID')[0]?.line.value.trim();
    if (id) zones.set(id, z);
  }
  const ctx: WriteContext = { zones, mailboxZone, notes };
  const masterR = objR.master ?? objR.overrides[0]!;
  const masterO = objO.master ?? objO.overrides[0]!;
  if (!objR.master)
    notes.push('only overridden instances and no series: the first was written as a single event');
  const { body, start, exdates } = eventBody(masterR, ctx, objR.master !== undefined);
  const uid = objO.uid;
  const stash: Stash = {
    ...componentStash(masterO),
    ...(uid ? { uid } : {}),
    cal: calendarLines(calO),
    zones: calO ? childComponents(calO, 'VTIMEZONE').map((z) => serialiseComponent(z, '\r\n')) : [],
  };
  if (notes.some((n) => n.includes('floating time'))) stash.floatingZone = mailboxZone;
  const ovR = objR.master ? objR.overrides : [];
  const ovO = objR.master ? objO.overrides : [];
  const overrides: Array<{ at: number; comp: Component }> = [];
  stash.overrides = {};
  ovR.forEach((ov, i) => {
    const rid = timeOf(ov, 'RECURRENCE-ID');
    if (!rid) return;
    const at = writtenTime(rid, ctx, 'RECURRENCE-ID').instant;
    overrides.push({ at, comp: ov });
    const orig = ovO[i];
    if (orig) stash.overrides![String(at)] = componentStash(orig, at);
  });
  const ext = [
    ...(uid ? [{ id: GW_PROP.uid, value: uid }] : []),
    ...((s) => (s ? [{ id: GW_PROP.stash, value: s }] : []))(stashText(stash, notes)),
  ];
  body.singleValueExtendedProperties = ext;
  const base = userPath(client.target);
  const own = replace
    ? undefined
    : uid
      ? await findByUid(client, `${base}/${calendarId}/events`, uid, signal)
      : undefined;
  let id: string;
  if (replace || own) {
    const target = replace ?? own!;
    const made = await client.json<GraphEvent>(
      'PATCH',
      `${base}/events/${encodeURIComponent(target.key)}`,
      {
        body,
        what: `update event ${uid ?? ''}`.trim(),
        ...(replace?.etag ? { ifMatch: `W/"${replace.etag}"` } : {}),
      },
      signal,
    );
    id = made.id ?? target.key;
  } else {
    body.transactionId = createHash('sha256')
      .update(`${calendarId}\n${uid ?? ''}\n${data}`)
      .digest('hex')
      .slice(0, 36);
    const made = await client.json<GraphEvent>(
      'POST',
      `${base}/${calendarId}/events`,
      { body, what: `create event ${uid ?? ''}`.trim() },
      signal,
    );
    id = made.id;
  }
  if (!body.recurrence && overrides.length)
    notes.push(
      `${overrides.length} overridden instance(s) (RECURRENCE-ID) of an event without a series: Microsoft 365 has no occurrence to override; not written (kept in Cutover's property)`,
    );
  if (body.recurrence && start && (overrides.length || exdates.length)) {
    const ats = [...overrides.map((o) => o.at), ...exdates];
    const found = await instances(client, id, Math.min(...ats) - DAY_MS, Math.max(...ats) + DAY_MS, signal);
    const byAt = new Map(found.filter((f) => originalAt(f) !== undefined).map((f) => [originalAt(f)!, f]));
    for (const x of exdates) {
      throwIfAborted(signal);
      const inst = byAt.get(x);
      if (inst)
        await client.json(
          'DELETE',
          `${base}/events/${encodeURIComponent(inst.id)}`,
          { what: 'cancel an occurrence (EXDATE)' },
          signal,
        );
    }
    for (const o of overrides) {
      const inst = byAt.get(o.at);
      if (!inst) {
        notes.push(
          `RECURRENCE-ID ${new Date(o.at).toISOString()}: no occurrence of the series in Microsoft 365 falls there; this override was not written`,
        );
        continue;
      }
      const { body: ovBody } = eventBody(o.comp, { ...ctx, notes: [] }, false);
      await client.json(
        'PATCH',
        `${base}/events/${encodeURIComponent(inst.id)}`,
        { body: ovBody, what: 'override an occurrence' },
        signal,
      );
    }
  }
  const now = await client.json<GraphEvent>(
    'GET',
    `${base}/events/${encodeURIComponent(id)}?$select=id,changeKey`,
    { what: 'read event' },
    signal,
  );
  return { key: now.id, etag: now.changeKey ?? '' };
}

/** An item of a collection carrying Cutover's UID property with this value (Cutover's own earlier copy). */
export async function findByUid(
  client: GraphClient,
  collectionPath: string,
  uid: string,
  signal?: AbortSignal,
): Promise<{ key: string; etag: string } | undefined> {
  const filter = `singleValueExtendedProperties/Any(ep: ep/id eq '${GW_PROP.uid}' and ep/value eq '${uid.replace(/'/g, "''")}')`;
  const page = await client.json<{ value: Array<{ id: string; changeKey?: string }> }>(
    'GET',
    `${collectionPath}?$filter=${encodeURIComponent(filter)}&$select=id,changeKey`,
    { what: 'look for an earlier copy by UID' },
    signal,
  );
  const hit = page.value[0];
  return hit ? { key: hit.id, etag: hit.changeKey ?? '' } : undefined;
}
