/** React hooks over the client: load data with loading/error state, and run actions with their error. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiFailure } from './client.js';

/** An error as the UI shows it: what went wrong and what to do. */
export interface Problem {
  code: string;
  message: string;
  hint?: string;
}

const API_PATH = /\/api\//;

/** Any thrown value as a Problem. */
export function problemOf(err: unknown): Problem {
  if (err instanceof ApiFailure && err.code === 'VALIDATION_FAILED')
    // The API names fields by their JSON path and points at its reference; a person needs the field.
    return {
      code: err.code,
      message: err.message
        .replace(/^Invalid request: /, 'Not accepted: ')
        .replace(
          /\b(?:body|querystring|params)\.([\w.]+)/g,
          (_m, path: string) => `“${path.split('.').join(' › ')}”`,
        ),
      hint: 'Correct the value and try again.',
    };
  if (err instanceof ApiFailure)
    // A hint written for API clients ("List them with GET /api/…") means nothing to a person in the UI.
    return {
      code: err.code,
      message: err.message,
      hint: API_PATH.test(err.hint ?? '') ? undefined : err.hint,
    };
  return { code: 'UI_ERROR', message: err instanceof Error ? err.message : String(err) };
}

/** State of a load: the newest data (kept while reloading), whether a load is running, its error. */
export interface Loaded<T> {
  data: T | undefined;
  loading: boolean;
  error: Problem | undefined;
  reload: () => void;
}

/** Run `load` now and whenever `deps` change; answers of superseded loads are dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<Problem>();
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    setLoading(true);
    load().then(
      (d) => {
        if (mine !== seq.current) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (mine !== seq.current) return;
        setError(problemOf(err));
        setLoading(false);
      },
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, loading, error, reload };
}

/** An action (button) with its running state and error: `run(() => api(...))`. */
export function useAction(): {
  busy: boolean;
  error: Problem | undefined;
  run: <T>(fn: () => Promise<T>) => Promise<T | undefined>;
  clear: () => void;
} {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Problem>();
  const run = useCallback(async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await fn();
    } catch (err) {
      setError(problemOf(err));
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, clear: useCallback(() => setError(undefined), []) };
}

/** `value`, but only after it stopped changing for `ms` (search boxes). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}
