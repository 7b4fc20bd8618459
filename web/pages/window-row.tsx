/** One throttling window in the table: weekdays, from, to (24-hour), mailboxes at once, remove. */
import type { ResponseOf } from '../api/client.js';

/** A window as the schedule API gives it. */
export type Window = ResponseOf<'GET /api/projects/{id}/schedule'>['windows'][number];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The row of window `index` (numbered from 1 in labels, for screen readers and tests). */
export function WindowRow(props: {
  index: number;
  value: Window;
  onChange: (w: Window) => void;
  onRemove: () => void;
}) {
  const { value: w, onChange } = props;
  const n = props.index + 1;
  const toggleDay = (d: number) =>
    onChange({
      ...w,
      days: w.days.includes(d) ? w.days.filter((x) => x !== d) : [...w.days, d].sort((a, b) => a - b),
    });
  return (
    <tr data-window={n}>
      <td>
        {DAYS.map((name, d) => (
          <label key={d} className="inline day">
            <input
              type="checkbox"
              checked={w.days.includes(d)}
              onChange={() => toggleDay(d)}
              aria-label={`${name} (window ${n})`}
            />
            {name}
          </label>
        ))}
      </td>
      <td>
        <input
          type="text"
          size={6}
          placeholder="HH:MM"
          aria-label={`From (window ${n})`}
          value={w.from}
          onChange={(e) => onChange({ ...w, from: e.target.value })}
        />
      </td>
      <td>
        <input
          type="text"
          size={6}
          placeholder="HH:MM"
          aria-label={`To (window ${n})`}
          value={w.to}
          onChange={(e) => onChange({ ...w, to: e.target.value })}
        />
      </td>
      <td>
        <input
          type="number"
          min={0}
          aria-label={`Mailboxes at once (window ${n})`}
          value={w.concurrency}
          onChange={(e) => onChange({ ...w, concurrency: Number(e.target.value) })}
        />
        {w.concurrency === 0 && <span className="muted"> paused</span>}
      </td>
      <td>
        <button type="button" className="danger" onClick={props.onRemove}>
          Remove
        </button>
      </td>
    </tr>
  );
}
