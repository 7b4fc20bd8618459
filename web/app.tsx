/** The UI shell: session check, log in, the navigation and the page for the current path. */
import { useEffect, useState } from 'react';
import { api, setCsrfToken, whenSignedOut } from './api/api.js';
import { Link, navigate, useLocation } from './router.js';
import { LoginPage } from './pages/login.js';
import { routeFor, NAV } from './routes.js';
import { ProjectPicker, ProjectProvider } from './project-context.js';

/** The whole application. */
export function App() {
  const [user, setUser] = useState<string | null | undefined>(undefined);
  const { path } = useLocation();

  useEffect(() => {
    whenSignedOut(() => setUser(null));
    api('GET /api/session').then(
      (s) => {
        setCsrfToken(s.csrfToken);
        setUser(s.user);
      },
      () => setUser(null),
    );
  }, []);

  if (user === undefined) return <p className="loading-page">Loading…</p>;
  if (user === null) return <LoginPage onSignedIn={setUser} />;

  const logout = async () => {
    await api('POST /api/logout').catch(() => undefined);
    setCsrfToken(undefined);
    setUser(null);
    navigate('/');
  };

  return (
    <ProjectProvider>
      <div className="shell">
        <header className="top">
          <span className="brand">Cutover</span>
          <nav>
            {NAV.map((n) => (
              <Link
                key={n.to}
                to={n.to}
                className={path === n.to || (n.to !== '/' && path.startsWith(n.to)) ? 'here' : ''}
              >
                {n.label}
              </Link>
            ))}
          </nav>
          <ProjectPicker />
          <span className="who">
            {user}{' '}
            <button type="button" className="link" onClick={() => void logout()}>
              Log out
            </button>
          </span>
        </header>
        <main className="page">{routeFor(path)}</main>
      </div>
    </ProjectProvider>
  );
}
