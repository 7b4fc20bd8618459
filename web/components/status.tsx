/** Colour-coded status words used on every page (colour plus the word, never colour alone). */

const TONE: Record<string, string> = {
  done: 'good',
  completed: 'good',
  ok: 'good',
  running: 'busy',
  active: 'warn',
  throttled: 'warn',
  paused: 'warn',
  stopped: 'warn',
  waiting: 'idle',
  idle: 'idle',
  pending: 'idle',
  archived: 'idle',
  failed: 'bad',
  critical: 'bad',
  advisory: 'warn',
  error: 'bad',
};

/** A status as a coloured pill. */
export function Status({ value, label }: { value: string; label?: string }) {
  return <span className={`pill tone-${TONE[value] ?? 'idle'}`}>{label ?? value}</span>;
}
