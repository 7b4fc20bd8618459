/** Download links of a report (CSV, JSON) and its printable page, for a project or one mailbox. */
import { hrefOf } from '../api/client.js';

type Format = 'csv' | 'json' | 'html';

/** The three links; `of` says whose report it is. */
export function ReportLinks(props: { of: { project: number } | { mailbox: number }; label?: string }) {
  const href = (format: Format) =>
    'project' in props.of
      ? hrefOf('GET /api/projects/{id}/report', { path: { id: props.of.project }, query: { format } })
      : hrefOf('GET /api/mailboxes/{id}/report', { path: { id: props.of.mailbox }, query: { format } });
  return (
    <span className="report-links">
      {props.label && <span>{props.label} </span>}
      <a className="button" href={href('csv')} download>
        Download CSV
      </a>{' '}
      <a className="button" href={href('json')} download>
        Download JSON
      </a>{' '}
      <a className="button" href={href('html')} target="_blank" rel="noopener">
        Printable page
      </a>
    </span>
  );
}
