/**
 * The item-type choice of a project or a mailbox: mail, filters (Sieve scripts, inbox rules, the vacation
 * reply, signatures), contacts, calendars and tasks. A type a side cannot carry (contacts on an IMAP server
 * with no CalDAV/CardDAV server beside it) is reported by the pass with what to set. A type that could not be
 * moved at all would be listed in NOT_YET, shown disabled with the reason.
 */
import type { Project } from '../project-context.js';

/** An item type as the API names it. */
export type ItemType = Project['defaults']['itemTypes'][number];

/** Every item type, in the order shown. */
export const ITEM_TYPES: ItemType[] = ['mail', 'contacts', 'calendars', 'tasks', 'filters'];

/** Why a type cannot be chosen yet (absent: it can): every type can be moved now. */
export const NOT_YET: Partial<Record<ItemType, string>> = {};

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
