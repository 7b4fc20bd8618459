/** An API error in plain words, next to what caused it: the message, what to do, and the code (small). */
import type { Problem } from '../api/use-api.js';

/** Shows nothing when there is no problem. */
export function ProblemNote({
  problem,
  onDismiss,
}: {
  problem: Problem | undefined;
  onDismiss?: () => void;
}) {
  if (!problem) return null;
  return (
    <div className="problem" role="alert">
      <strong>{problem.message}</strong>
      {problem.hint && <span className="hint"> {problem.hint}</span>}
      <span className="code"> ({problem.code})</span>
      {onDismiss && (
        <button type="button" className="link" onClick={onDismiss} aria-label="Dismiss">
          ×
        </button>
      )}
    </div>
  );
}
