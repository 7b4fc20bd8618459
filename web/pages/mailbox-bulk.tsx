/** Bulk actions on mailboxes: on the ones ticked, or on every mailbox the current filter matches. */
import { useState } from 'react';
import { api } from '../api/api.js';
import type { BodyOf } from '../api/client.js';
import { useAction } from '../api/use-api.js';
import { ProblemNote } from '../components/problem-note.js';

type Action = BodyOf<'POST /api/projects/{id}/mailboxes/bulk'>['action'];
/** The table's filter, as the bulk route takes it. */
export type Filter = NonNullable<BodyOf<'POST /api/projects/{id}/mailboxes/bulk'>['filter']>;

const ACTIONS: Array<[Action, string]> = [
  ['start', 'Start'],
  ['pause', 'Pause'],
  ['retry-failed', 'Retry failed'],
  ['star', 'Star'],
  ['unstar', 'Unstar'],
];

/** The bar above the table; `onDone` after an action went through. */
export function BulkBar(props: {
  projectId: number;
  selected: number[];
  filter: Filter;
  total: number;
  onDone: () => void;
}) {
  const { selected, filter, total } = props;
  const [scope, setScope] = useState<'selected' | 'filter'>('selected');
  const action = useAction();
  const [result, setResult] = useState<string>();
  const useSelection = scope === 'selected' && selected.length > 0;
  const n = useSelection ? selected.length : total;

  const run = async (a: Action, label: string) => {
    setResult(undefined);
    const body: BodyOf<'POST /api/projects/{id}/mailboxes/bulk'> = useSelection
      ? { action: a, ids: selected }
      : { action: a, filter };
    const r = await action.run(() =>
      api('POST /api/projects/{id}/mailboxes/bulk', { path: { id: props.projectId }, body }),
    );
    if (r) {
      setResult(`${label}: ${r.affected.toLocaleString('en')} mailbox${r.affected === 1 ? '' : 'es'}.`);
      props.onDone();
    }
  };

  return (
    <div className="bulk">
      <span>
        {selected.length > 0 ? (
          <>
            <label className="inline">
              <input
                type="radio"
                name="scope"
                checked={scope === 'selected'}
                onChange={() => setScope('selected')}
              />
              {selected.length} ticked
            </label>
            <label className="inline">
              <input
                type="radio"
                name="scope"
                checked={scope === 'filter'}
                onChange={() => setScope('filter')}
              />
              all {total.toLocaleString('en')} matching
            </label>
          </>
        ) : (
          <>
            {total === 1 ? 'The 1 matching mailbox' : `All ${total.toLocaleString('en')} matching mailboxes`}{' '}
            (tick rows to act on fewer):
          </>
        )}
      </span>
      {ACTIONS.map(([a, label]) => (
        <button key={a} type="button" disabled={action.busy || n === 0} onClick={() => void run(a, label)}>
          {label}
        </button>
      ))}
      {result && <span className="notice">{result}</span>}
      <ProblemNote problem={action.error} onDismiss={action.clear} />
    </div>
  );
}
