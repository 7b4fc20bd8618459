/** Alerts: what needs a person, by state, with the actions on each. */
import { useState } from 'react';
import { AlertList } from './alert-list.js';
import { NoProject, useProjects } from '../project-context.js';

const TABS = [
  ['active', 'Active'],
  ['completed', 'Completed'],
  ['archived', 'Archived'],
  ['all', 'All'],
] as const;

/** The alerts page. */
export function AlertsPage() {
  const [tab, setTab] = useState<(typeof TABS)[number][0]>('active');
  const { current } = useProjects();
  if (!current) return <NoProject title="Alerts" />;
  return (
    <section>
      <h1>Alerts – {current.name}</h1>
      <p className="muted">
        A critical alert holds its mailbox until it is resolved; an advisory one only informs. Mark an alert
        completed when you fixed the cause, or archive it to ignore it; auto-archive ignores a type for good
        in this project. Undo takes back the last of these actions.
      </p>
      <div className="tabs" role="tablist">
        {TABS.map(([value, label]) => (
          <button
            key={value}
            type="button"
            role="tab"
            aria-selected={tab === value}
            onClick={() => setTab(value)}
          >
            {label}
          </button>
        ))}
      </div>
      <AlertList projectId={current.id} status={tab} key={tab} alwaysUndo />
    </section>
  );
}
