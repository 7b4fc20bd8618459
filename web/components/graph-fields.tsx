/**
 * How a Microsoft 365 side writes and paces itself: the destination's write path (Graph JSON, IMAP APPEND of
 * the whole message, or JSON with IMAP where attachments do not fit), Exchange Online's IMAP endpoint, and the
 * per-mailbox budgets Cutover paces to before Graph answers 429. These are the project file's graph.writePath,
 * imapHost, imapPort, requestBudget and uploadBudgetMB; empty means the documented default.
 */
import type { ServerForm } from './server-form.js';

type Props = { name: string; f: ServerForm; set: (patch: Partial<ServerForm>) => void };

/** What each write path keeps and what it needs in the tenant, shown under the choice. */
export const WRITE_PATH_NOTE: Record<ServerForm['writePath'], string> = {
  json: 'Graph JSON: keeps subject, body, addresses, attachments, Message-ID, In-Reply-To/References and up to 5 x- headers; other headers are dropped and named on the copy. Needs Mail.ReadWrite (application).',
  imap: 'IMAP APPEND: keeps the whole message as it was sent. Needs IMAP.AccessAsApp, the app’s service principal registered in Exchange with FullAccess on each mailbox, and IMAP enabled for the mailboxes.',
  auto: 'Graph JSON, and IMAP APPEND for a message whose attachments do not fit Graph’s 4 MB create request. Needs what both need.',
};

/** A number field whose empty value means the default. */
function NumberField(
  props: Props & { field: 'imapPort' | 'requestBudget' | 'uploadBudgetMB'; label: string },
) {
  const { name, f, set, field, label } = props;
  return (
    <label>
      {label}
      <input
        name={`${name}.${field}`}
        inputMode="numeric"
        value={f[field]}
        placeholder="default"
        onChange={(e) => set({ [field]: e.target.value })}
      />
    </label>
  );
}

/** The write path (a destination only) and the budgets (both sides) of a Microsoft 365 server. */
export function GraphFields(props: Props) {
  const { name, f, set } = props;
  const destination = name === 'destination';
  return (
    <>
      {destination && (
        <>
          <label>
            Write path
            <select
              name={`${name}.writePath`}
              value={f.writePath}
              onChange={(e) => set({ writePath: e.target.value as ServerForm['writePath'] })}
            >
              <option value="json">Graph JSON</option>
              <option value="imap">IMAP APPEND (whole message)</option>
              <option value="auto">Graph JSON, IMAP for large attachments</option>
            </select>
          </label>
          <p className="muted write-path-note">{WRITE_PATH_NOTE[f.writePath]}</p>
        </>
      )}
      {destination && f.writePath !== 'json' && (
        <>
          <label>
            Exchange IMAP host
            <input
              name={`${name}.imapHost`}
              value={f.imapHost}
              placeholder="outlook.office365.com"
              onChange={(e) => set({ imapHost: e.target.value })}
            />
          </label>
          <NumberField {...props} field="imapPort" label="Exchange IMAP port (TLS; default 993)" />
        </>
      )}
      <NumberField
        {...props}
        field="requestBudget"
        label="Requests per 10 minutes per mailbox (default and most 10000)"
      />
      <NumberField
        {...props}
        field="uploadBudgetMB"
        label="MB uploaded per 5 minutes per mailbox (default and most 150)"
      />
    </>
  );
}

/** The graph settings of the form that are set (empty fields left out: the default applies). */
export function graphWriteIn(f: ServerForm, destination: boolean) {
  const num = (v: string) => (v.trim() === '' ? undefined : Number(v.trim()));
  const out: {
    writePath?: ServerForm['writePath'];
    imapHost?: string;
    imapPort?: number;
    requestBudget?: number;
    uploadBudgetMB?: number;
  } = {};
  if (destination) {
    out.writePath = f.writePath;
    if (f.writePath !== 'json' && f.imapHost.trim()) out.imapHost = f.imapHost.trim();
    if (f.writePath !== 'json' && num(f.imapPort) !== undefined) out.imapPort = num(f.imapPort);
  }
  if (num(f.requestBudget) !== undefined) out.requestBudget = num(f.requestBudget);
  if (num(f.uploadBudgetMB) !== undefined) out.uploadBudgetMB = num(f.uploadBudgetMB);
  return out;
}
