/** Rendering verifications: text for people (each difference named), JSON for programs. */
import type { VerifyOutcome } from '../services/verify-service.js';
import type { VerifiedFolder } from '../store/verification-repo.js';

/** Differences listed per mailbox in text; the rest is summed up (JSON has them all, up to the cap). */
const TEXT_CAP = 50;

const id = (m: { messageId: string | null }) => (m.messageId ? ` <${m.messageId}>` : '');
const flags = (f: string[]) => (f.length ? f.join(' ') : '(none)');

/** One line per difference of a folder. */
function folderLines(f: VerifiedFolder): string[] {
  const where = f.source === f.destination ? f.source : `${f.source} → ${f.destination}`;
  const out: string[] = [];
  if (f.error) out.push(`${where}: not verified: ${f.error}`);
  for (const m of f.missing.filter((x) => x.item))
    out.push(`${where}: missing at the destination: ${m.item} (the next pass writes it again)`);
  for (const m of f.altered.filter((x) => x.item)) out.push(`${where}: altered: ${m.item}: ${m.reason}`);
  for (const m of f.missing.filter((x) => !x.item))
    out.push(
      `${where}: missing at the destination: source UID ${m.sourceUid}${id(m)}${m.cause === 'lost' ? ' (the ledger said copied; the next pass copies it again)' : ' (not copied yet; the next pass copies it)'}`,
    );
  for (const m of f.flagsDiffer)
    out.push(
      `${where}: other flags: source UID ${m.sourceUid} → destination UID ${m.destUid}${id(m)}: source ${flags(m.source)}, destination ${flags(m.destination)}`,
    );
  for (const m of f.extra)
    out.push(`${where}: extra copy: destination UID ${m.destUid}${id(m)} repeats source UID ${m.sourceUid}`);
  for (const m of f.altered.filter((x) => !x.item))
    out.push(
      `${where}: altered: source UID ${m.sourceUid} → destination UID ${m.destUid}${id(m)}: ${m.reason}`,
    );
  const listed = f.missing.length + f.flagsDiffer.length + f.extra.length + f.altered.length;
  const counted = f.counts.missing + f.counts.flagsDiffer + f.counts.extra + f.counts.altered;
  if (counted > listed) out.push(`${where}: … ${counted - listed} more not stored`);
  if (f.notCompared) out.push(`${where}: ${f.notCompared}`);
  return out;
}

/** The verifications as text. */
export function verifyText(outcomes: VerifyOutcome[]): string {
  const out: string[] = [];
  for (const { mailbox, destination, verification: v } of outcomes) {
    const name = mailbox === destination ? mailbox : `${mailbox} → ${destination}`;
    const mode = v.mode === 'deep' ? 'deep (content compared)' : 'normal';
    if (v.result === 'failed') {
      out.push(
        `${name}  verification ${mode}: ✗ not verified: ${v.error ?? 'the destination could not be read back'}`,
      );
      continue;
    }
    out.push(
      `${name}  verification ${mode}: ${v.result === 'matches' ? '✓ matches' : '✗ differs'} — ${v.checked} checked, ${v.missing} missing, ${v.flagsDiffer} with other flags, ${v.extra} extra, ${v.altered} altered`,
    );
    const lines = v.folders.flatMap(folderLines);
    for (const l of lines.slice(0, TEXT_CAP)) out.push(`    ${l}`);
    if (lines.length > TEXT_CAP) out.push(`    … ${lines.length - TEXT_CAP} more (see --format json)`);
    if (v.missing || v.flagsDiffer)
      out.push('  The next `cutover migrate` copies what is missing again and sets the flags again.');
    if (v.extra || v.altered)
      out.push(
        '  Extra copies and altered messages are not changed by Cutover: look at them at the destination.',
      );
  }
  return out.join('\n') + '\n';
}

/** The verifications as JSON: per mailbox its counts, per folder the messages that differ. */
export function verifyJson(outcomes: VerifyOutcome[]): string {
  return (
    JSON.stringify(
      {
        verifiedAt: new Date().toISOString(),
        matches: outcomes.every((o) => o.verification.result === 'matches'),
        mailboxes: outcomes.map(({ mailbox, destination, verification: v }) => ({
          mailbox,
          destination,
          ...v,
        })),
      },
      null,
      2,
    ) + '\n'
  );
}
