/**
 * `cutover test --live` for Gmail: tries, on the test mailbox and under a scratch label, each behaviour of
 * the Gmail API the connector relies on or works around, says what the service did, and deletes what it
 * made (messages, the draft, the labels). Google's documentation and public reports disagree on some of
 * these (gmail-label-names.ts, gmail-sent-drafts.ts); this is how a user finds out which one their tenant
 * follows.
 *
 * Retry-After is not provoked (that would spend the mailbox's quota for minutes); when a throttling answer
 * comes during the checks anyway, the check waits what Gmail asked for (at most a minute) and tries once
 * more — the only place the connector waits itself, because whether that wait suffices is the question.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CutoverError, RateLimitError, asCutoverError } from '../../errors.js';
import type { LiveCheck } from '../contract.js';
import type { GmailApi, GmailCall, GmailLabel } from './gmail-api.js';
import { drafting, importing, inserting, uploadMessage, type Uploaded } from './gmail-import.js';

const MAX_WAIT_MS = 60_000;

/** Run the checks; never throws for what the service does, only when the mailbox cannot be reached. */
export async function gmailLiveChecks(api: GmailApi, signal?: AbortSignal): Promise<LiveCheck[]> {
  const run = new Run(api, signal);
  const stamp = `Cutover live check ${new Date().toISOString().slice(0, 19).replace('T', ' ')} ${randomBytes(3).toString('hex')}`;
  const out: LiveCheck[] = [];
  let scratch: string;
  try {
    scratch = (await run.label(stamp)).id;
  } catch (err) {
    return [
      { name: 'scratch label', outcome: 'failed', detail: `could not create "${stamp}": ${text(err)}` },
    ];
  }
  try {
    out.push(await reservedNames(run, stamp));
    const own = await sentInsert(run, scratch, out);
    out.push(await sentImport(run, scratch));
    out.push(await modifySent(run, own));
    out.push(await draftCreate(run));
  } finally {
    out.push(await run.cleanup());
  }
  out.push(run.retryAfter());
  return out;
}

const text = (err: unknown) => (err instanceof CutoverError ? err.message : asCutoverError(err).message);
const refusedAs = (err: unknown, what: RegExp) =>
  err instanceof CutoverError && /HTTP 400/.test(err.message) && what.test(err.message);

/** A test message from `from`, with a unique Message-ID. */
function message(from: string, subject: string): Buffer {
  return Buffer.from(
    [
      `From: ${from}`,
      `To: ${from}`,
      `Subject: ${subject} (Cutover live check, removed automatically)`,
      `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
      `Message-ID: <cutover-live-${randomBytes(8).toString('hex')}@cutover.invalid>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'Written by cutover test --live and deleted again.',
      '',
    ].join('\r\n'),
  );
}

async function reservedNames(run: Run, stamp: string): Promise<LiveCheck> {
  const name = 'labels.create refuses names under system labels';
  const said: string[] = [];
  for (const asked of [`INBOX/${stamp}`, `Sent/${stamp}`]) {
    try {
      await run.label(asked);
      said.push(`created "${asked}" (removed again)`);
    } catch (err) {
      if (!refusedAs(err, /invalid label name/i)) return { name, outcome: 'failed', detail: text(err) };
    }
  }
  return said.length
    ? { name, outcome: 'differs', detail: `Gmail ${said.join(' and ')}; Cutover moves such folders anyway` }
    : {
        name,
        outcome: 'ok',
        detail: '"INBOX/…" and "Sent/…" answered 400 Invalid label name, as documented',
      };
}

/** messages.insert with the user's own From; returns the message id for the modify check. */
async function sentInsert(run: Run, scratch: string, out: LiveCheck[]): Promise<string | undefined> {
  const name = 'Sent: messages.insert with the own address in From gets SENT';
  try {
    const raw = message(run.api.target.user, 'Sent by insert');
    const got = await run.upload(raw, inserting([scratch]));
    const labels = got.labelIds ?? (await run.labelsOf(got.id));
    out.push(
      labels.includes('SENT')
        ? { name, outcome: 'ok', detail: 'Gmail applied SENT itself, as documented' }
        : {
            name,
            outcome: 'differs',
            detail: `Gmail did not apply SENT (labels: ${labels.join(', ') || 'none'}); Cutover keeps such messages under "Sent (imported)"`,
          },
    );
    return got.id;
  } catch (err) {
    out.push({ name, outcome: 'failed', detail: text(err) });
    return undefined;
  }
}

async function sentImport(run: Run, scratch: string): Promise<LiveCheck> {
  const name = 'messages.import refuses SENT in labelIds (Cutover does not rely on it)';
  try {
    const got = await run.upload(
      message('someone@cutover.invalid', 'Import with SENT'),
      importing([scratch, 'SENT']),
    );
    const labels = got.labelIds ?? (await run.labelsOf(got.id));
    return {
      name,
      outcome: 'differs',
      detail: `Gmail accepted it (labels: ${labels.join(', ')}), as got-your-back relies on; Cutover still imports Sent mail from other addresses under "Sent (imported)"`,
    };
  } catch (err) {
    if (refusedAs(err, /invalid label: SENT/i))
      return { name, outcome: 'ok', detail: 'answered 400 Invalid label: SENT (not manually applicable)' };
    return { name, outcome: 'failed', detail: text(err) };
  }
}

