/**
 * The item-type choice of a project or a mailbox. Mail and filters (Sieve scripts, inbox rules, the vacation
 * reply, signatures) can be moved today: contacts, calendars and tasks are shown, disabled, with the reason,
 * so nobody ticks a box that does nothing.
 */
import type { Project } from '../project-context.js';

/** An item type as the API names it. */
export type ItemType = Project['defaults']['itemTypes'][number];

/** Every item type, in the order shown. */
export const ITEM_TYPES: ItemType[] = ['mail', 'contacts', 'calendars', 'tasks', 'filters'];

/** Why a type cannot be chosen yet (absent: it can). */
export const NOT_YET: Partial<Record<ItemType, string>> = {
  contacts: 'not moved yet: Cutover copies mail only; export contacts (vCard) from the old system',
  calendars: 'not moved yet: Cutover copies mail only; export calendars (iCalendar) from the old system',
  tasks: 'not moved yet: Cutover copies mail and filters only',
};

/** Checkboxes for the item types; `name` tells them apart in a form with more than one such choice. */
export function ItemTypeChoices({
  value,
  onChange,
  name,
}: {
  value: ItemType[];
  onChange: (v: ItemType[]) => void;
  name: string;
}) {
  return (
    <div className="item-types">
      {ITEM_TYPES.map((t) => {
        const why = NOT_YET[t];
        const id = `${name}-${t}`;
        return (
          <label key={t} className={why ? 'inline disabled' : 'inline'} title={why}>
            <input
              type="checkbox"
              name={id}
              checked={!why && value.includes(t)}
              disabled={Boolean(why)}
              aria-describedby={why ? `${id}-why` : undefined}
              onChange={(e) => onChange(e.target.checked ? [...value, t] : value.filter((x) => x !== t))}
            />
            {t}
            {why && (
              <span id={`${id}-why`} className="why">
                {' '}
                ({why})
              </span>
            )}
          </label>
        );
      })}
    </div>
  );
}
