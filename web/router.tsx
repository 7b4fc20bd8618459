/** A small History-API router: the current path and query, navigate(), and <Link>. */
import { useEffect, useState, type MouseEvent, type ReactNode } from 'react';

const listeners = new Set<() => void>();

/** Go to `to` (a path with optional query) without reloading the page. */
export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  for (const l of listeners) l();
}

/** The current location; re-renders on navigate() and on Back/Forward. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const update = () => setTick((t) => t + 1);
    listeners.add(update);
    window.addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

/** Match `/mailboxes/:id` against a path; the named parts, or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/');
  const a = path.replace(/\/+$/, '').split('/');
  if (p.length !== a.length) return undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const want = p[i]!;
    const got = a[i]!;
    if (want.startsWith(':')) out[want.slice(1)] = decodeURIComponent(got);
    else if (want !== got) return undefined;
  }
  return out;
}

/** An in-app link: a real <a href> (open in new tab works) that navigates without a reload. */
export function Link(props: { to: string; children: ReactNode; className?: string; title?: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(props.to);
  };
  const current = location.pathname === props.to.split('?')[0];
  return (
    <a
      href={props.to}
      onClick={onClick}
      className={props.className}
      title={props.title}
      aria-current={current ? 'page' : undefined}
    >
      {props.children}
    </a>
  );
}