async function modifySent(run: Run, id: string | undefined): Promise<LiveCheck> {
  const name = 'messages.batchModify refuses removing SENT (flag sync never sends it)';
  if (!id) return { name, outcome: 'skipped', detail: 'no message from the Sent check to modify' };
  try {
    await run.call({
      op: 'messages.batchModify',
      path: '/messages/batchModify',
      json: { ids: [id], addLabelIds: [], removeLabelIds: ['SENT'] },
    });
    return { name, outcome: 'differs', detail: 'Gmail accepted it; Cutover never sends it anyway' };
  } catch (err) {
    if (refusedAs(err, /invalid label: SENT/i))
      return { name, outcome: 'ok', detail: 'answered 400 Invalid label: SENT, as documented' };
    return { name, outcome: 'failed', detail: text(err) };
  }
}

async function draftCreate(run: Run): Promise<LiveCheck> {
  const name = 'Drafts: drafts.create keeps the message byte for byte';
  try {
    const raw = message(run.api.target.user, 'Draft');
    const got = await run.upload(raw, drafting);
    run.drafts.push(got.id);
    const id = got.message?.id ?? got.id;
    const stored = await run.call<{ raw?: string; labelIds?: string[] }>({
      op: 'messages.get',
      path: `/messages/${encodeURIComponent(id)}`,
      query: { format: 'raw' },
    });
    const back = Buffer.from(stored.raw ?? '', 'base64url');
    if (!stored.labelIds?.includes('DRAFT'))
      return {
        name,
        outcome: 'differs',
        detail: `the draft's message has no DRAFT label (${stored.labelIds?.join(', ')})`,
      };
    return back.equals(raw)
      ? { name, outcome: 'ok', detail: `a draft with DRAFT, ${raw.length} bytes read back unchanged` }
      : {
          name,
          outcome: 'differs',
          detail: `Gmail stored ${back.length} bytes for ${raw.length} sent: verify --deep will report Drafts as altered`,
        };
  } catch (err) {
    return { name, outcome: 'failed', detail: text(err) };
  }
}

/** The calls of one run, what they made (for cleanup) and the throttling answers met. */
class Run {
  readonly labels: string[] = [];
  readonly messages: string[] = [];
  readonly drafts: string[] = [];
  private readonly throttled: Array<{ waitMs: number; passed: boolean }> = [];

  constructor(
    readonly api: GmailApi,
    private readonly signal?: AbortSignal,
  ) {}

  /** One call; a throttling answer is waited out once (see the header). */
  async attempt<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof RateLimitError)) throw err;
      const seen = { waitMs: err.retryAfterMs, passed: false };
      this.throttled.push(seen);
      await sleep(Math.min(err.retryAfterMs, MAX_WAIT_MS), undefined, { signal: this.signal });
      const got = await fn();
      seen.passed = true;
      return got;
    }
  }

  call<T>(c: GmailCall): Promise<T> {
    return this.attempt(() => this.api.json<T>(c, this.signal));
  }

  async label(name: string): Promise<GmailLabel> {
    const made = await this.call<GmailLabel>({
      op: 'labels.create',
      path: '/labels',
      json: { name, labelListVisibility: 'labelShow', messageListVisibility: 'show' },
    });
    this.labels.unshift(made.id); // nested ones first when deleting
    return made;
  }

  async upload(raw: Buffer, how: Parameters<typeof uploadMessage>[2]): Promise<Uploaded> {
    const got = await this.attempt(() =>
      uploadMessage(this.api, { size: raw.length, body: raw }, how, this.signal),
    );
    if (how.op !== 'drafts.create') this.messages.push(got.id);
    return got;
  }

  async labelsOf(id: string): Promise<string[]> {
    const m = await this.call<{ labelIds?: string[] }>({
      op: 'messages.get',
      path: `/messages/${encodeURIComponent(id)}`,
      query: { format: 'minimal' },
    });
    return m.labelIds ?? [];
  }

  /** Delete what the run made; says what could not be deleted. */
  async cleanup(): Promise<LiveCheck> {
    const left: string[] = [];
    const del = async (op: GmailCall['op'], path: string, what: string) => {
      try {
        await this.call({ op, method: 'DELETE', path });
      } catch (err) {
        left.push(`${what} (${text(err)})`);
      }
    };
    for (const d of this.drafts) await del('drafts.delete', `/drafts/${encodeURIComponent(d)}`, `draft ${d}`);
    for (const m of this.messages)
      await del('messages.delete', `/messages/${encodeURIComponent(m)}`, `message ${m}`);
    for (const l of this.labels) await del('labels.delete', `/labels/${encodeURIComponent(l)}`, `label ${l}`);
    const made = `${this.messages.length} message(s), ${this.drafts.length} draft(s), ${this.labels.length} label(s)`;
    return left.length
      ? { name: 'cleanup', outcome: 'failed', detail: `left behind (delete by hand): ${left.join('; ')}` }
      : { name: 'cleanup', outcome: 'ok', detail: `deleted what the checks made: ${made}` };
  }

  /** What the throttling answers met during the run showed. */
  retryAfter(): LiveCheck {
    const name = 'throttling answers carry a wait that suffices (Retry-After)';
    if (this.throttled.length === 0)
      return {
        name,
        outcome: 'skipped',
        detail: 'no throttling answer came; Cutover does not provoke one (it would spend the mailbox quota)',
      };
    const waits = this.throttled.map((t) => `${Math.round(t.waitMs / 1000)} s`).join(', ');
    return this.throttled.every((t) => t.passed)
      ? {
          name,
          outcome: 'ok',
          detail: `Gmail asked to wait ${waits}; after waiting, the request went through`,
        }
      : {
          name,
          outcome: 'differs',
          detail: `Gmail asked to wait ${waits}; after waiting it throttled again`,
        };
  }
}
