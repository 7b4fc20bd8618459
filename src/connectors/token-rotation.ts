/**
 * Refresh tokens a system replaced while a connector redeemed them (Entra ID rotates them on use). The
 * connector announces the change; whoever stored the old token (the credentials of a run) stores the new
 * one, so a restart does not log in with a token the system may have retired. Connectors never store.
 */
type Listener = (previous: string, next: string) => Promise<void>;

const listeners = new Set<Listener>();

/** Be told of each rotation; call the returned function to stop. */
export function onTokenRotated(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Announce that `previous` was replaced by `next`; waits for the listeners (their failures are theirs). */
export async function tokenRotated(previous: string, next: string): Promise<void> {
  if (previous === next) return;
  await Promise.allSettled([...listeners].map((l) => l(previous, next)));
}
