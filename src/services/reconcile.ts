/**
 * Whether a mailbox reconciles, in one rule for every report: only from a read-back. The ledger must
 * account for every source item, and the last verification must have found nothing different and be
 * newer than the last pass that may have written anything; otherwise it is "ledger only, not verified".
 */
import type { PassRow } from '../store/mailbox-repo.js';
import type { VerificationSummary } from '../store/verification-repo.js';
import type { ReconcileState } from '../reports/report-types.js';

/**
 * reconciles: accounted for and read back; ledger-only: accounted for, not (or no longer) verified;
 * differs: the last verification found differences (or could not read the destination); unaccounted: the
 * ledger does not account for every source item.
 */
export type { ReconcileState };

/** A pass that may have written to the destination: it copied or set flags, or it never recorded an end. */
const wrote = (p: PassRow) =>
  !p.dryRun && (p.copied > 0 || p.flagsSynced > 0 || p.finishedAt === null || p.status === 'interrupted');

/** When the last writing pass ended (Infinity while one runs), or -Infinity when none wrote. */
export function lastWrite(passes: readonly PassRow[]): number {
  let last = -Infinity;
  for (const p of passes)
    if (wrote(p)) last = Math.max(last, p.finishedAt === null ? Infinity : Date.parse(p.finishedAt));
  return last;
}

/** The state, whether the verification is current, and what does not add up in words. */
export function reconcileState(
  accounted: boolean,
  v: VerificationSummary | null,
  passes: readonly PassRow[],
  ledgerDiscrepancy: string | undefined,
): { state: ReconcileState; current: boolean; discrepancy?: string } {
  const current = !!v && Date.parse(v.startedAt) >= lastWrite(passes);
  if (v && current && v.result !== 'matches') {
    // Both, when the ledger has its own reasons (a failed folder): the read-back does not explain those.
    const found = verificationDiscrepancy(v);
    return {
      state: 'differs',
      current,
      discrepancy: accounted ? found : `${ledgerDiscrepancy}; and ${found}`,
    };
  }
  if (!accounted) return { state: 'unaccounted', current, discrepancy: ledgerDiscrepancy };
  if (v && current) return { state: 'reconciles', current };
  return { state: 'ledger-only', current };
}

/** What the last verification found, in words, and what to do. */
export function verificationDiscrepancy(v: VerificationSummary): string {
  const when = v.finishedAt.slice(0, 16).replace('T', ' ');
  if (v.result === 'failed')
    return `the verification of ${when} UTC could not read the destination back (${v.error ?? 'no reason given'}); fix that and run \`cutover verify\` again.`;
  const found = [
    v.missing && `${v.missing} missing`,
    v.flagsDiffer && `${v.flagsDiffer} with other flags`,
    v.extra && `${v.extra} extra cop${v.extra === 1 ? 'y' : 'ies'}`,
    v.altered && `${v.altered} altered`,
  ].filter(Boolean);
  const todo: string[] = [];
  if (v.missing || v.flagsDiffer)
    todo.push('the next `cutover migrate` copies what is missing and sets the flags again');
  if (v.extra || v.altered)
    todo.push(
      'extra copies and altered messages need a look at the destination (`cutover verify` lists them)',
    );
  const what = found.length ? `${found.join(', ')} at the destination` : 'folders it could not read';
  return `the verification of ${when} UTC found ${what}${todo.length ? `: ${todo.join('; ')}` : ''}; then run \`cutover verify\` again.`;
}
