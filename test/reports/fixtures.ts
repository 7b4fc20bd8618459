/** Hand-built reports for the renderer tests: non-Latin names, hostile text, one that does not reconcile. */
import type { FolderReport, MailboxReport } from '../../src/reports/report-types.js';
import type { PassRow } from '../../src/store/mailbox-repo.js';

export const HOSTILE = `<script>alert(1)</script>`;

/** A folder whose items all ended somewhere (copied unless told otherwise). */
export function folder(source: string, items: number, more: Partial<FolderReport> = {}): FolderReport {
  const f: FolderReport = {
    source,
    destination: source,
    sourceItems: items,
    copied: items,
    present: 0,
    skipped: 0,
    failed: 0,
    pending: 0,
    altered: 0,
    renamed: null,
    excluded: null,
    error: null,
    ...more,
  };
  if (!('copied' in more)) f.copied = f.sourceItems - f.present - f.skipped - f.failed - f.pending;
  return f;
}

export function pass(startedAt: string, finishedAt: string | null, more: Partial<PassRow> = {}): PassRow {
  return {
    id: 1,
    mailboxId: 1,
    startedAt,
    finishedAt,
    status: finishedAt ? 'done' : 'running',
    dryRun: false,
    copied: 0,
    present: 0,
    skipped: 0,
    failed: 0,
    flagsSynced: 0,
    bytes: 0,
    throttledMs: 0,
    error: null,
    ...more,
  };
}

/** A mailbox report whose totals are the sum of its folders. */
export function mailbox(
  name: string,
  folders: FolderReport[],
  more: Partial<MailboxReport> = {},
): MailboxReport {
  const sum = (k: 'sourceItems' | 'copied' | 'present' | 'skipped' | 'failed' | 'pending' | 'altered') =>
    folders.reduce((s, f) => s + f[k], 0);
  return {
    mailbox: name,
    destination: name,
    status: 'done',
    lastError: null,
    folders,
    totals: {
      sourceItems: sum('sourceItems'),
      copied: sum('copied'),
      present: sum('present'),
      skipped: sum('skipped'),
      failed: sum('failed'),
      pending: sum('pending'),
      altered: sum('altered'),
      bytesCopied: sum('copied') * 50_000,
    },
    accounted: true,
    verification: {
      id: 1,
      mailboxId: 1,
      startedAt: '2026-03-04T09:00:00.000Z',
      finishedAt: '2026-03-04T09:02:00.000Z',
      mode: 'normal',
      result: 'matches',
      checked: sum('copied') + sum('present'),
      missing: 0,
      flagsDiffer: 0,
      extra: 0,
      altered: 0,
      error: null,
      current: true,
    },
    reconcile: 'reconciles',
    reconciles: true,
    items: [],
    itemTotals: { copied: 0, present: 0, skipped: 0, failed: 0 },
    itemsByType: {},
    passes: [],
    problems: [],
    ...more,
  };
}

/** What a report says of a mailbox the ledger accounts for that nothing read back. */
export const LEDGER_ONLY: Partial<MailboxReport> = {
  verification: null,
  reconcile: 'ledger-only',
  reconciles: false,
};

/** What a report says of a mailbox the ledger does not account for. */
const UNACCOUNTED: Partial<MailboxReport> = { accounted: false, reconcile: 'unaccounted', reconciles: false };

export const CYRILLIC = 'иван.петров@пример.рф';
export const ARABIC = 'مريم@مثال.مصر';
export const ARABIC_FOLDER = 'البريد الوارد';
export const HEBREW_FOLDER = 'דואר נכנס';
export const GREEK_FOLDER = 'Εισερχόμενα';
export const CJK_FOLDER = '受信トレイ';

/**
 * Five mailboxes: plain, Cyrillic, Arabic (accounted for, never read back: ledger only), hostile, and one
 * that does not reconcile (250 problems).
 */
