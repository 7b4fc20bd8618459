/** What a "Test connection" found, per login: capabilities, folders, limits, or the error in plain words. */
import type { ResponseOf } from '../api/client.js';
import { bytes } from './format.js';
import { Status } from './status.js';

type Result = ResponseOf<'POST /api/projects/{id}/test/{side}'>;

/** One line per login tried; nothing before a test ran. */
export function ConnectionResult({ result }: { result: Result | undefined }) {
  if (!result) return null;
  return (
    <div className="connection-result" aria-live="polite">
      <p>
        <Status
          value={result.ok ? 'ok' : 'failed'}
          label={result.ok ? 'connection works' : 'connection failed'}
        />
      </p>
      <ul>
        {result.checks.map((c) => (
          <li key={c.label}>
            <strong>{c.label}</strong>: {c.ok ? 'logged in' : 'failed'}
            {c.error && (
              <div className="problem">
                <strong>{c.error.message}</strong>
                {c.error.hint && <span className="hint"> {c.error.hint}</span>}
                <span className="code"> ({c.error.code})</span>
              </div>
            )}
            {c.ok && (
              <div className="muted">
                {c.folders !== null && <>{c.folders} folders · </>}
                {c.delimiter && <>hierarchy separator “{c.delimiter}” · </>}
                {c.appendLimit !== null && <>largest message accepted {bytes(c.appendLimit)} · </>}
                {c.quota && (
                  <>
                    quota {bytes(c.quota.usedBytes)} used of{' '}
                    {c.quota.limitBytes === null ? 'no limit' : bytes(c.quota.limitBytes)} ·{' '}
                  </>
                )}
                {c.capabilities.length > 0 && (
                  <details>
                    <summary>{c.capabilities.length} capabilities</summary>
                    {c.capabilities.join(' ')}
                  </details>
                )}
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
