/**
 * Bulk import of end-user passwords by the operator: a CSV with a header row naming `source` (the source
 * login, as in the mailboxes list) and `source_password` and/or `destination_password`. Each password is
 * checked by a real login unless the operator turns that off; results per row, never the passwords.
 */
import { parse } from 'csv-parse/sync';
import type { MailboxRepo } from '../store/mailbox-repo.js';
import type { CredentialService, SideOutcome } from './credential-service.js';

/** What happened to one CSV row. */
export interface ImportRow {
  line: number;
  mailbox: string;
  /** stored: every given password saved; partial: some; refused: none; unknown: no such mailbox; invalid: row unreadable. */
  status: 'stored' | 'partial' | 'refused' | 'unknown' | 'invalid';
  message: string;
}

const norm = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');

/** Logins checked at once during an import. */
const IMPORT_PARALLEL = 4;

/** Import the CSV text; returns one result per row, in file order (rows not reached after an abort are left out). */
export async function importCredentials(
  csv: string,
  deps: { mailboxes: MailboxRepo; credentials: CredentialService },
  opts: { verify?: boolean; signal?: AbortSignal } = {},
): Promise<ImportRow[]> {
  const text = csv.replace(/^\uFEFF/, '');
  const firstLine = text.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = [';', '\t', ','].find((d) => firstLine.includes(d)) ?? ',';
  const records = parse(text, {
    delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
  }) as unknown as Array<{
    record: string[];
    info: { lines: number };
  }>;
  const header = (records.shift()?.record ?? []).map(norm);
  const col = (name: string) => header.indexOf(norm(name));
  const [src, sp, dp] = [col('source'), col('source_password'), col('destination_password')];
  if (src < 0 || (sp < 0 && dp < 0))
    return [
      {
        line: 1,
        mailbox: '',
        status: 'invalid',
        message: 'The header must name "source" and "source_password" and/or "destination_password".',
      },
    ];
  const bySource = new Map((await deps.mailboxes.list()).map((m) => [m.sourceUser.toLowerCase(), m.id]));
  // Rows are checked a few at a time (each is a real login; servers limit logins per client), kept in file order.
  const rows = records.filter(({ record }) => {
    const m = (record[src] ?? '').trim();
    return m !== '' && !m.startsWith('#');
  });
  const out: ImportRow[] = new Array<ImportRow>(rows.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < rows.length && !opts.signal?.aborted; i = next++) {
      const { record, info } = rows[i]!;
      const mailbox = (record[src] ?? '').trim();
      const id = bySource.get(mailbox.toLowerCase());
      const ctx = id === undefined ? undefined : await deps.credentials.context(id);
      if (!ctx) {
        out[i] = {
          line: info.lines,
          mailbox,
          status: 'unknown',
          message: `No mailbox with source login "${mailbox}".`,
        };
        continue;
      }
      const given = {
        source: sp >= 0 ? record[sp] : undefined,
        destination: dp >= 0 ? record[dp] : undefined,
      };
      out[i] = summarise(info.lines, mailbox, await deps.credentials.submit(ctx, given, 'import', opts));
    }
  };
  await Promise.all(Array.from({ length: IMPORT_PARALLEL }, worker));
  return out.filter(Boolean);
}

function summarise(line: number, mailbox: string, outcomes: SideOutcome[]): ImportRow {
  if (outcomes.length === 0)
    return { line, mailbox, status: 'invalid', message: 'No password given on this row.' };
  const stored = outcomes.filter((o) => o.status === 'stored');
  const message = outcomes.map((o) => `${o.side}: ${o.status === 'stored' ? 'saved' : o.message}`).join('; ');
  return {
    line,
    mailbox,
    status: stored.length === outcomes.length ? 'stored' : stored.length ? 'partial' : 'refused',
    message,
  };
}
