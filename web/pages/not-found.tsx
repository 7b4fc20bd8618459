/** A path the UI does not know. */
import { Link } from '../router.js';

/** Says so, with a way back. */
export function NotFoundPage({ path }: { path: string }) {
  return (
    <section>
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{path}</code>. <Link to="/">Go to the tracker</Link>.
      </p>
    </section>
  );
}
