/** What a project moves by default: item types, a date range, a size cap and which folders (in and out). */
import type { BodyOf } from '../api/client.js';
import type { Project } from '../project-context.js';
import { ItemTypeChoices, type ItemType } from './item-types.js';

type DefaultsIn = NonNullable<BodyOf<'POST /api/projects'>['defaults']>;
const MB = 1024 * 1024;

/** The fields as the form holds them. */
export interface MoveForm {
  itemTypes: ItemType[];
  since: string;
  before: string;
  /** MB; empty: no cap beyond the destination's. */
  maxMessageMB: string;
  /** One folder a line. */
  includeFolders: string;
  excludeFolders: string;
}

/** The form of stored defaults (or of a new project). */
export function moveForm(d: Project['defaults'] | undefined): MoveForm {
  return {
    itemTypes: d?.itemTypes ?? ['mail'],
    since: d?.since ?? '',
    before: d?.before ?? '',
    maxMessageMB: d?.maxMessageBytes ? String(Math.round((d.maxMessageBytes / MB) * 100) / 100) : '',
    includeFolders: (d?.includeFolders ?? []).join('\n'),
    excludeFolders: (d?.excludeFolders ?? []).join('\n'),
  };
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** The API's shape: every field sent, so a save never drops one the form did not show. */
export function moveIn(f: MoveForm): DefaultsIn {
  return {
    itemTypes: f.itemTypes,
    since: f.since || null,
    before: f.before || null,
    maxMessageBytes: Number(f.maxMessageMB) > 0 ? Math.round(Number(f.maxMessageMB) * MB) : null,
    includeFolders: lines(f.includeFolders),
    excludeFolders: lines(f.excludeFolders),
  };
}

/** The fieldset's content. */
export function MoveFields({ value: f, onChange }: { value: MoveForm; onChange: (v: MoveForm) => void }) {
  const set = (patch: Partial<MoveForm>) => onChange({ ...f, ...patch });
  return (
    <>
      <ItemTypeChoices name="itemTypes" value={f.itemTypes} onChange={(itemTypes) => set({ itemTypes })} />
      <div className="form-grid">
        <label>
          Only items since (empty: all)
          <input type="date" name="since" value={f.since} onChange={(e) => set({ since: e.target.value })} />
        </label>
        <label>
          Only items before (empty: all)
          <input
            type="date"
            name="before"
            value={f.before}
            onChange={(e) => set({ before: e.target.value })}
          />
        </label>
        <label>
          Largest message to copy, MB (empty: what the destination takes)
          <input
            name="maxMessageMB"
            inputMode="decimal"
            value={f.maxMessageMB}
            onChange={(e) => set({ maxMessageMB: e.target.value })}
          />
        </label>
        <label>
          Only these folders, one a line (empty: all)
          <textarea
            name="includeFolders"
            rows={2}
            value={f.includeFolders}
            onChange={(e) => set({ includeFolders: e.target.value })}
          />
        </label>
        <label>
          Leave out these folders, one a line
          <textarea
            name="excludeFolders"
            rows={2}
            value={f.excludeFolders}
            onChange={(e) => set({ excludeFolders: e.target.value })}
          />
        </label>
      </div>
    </>
  );
}