export function sampleReports(): MailboxReport[] {
  const alice = mailbox(
    'alice@example.com',
    [
      folder('INBOX', 1200, { present: 34, skipped: 2 }),
      folder('Sent', 310, { destination: 'Sent Items' }),
      folder('Projects/a/b', 5, {
        destination: 'Projects/a∕b',
        renamed: '"a/b" contains the separator; renamed to "a∕b"',
      }),
      folder('Spam', 0, { destination: null, excluded: 'junk folders are not migrated' }),
      folder(CJK_FOLDER, 7),
    ],
    {
      destination: 'alice@new.example',
      passes: [
        pass('2026-03-01T09:00:00.000Z', '2026-03-01T10:30:00.000Z', {
          copied: 1480,
          bytes: 74_000_000,
          throttledMs: 90_000,
        }),
        pass('2026-03-02T09:00:00.000Z', '2026-03-02T09:05:00.000Z', {
          present: 3,
          flagsSynced: 12,
          throttledMs: 30_000,
        }),
        pass('2026-03-03T09:00:00.000Z', '2026-03-03T09:00:05.000Z', { dryRun: true }),
      ],
      problems: [
        { folder: 'INBOX', uid: 17, status: 'skipped', reason: 'larger than --max-size 25 MB' },
        { folder: 'INBOX', uid: 18, status: 'skipped', reason: 'larger than --max-size 25 MB' },
      ],
    },
  );
  const ivan = mailbox(CYRILLIC, [folder('Входящие/Отчёты', 42), folder(GREEK_FOLDER, 8)], {
    passes: [pass('2026-03-01T08:30:00.000Z', '2026-03-01T11:00:00.000Z', { copied: 50 })],
  });
  const maryam = mailbox(ARABIC, [folder(ARABIC_FOLDER, 19), folder(HEBREW_FOLDER, 3)], {
    ...LEDGER_ONLY,
    passes: [pass('2026-03-01T09:10:00.000Z', '2026-03-01T09:40:00.000Z', { copied: 22 })],
  });
  const eve = mailbox(
    `eve"&'<b>@example.com`,
    [folder(HOSTILE, 4, { skipped: 1, error: `${HOSTILE} & "quoted"` })],
    {
      status: `<i>done</i>`,
      ...UNACCOUNTED,
      discrepancy: `1 folder(s) failed (${HOSTILE}: ${HOSTILE} & "quoted")`,
      lastError: `${HOSTILE} 'single' "double" & amp`,
      passes: [
        pass('2026-03-01T09:20:00.000Z', '2026-03-01T09:21:00.000Z', { error: HOSTILE, status: 'failed' }),
      ],
      problems: [{ folder: HOSTILE, uid: 3, status: 'skipped', reason: `${HOSTILE} & "quoted"` }],
    },
  );
  const bob = mailbox('bob@example.com', [folder('INBOX', 1000, { failed: 250, pending: 100 })], {
    status: 'failed',
    ...UNACCOUNTED,
    discrepancy:
      '100 item(s) in 1 folder(s) not yet accounted for (INBOX): the last pass did not finish them',
    passes: [
      pass('2026-03-01T07:45:00.000Z', '2026-03-01T12:15:00.000Z', {
        copied: 650,
        failed: 250,
        status: 'failed',
      }),
      pass('2026-03-02T10:00:00.000Z', null),
    ],
    problems: Array.from({ length: 250 }, (_, i) => ({
      folder: 'INBOX',
      uid: 5000 + i,
      status: 'failed',
      reason: `NO [OVERQUOTA] Quota exceeded (item ${i})`,
    })),
  });
  return [alice, ivan, maryam, eve, bob];
}

/** `n` ordinary mailboxes with unique names (for the size and memory tests). */
export function manyReports(n: number): MailboxReport[] {
  return Array.from({ length: n }, (_, i) =>
    mailbox(
      i % 10 === 3 ? `пользователь${i}@пример.рф` : `user${i}@example.com`,
      [
        folder('INBOX', 900 + (i % 97), { present: i % 7, skipped: i % 3 }),
        folder('Sent', 120 + (i % 13), { destination: 'Sent Items' }),
        folder('Drafts', i % 5),
        folder(`Archive/${2000 + (i % 25)}`, 40 + (i % 11)),
        folder('Входящие', 12),
        folder('Junk', 3, { destination: null, excluded: 'junk folders are not migrated' }),
      ],
      {
        passes: [
          pass('2026-03-01T09:00:00.000Z', `2026-03-01T1${i % 10}:00:00.000Z`, {
            copied: 1000,
            bytes: 5e7 + i,
            throttledMs: i,
          }),
          pass('2026-03-02T09:00:00.000Z', '2026-03-02T09:01:00.000Z', { present: 2, flagsSynced: i % 9 }),
        ],
        problems: Array.from({ length: i % 3 }, (_, k) => ({
          folder: 'INBOX',
          uid: 100 + k,
          status: 'skipped',
          reason: `larger than --max-size 25 MB (message ${i}-${k})`,
        })),
      },
    ),
  );
}
