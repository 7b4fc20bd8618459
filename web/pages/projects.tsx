/** Projects: the list, and a link to create one. Each project opens its settings page. */
import { Link } from '../router.js';
import { useProjects, type Project } from '../project-context.js';
import { ProblemNote } from '../components/problem-note.js';

/** A side in a few words: "IMAP mail.example.org:993", "Microsoft 365 (contoso.onmicrosoft.com)". */
function describe(s: Project['source']): string {
  if (s.kind === 'graph') return `Microsoft 365 (${s.graph?.tenantId ?? 'no tenant'})`;
  if (s.kind === 'gmail') return `Google Workspace${s.admin ? ` (${s.admin.user})` : ''}`;
  return `${s.kind.toUpperCase()} ${s.host}:${s.port}`;
}

/** The list of projects. */
export function ProjectsPage() {
  const { projects, current, select, error, loading } = useProjects();
  return (
    <section>
      <h1>Projects</h1>
      <p className="muted">
        A project is one move: the system mail leaves (source), the one it goes to (destination), and the
        mailboxes that move. Every setting can be changed at any time.
      </p>
      <div className="toolbar">
        <Link to="/projects/new" className="button primary">
          New project
        </Link>
      </div>
      <ProblemNote problem={error} />
      {!loading && projects.length === 0 && !error && <p>No project yet. Create one to start.</p>}
      {projects.length > 0 && (
        <table className="grid">
          <thead>
            <tr>
              <th>Name</th>
              <th>Source</th>
              <th>Destination</th>
              <th className="num">Mailboxes</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {projects.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link to={`/projects/${p.id}`}>{p.name}</Link>
                </td>
                <td>{describe(p.source)}</td>
                <td>{describe(p.destination)}</td>
                <td className="num">{p.mailboxCount.toLocaleString('en')}</td>
                <td>
                  {current?.id === p.id ? (
                    <span className="pill tone-busy" title="The other pages show this project">
                      current project
                    </span>
                  ) : (
                    <button type="button" className="link" onClick={() => select(p.id)}>
                      Make current
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
