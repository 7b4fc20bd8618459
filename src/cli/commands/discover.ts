/** `cutover discover`: list the source's mailboxes as a mailboxes CSV the project can load. */
import fs from 'node:fs';
import { discoverMailboxes } from '../../services/discovery-service.js';
import { resolveTarget, type TargetOptions } from '../context.js';

export interface DiscoverOptions extends TargetOptions {
  output?: string;
  format: 'csv' | 'json';
  includeSuspended?: boolean;
  onlyNew?: boolean;
}

// Logins are written as they are (no formula guard: the file is read back by Cutover, and a guard would
// change a login); RFC 4180 quoting only where needed.
const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export async function discoverCommand(o: DiscoverOptions): Promise<void> {
  const { project } = resolveTarget(o);
  const found = await discoverMailboxes(project, { includeSuspended: o.includeSuspended });
  const rows = o.onlyNew ? found.rows.filter((r) => !r.known) : found.rows;
  const text =
    o.format === 'json'
      ? JSON.stringify(rows, null, 2) + '\n'
      : [['source', 'destination'], ...rows.map((r) => [r.source, r.destination])]
          .map((r) => r.map(quote).join(','))
          .join('\r\n') + '\r\n';
  if (o.output) fs.writeFileSync(o.output, text, { flag: 'w' });
  else process.stdout.write(text);
  const known = found.rows.filter((r) => r.known).length;
  const kinds = new Map<string, number>();
  for (const r of found.rows) kinds.set(r.kind ?? 'mailbox', (kinds.get(r.kind ?? 'mailbox') ?? 0) + 1);
  process.stderr.write(
    `cutover: found ${found.rows.length} mailbox(es) (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ') || 'none'})` +
      `${found.suspendedLeftOut ? `; ${found.suspendedLeftOut} suspended left out (--include-suspended keeps them)` : ''}` +
      `${known ? `; ${known} already in the project${o.onlyNew ? ', left out' : ''}` : ''}` +
      `${o.output ? `; written to ${o.output}` : ''}.\n`,
  );
}
