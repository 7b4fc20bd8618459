/**
 * LOCAL EMULATOR of Microsoft Graph (test code, not the real service): how contacts, calendars, events,
 * occurrences and tasks look in Graph's answers (times in UTC when asked, extended properties only when
 * expanded, open extensions only when expanded), the one `$filter` on extended properties Cutover sends,
 * If-Match against a change key, and what Graph refuses of an event body (emulator-groupware.ts says which).
 */
import { fail, type EmRequest, type EmResponse } from './emulator-http.js';
import { spanOf, type EmEvent, type Json } from './emulator-groupware-store.js';

const PATTERNS = [
  'daily',
  'weekly',
  'absoluteMonthly',
  'relativeMonthly',
  'absoluteYearly',
  'relativeYearly',
];
const RANGES = ['endDate', 'noEnd', 'numbered'];

export function stale(req: EmRequest, changeKey: string): boolean {
  const m = req.headers['if-match'];
  return m !== undefined && m !== '*' && m.replace(/^W\//, '').replace(/"/g, '') !== changeKey;
}
export const conflict = () =>
  fail(
    412,
    'ErrorIrresolvableConflict',
    'The send or update operation could not be performed because the change key passed in the request does not match the current change key for the item.',
  );

/** `singleValueExtendedProperties/Any(ep: ep/id eq '…' and ep/value eq '…')`, the one $filter Cutover sends here. */
export function matchesFilter(json: Json, filter: string | null): boolean {
  if (!filter) return true;
  const m =
    /^singleValueExtendedProperties\/Any\(ep: ep\/id eq '((?:[^']|'')*)' and ep\/value eq '((?:[^']|'')*)'\)$/.exec(
      filter,
    );
  if (!m) throw new Error(`$filter not emulated: ${filter}`);
  const [id, value] = [m[1]!.replace(/''/g, "'"), m[2]!.replace(/''/g, "'")];
  const props =
    (json.singleValueExtendedProperties as Array<{ id: string; value: string }> | undefined) ?? [];
  return props.some((p) => p.id.toLowerCase() === id.toLowerCase() && p.value === value);
}

/** Extended properties only when `$expand`ed, and only those asked for (as Graph does). */
export function withExt(json: Json, q: URLSearchParams): Json {
  const { singleValueExtendedProperties: props, ...rest } = json;
  const expand = q.get('$expand') ?? '';
  if (!/singleValueExtendedProperties/i.test(expand) || !Array.isArray(props)) return rest;
  const ids = [...expand.matchAll(/id eq '([^']+)'/gi)].map((x) => x[1]!.toLowerCase());
  const kept = (props as Array<{ id: string }>).filter((p) => ids.includes(p.id.toLowerCase()));
  return kept.length ? { ...rest, singleValueExtendedProperties: kept } : rest;
}

export function utcTimes(json: Json, req: EmRequest): Json {
  const out: Json = {
    ...json,
    originalStartTimeZone: (json.start as { timeZone?: string } | undefined)?.timeZone,
    originalEndTimeZone: (json.end as { timeZone?: string } | undefined)?.timeZone,
  };
  if (!/outlook\.timezone="UTC"/i.test(req.headers['prefer'] ?? '')) return out;
  const { start, end } = spanOf(json);
  const utc = (ms: number) => ({
    dateTime: `${new Date(ms).toISOString().slice(0, 19)}.0000000`,
    timeZone: 'UTC',
  });
  if (json.start) out.start = utc(start);
  if (json.end) out.end = utc(end);
  return out;
}

export function eventJson(e: EmEvent, req: EmRequest, q: URLSearchParams): Json {
  return withExt(
    utcTimes(
      {
        ...e.json,
        id: e.id,
        changeKey: e.changeKey,
        '@odata.etag': `W/"${e.changeKey}"`,
        type: e.type,
        isOrganizer: e.isOrganizer,
        seriesMasterId: e.seriesMasterId ?? null,
        originalStart: e.originalStart !== undefined ? new Date(e.originalStart).toISOString() : null,
      },
      req,
    ),
    q,
  );
}

export function occurrenceJson(
  master: EmEvent,
  o: { id: string; at: number; json: Json; type: string; changeKey: string },
  req: EmRequest,
): Json {
  const { singleValueExtendedProperties: _s, ...json } = o.json;
  return utcTimes(
    {
      ...json,
      id: o.id,
      changeKey: o.changeKey,
      type: o.type,
      seriesMasterId: master.id,
      originalStart: new Date(o.at).toISOString(),
      isOrganizer: master.isOrganizer,
    },
    req,
  );
}

export function calendarJson(c: {
  id: string;
  name: string;
  color: string;
  isDefaultCalendar: boolean;
  canEdit: boolean;
  owner: { name: string; address: string };
}): Json {
  return { ...c, hexColor: '', changeKey: 'c' };
}

export function taskJson(
  t: { id: string; etag: string; json: Json; extensions: Json[] },
  q: URLSearchParams,
): Json {
  return {
    ...t.json,
    id: t.id,
    '@odata.etag': t.etag,
    ...(/extensions/i.test(q.get('$expand') ?? '') ? { extensions: t.extensions } : {}),
  };
}

/** What Graph refuses of an event body (see the file header); `create` also needs start and end. */
export function eventRefusal(b: Json, create: boolean): EmResponse | undefined {
  if (create && (!b.start || !b.end))
    return fail(
      400,
      'ErrorInvalidRequest',
      'An event needs a start and an end (start, end: dateTimeTimeZone).',
    );
  if (b.start && b.end) {
    const { start, end } = spanOf(b);
    if (end < start)
      return fail(400, 'ErrorInvalidRequest', 'The end time of the event is before its start time.');
  }
  const r = b.recurrence as { pattern?: { type?: string }; range?: { type?: string } } | null | undefined;
  if (r && (!PATTERNS.includes(r.pattern?.type ?? '') || !RANGES.includes(r.range?.type ?? '')))
    return fail(
      400,
      'ErrorInvalidRequest',
      `The recurrence pattern '${r.pattern?.type}' or range '${r.range?.type}' is not valid.`,
    );
  return undefined;
}
