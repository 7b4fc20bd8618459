/**
 * The project the pages show: chosen in the top bar, remembered in this browser (localStorage), and the list
 * of projects to choose from.
 */
import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from 'react';
import { api } from './api/api.js';
import type { ResponseOf } from './api/client.js';
import { problemOf, type Problem } from './api/use-api.js';
import { Link } from './router.js';

/** A project as the API shows it. */
export type Project = ResponseOf<'GET /api/projects/{id}'>;

interface ProjectState {
  projects: Project[];
  current: Project | undefined;
  loading: boolean;
  error: Problem | undefined;
  select: (id: number) => void;
  reload: () => void;
}

const KEY = 'cutover.project';
const Ctx = createContext<ProjectState>({
  projects: [],
  current: undefined,
  loading: true,
  error: undefined,
  select: () => undefined,
  reload: () => undefined,
});

/** Loads the projects once per reload(); children read them with useProjects(). */
export function ProjectProvider({ children }: { children: ReactNode }) {
  const [projects, setProjects] = useState<Project[]>([]);
  const [chosen, setChosen] = useState<number | undefined>(
    () => Number(localStorage.getItem(KEY)) || undefined,
  );
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<Problem>();
  const [tick, setTick] = useState(0);

  useEffect(() => {
    api('GET /api/projects', { query: { limit: 500 } }).then(
      (page) => {
        setProjects(page.items);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        setError(problemOf(err));
        setLoading(false);
      },
    );
  }, [tick]);

  const select = useCallback((id: number) => {
    localStorage.setItem(KEY, String(id));
    setChosen(id);
  }, []);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const current = projects.find((p) => p.id === chosen) ?? projects[0];
  return (
    <Ctx.Provider value={{ projects, current, loading, error, select, reload }}>{children}</Ctx.Provider>
  );
}

/** The projects and the one chosen. */
export function useProjects(): ProjectState {
  return useContext(Ctx);
}

/** The project selector of the top bar. */
export function ProjectPicker() {
  const { projects, current, select } = useProjects();
  if (projects.length === 0) return null;
  return (
    <label className="picker">
      <span className="sr-only">Project</span>
      <select aria-label="Project" value={current?.id ?? ''} onChange={(e) => select(Number(e.target.value))}>
        {projects.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** What a project page shows while there is no project: its title and the way to create one. */
export function NoProject({ title }: { title: string }) {
  return (
    <section>
      <h1>{title}</h1>
      <p>
        No project yet. <Link to="/projects/new">Create one</Link> first.
      </p>
    </section>
  );
}
