/**
 * Log in, or on first run create the admin operator: the page asks the server (GET /api/setup) and a fresh
 * install opens straight on the set-up form. A server that listens beyond its own machine prints a one-time
 * link, /setup?token=…: opened, it sends the token with the new account; without it the form says where the
 * link is.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { api, setCsrfToken } from '../api/api.js';
import { ApiFailure } from '../api/client.js';
import { useAction } from '../api/use-api.js';
import { ProblemNote } from '../components/problem-note.js';
import { navigate, useLocation } from '../router.js';

/** The sign-in page; `onSignedIn` gets the operator's name. */
export function LoginPage({ onSignedIn }: { onSignedIn: (user: string) => void }) {
  const { path, query } = useLocation();
  const setupToken = path === '/setup' ? query.get('token') || undefined : undefined;
  const [mode, setMode] = useState<'login' | 'setup' | undefined>(setupToken ? 'setup' : undefined);
  const [tokenRequired, setTokenRequired] = useState(false);
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const action = useAction();
  const [mismatch, setMismatch] = useState(false);

  const login = async () => {
    const session = await api('POST /api/login', { body: { user, password } });
    setCsrfToken(session.csrfToken);
    // The setup link has done its work: do not keep its token in the address bar or the history.
    if (path === '/setup') navigate('/', true);
    onSignedIn(session.user);
  };

  // Which form: the server knows whether an operator exists yet.
  useEffect(() => {
    api('GET /api/setup').then(
      (s) => {
        setTokenRequired(s.tokenRequired);
        setMode((m) => m ?? (s.required ? 'setup' : 'login'));
      },
      () => setMode((m) => m ?? 'login'),
    );
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (mode === 'setup') {
      setMismatch(password !== repeat);
      if (password !== repeat) return;
      await action.run(async () => {
        try {
          await api('POST /api/setup', {
            body: setupToken ? { user, password, token: setupToken } : { user, password },
          });
        } catch (err) {
          // Someone already set up: say it in the UI's words (the API's hint names its route).
          if (!(err instanceof ApiFailure) || err.code !== 'SETUP_DONE') throw err;
          setMode('login');
          throw new ApiFailure(err.status, err.code, 'An admin account exists already.', 'Log in with it.');
        }
        await login();
      });
      return;
    }
    await action.run(async () => {
      try {
        await login();
      } catch (err) {
        // No operator yet: this is a first run, so offer to create the admin instead.
        if ((err as { code?: string }).code === 'SETUP_REQUIRED') setMode('setup');
        throw err;
      }
    });
  };

  if (mode === undefined) return <p className="loading-page">Loading…</p>;

  return (
    <main className="login">
      <form onSubmit={(e) => void submit(e)} className="card">
        <h1>Cutover</h1>
        <h2>{mode === 'login' ? 'Log in' : 'First run: create the admin account'}</h2>
        {mode === 'setup' && (
          <p className="muted">
            No operator exists yet. Choose a name and a password of at least 12 characters (not one piece
            repeated); you will use them to log in.
            {setupToken && ' This page was opened from the setup link the server printed.'}
          </p>
        )}
        {mode === 'setup' && tokenRequired && !setupToken && (
          <p className="warning">
            This server listens beyond its own machine, so creating the admin needs the one-time setup link
            that <code>cutover serve</code> printed when it started (it ends in <code>/setup?token=…</code>):
            open that link instead.
          </p>
        )}
        <label>
          Name
          <input
            name="user"
            autoComplete="username"
            value={user}
            onChange={(e) => setUser(e.target.value)}
            required
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
            minLength={mode === 'setup' ? 12 : undefined}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {mode === 'setup' && (
          <label>
            Password again
            <input
              name="repeat"
              type="password"
              autoComplete="new-password"
              value={repeat}
              onChange={(e) => setRepeat(e.target.value)}
              required
            />
          </label>
        )}
        {mismatch && (
          <div className="problem" role="alert">
            The two passwords differ. Type the same password twice.
          </div>
        )}
        {!(mode === 'setup' && action.error?.code === 'SETUP_REQUIRED') && (
          <ProblemNote problem={action.error} />
        )}
        <button type="submit" className="primary" disabled={action.busy}>
          {mode === 'login' ? 'Log in' : 'Create admin and log in'}
        </button>
      </form>
    </main>
  );
}
