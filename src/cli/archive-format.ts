/** Rendering archive runs and archive verifications: text for people, JSON for programs. */
import type { ArchiveResult, MailboxArchived } from '../services/archive-service.js';
import type { ArchiveVerification } from '../services/archive-verify.js';

/** Findings listed in text; JSON has them all. */
const TEXT_CAP = 100;

/** A mailbox's summary line, then each problem on lines of its own. */
function mailboxLines(m: MailboxArchived): string[] {
  const parts: string[] = [];
  const problems: string[] = [];
  if (m.mail) {
    const c = m.mail.counters;
    if (m.mail.status === 'done' && c)
      parts.push(
        `mail: ${c.copied} archived, ${c.present} already there, ${c.skipped} skipped, ${c.failed} failed`,
      );
    else {
      parts.push(`mail: ${m.mail.status}`);
      if (m.mail.error) problems.push(`mail: ${m.mail.error}`);
    }
  }
  if (m.filters)
    parts.push(
      `filters (${m.filters.form}): ${m.filters.written.length} written, ${m.filters.unchanged} unchanged${m.filters.gone ? `, ${m.filters.gone} gone from the source` : ''}`,
    );
  if (m.filtersError) {
    parts.push('filters: not archived');
    problems.push(`filters: ${m.filtersError}`);
  }
  for (const n of m.notArchived) parts.push(`${n.item}: not archived (${n.reason})`);
  parts.push(`${m.added} chain line(s) added`);
  const indent = (t: string) => t.replace(/^/gm, '    ');
  return [`${m.mailbox} → ${m.dir}/  ${parts.join(' · ')}`, ...problems.map(indent)];
}

/** A run as text: per mailbox, then the head and what to do with it. */
export function archiveText(r: ArchiveResult): string {
  const out = r.warnings.map((w) => `warning: ${w}`);
  out.push(...r.mailboxes.flatMap(mailboxLines));
  if (r.stopped) out.push('Stopped before every mailbox was archived; rerun to go on.');
  out.push(
    `Archive ${r.dir}: ${r.lines} chain line(s).`,
    `Head: ${r.head}`,
    'Keep this head somewhere else (a ticket, a mail to the auditor, a printout): the chain alone cannot show that',
    `its last lines were not cut off; the head can. Check with: cutover verify --archive ${r.dir} --expect-head ${r.head}`,
  );
  return `${out.join('\n')}\n`;
}

/** Whether a run archived everything it was asked to. */
export function archiveComplete(r: ArchiveResult): boolean {
  return (
    !r.stopped &&
    r.mailboxes.every(
      (m) =>
        (!m.mail || (m.mail.status === 'done' && (m.mail.counters?.failed ?? 0) === 0)) &&
        !m.filtersError &&
        !m.notArchived.length,
    )
  );
}

/** A verification as text: every finding, and what to do. */
export function archiveVerifyText(v: ArchiveVerification): string {
  const out = [
    `Archive ${v.archive}: ${v.lines} chain line(s), ${v.files} file(s); the chain ends in ${v.head}.`,
  ];
  const against =
    v.expectedFrom === 'expect-head'
      ? 'the head you gave'
      : v.expectedFrom === 'head-file'
        ? 'archive-head.txt (pass --expect-head with the head you kept: the file can be changed with the archive)'
        : 'nothing (no head file and no --expect-head)';
  out.push(`Head checked against ${against}.`);
  if (v.linesAfterExpected)
    out.push(`The chain goes on ${v.linesAfterExpected} line(s) past that head: later runs added them.`);
  for (const f of v.findings.slice(0, TEXT_CAP)) out.push(`  ✗ ${f.kind}: ${f.detail}`);
  if (v.findings.length > TEXT_CAP) out.push(`  … ${v.findings.length - TEXT_CAP} more (see --format json)`);
  out.push(
    v.holds
      ? '✓ The archive holds: every file is as chained, every link holds, nothing was added, the head matches.'
      : `✗ The archive does not hold (${v.findings.length} finding(s)). Restore the files named from a copy and verify again; keep this output: it says what was changed.`,
  );
  return `${out.join('\n')}\n`;
}

/** A verification as JSON. */
export const archiveVerifyJson = (v: ArchiveVerification): string => `${JSON.stringify(v, null, 2)}\n`;
