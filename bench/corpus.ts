/** Deterministic synthetic mailboxes for the benchmark: folders, size mix, flags, keywords, dates. */
import { makeMessage } from '../test/harness/messages.js';

/** One message to generate; bytes come from renderMessage() so the corpus never sits in memory. */
export interface MessageSpec {
  /** Folder path segments; ['INBOX'] is the inbox. */
  folder: string[];
  size: number;
  /** System flags without backslash: Seen, Answered, Flagged, Draft. */
  flags: string[];
  keywords: string[];
  internalDate: Date;
  messageId: string;
  subject: string;
}

/** Corpus shape; everything derives from `seed`. */
export interface CorpusOptions {
  users: number;
  messages: number;
  seed: number;
  /** Every message small (2–10 KB) and in INBOX: the one-huge-folder case (e.g. 100,000 messages). */
  flat?: boolean;
}

/** Keywords the corpus uses (in this order in every dovecot-keywords file). */
export const KEYWORDS = ['$Forwarded', '$label1', 'Projekt-X'];

// [path, weight]: nested, with a non-existent parent (Projekte) and non-ASCII names.
const FOLDERS: Array<[string[], number]> = [
  [['INBOX'], 40],
  [['Sent'], 15],
  [['Drafts'], 1],
  [['Trash'], 3],
  [['Archive'], 5],
  [['Archive', '2019'], 10],
  [['Archive', '2020'], 6],
  [['Archive', '2020', 'Q1'], 8],
  [['Projekte', 'Überblick'], 6],
  [['日本語'], 3],
  [['Newsletter'], 3],
];

/** mulberry32: small, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-uniform integer in [lo, hi]: many small, fewer large, like real mail. */
const logUniform = (r: () => number, lo: number, hi: number) => Math.round(lo * Math.pow(hi / lo, r()));

/** ~94.5% 2–50 KB, 5% 200 KB–2 MB, 0.5% 5–15 MB attachments (about 90 KB per message on average). */
function pickSize(r: () => number): number {
  const x = r();
  if (x < 0.005) return logUniform(r, 5_000_000, 15_000_000);
  if (x < 0.055) return logUniform(r, 200_000, 2_000_000);
  return logUniform(r, 2_000, 50_000);
}

function pickFolder(r: () => number): string[] {
  let x = r() * FOLDERS.reduce((s, [, w]) => s + w, 0);
  for (const [f, w] of FOLDERS) if ((x -= w) < 0) return f;
  return ['INBOX'];
}

const SUBJECTS = [
  'Quarterly report',
  'Re: Lunch?',
  'Invoice 2020-%',
  'Übersicht Projekt %',
  '会議の議事録 %',
  'Fwd: photos %',
];

/** RFC 2047 B-encoding for non-ASCII subjects. */
const encodeWord = (s: string) =>
  /^[\x20-\x7e]*$/.test(s) ? s : `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;

/** The message list of every user (user names user1..userN), fully determined by the options. */
export function planCorpus(o: CorpusOptions): Map<string, MessageSpec[]> {
  const out = new Map<string, MessageSpec[]>();
  const start = Date.UTC(2019, 0, 1) / 1000;
  const span = Date.UTC(2025, 0, 1) / 1000 - start;
  for (let u = 1; u <= o.users; u++) {
    const r = prng(o.seed * 7919 + u);
    const step = Math.floor(span / Math.max(1, o.messages));
    const specs: MessageSpec[] = [];
    for (let i = 0; i < o.messages; i++) {
      const folder = o.flat ? ['INBOX'] : pickFolder(r);
      const flags: string[] = [];
      if (folder[0] === 'Drafts') flags.push('Draft');
      else if (r() < 0.85) flags.push('Seen');
      if (r() < 0.2) flags.push('Answered');
      if (r() < 0.05) flags.push('Flagged');
      const keywords = KEYWORDS.filter((_, k) => r() < [0.05, 0.03, 0.02][k]!);
      // One step per message plus jitter below the step: distinct, increasing internal dates.
      const internalDate = new Date((start + i * step + Math.floor(r() * (step - 1))) * 1000);
      const subject = SUBJECTS[Math.floor(r() * SUBJECTS.length)]!.replace('%', String(i));
      specs.push({
        folder,
        size: o.flat ? logUniform(r, 2_000, 10_000) : pickSize(r),
        flags,
        keywords,
        internalDate,
        messageId: `<bench.${o.seed}.u${u}.${i}@cutover.test>`,
        subject,
      });
    }
    out.set(`user${u}`, specs);
  }
  return out;
}

/** The RFC 5322 bytes of one message: CRLF, exactly `spec.size` bytes (at least the header size). */
export function renderMessage(spec: MessageSpec, user: string): Buffer {
  const joerg = `${encodeWord('Jörg Müller')} <joerg@example.test>`;
  const base = {
    messageId: spec.messageId,
    subject: encodeWord(spec.subject),
    date: spec.internalDate,
    from: spec.folder[0] === 'Sent' ? `${user} <${user}@example.test>` : joerg,
    to: spec.folder[0] === 'Sent' ? joerg : `${user} <${user}@example.test>`,
    body: `Grüße aus dem Benchmark.\n${spec.subject}\n`,
  };
  const min = makeMessage(base).length;
  return makeMessage({ ...base, sizeBytes: Math.max(spec.size, min) });
}
