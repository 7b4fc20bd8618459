/**
 * `cutover test --live` for Microsoft 365: each behaviour the Graph connector relies on, tried on the test
 * mailbox in a scratch folder that is deleted afterwards — because the documentation is silent or ambiguous
 * on several of them and a tenant is the only place to find out:
 * - a message created from JSON with PR_MESSAGE_FLAGS without MSGFLAG_UNSENT is not a draft;
 * - extended properties set at creation read back (PidTagInReplyToId, PidTagInternetReferences, Cutover's
 *   named property) — threading and recognising copies depend on them;
 * - an attachment added to a message created as a non-draft (POST, and an upload session) — documented only
 *   for drafts; what the `json` write path needs for attachments over the 4 MB create;
 * - a non-draft message created in Sent Items (imported sent mail);
 * - throttling answers carry Retry-After (a short burst over the 4-request concurrency limit).
 */
import type { LiveCheck } from '../contract.js';
import { asCutoverError } from '../../errors.js';
import { addAttachment } from './graph-attach.js';
import type { GraphClient } from './graph-client.js';
import { userPath } from './graph-config.js';
import { extValue, PROP, type FlagFacts } from './graph-flags.js';
import { HEADER_PROP } from './graph-headers.js';
import { readAll, send } from './graph-transport.js';

const SCRATCH = 'Cutover live check';
const said = (err: unknown) => asCutoverError(err).message;

type Made = FlagFacts & { id: string; isDraft?: boolean; parentFolderId?: string };

/** Run the live checks on `client`'s mailbox; the scratch folder is removed whatever happens. */
export async function graphLiveChecks(client: GraphClient, signal?: AbortSignal): Promise<LiveCheck[]> {
  const base = userPath(client.target);
  const out: LiveCheck[] = [];
  const check = async (name: string, run: () => Promise<Omit<LiveCheck, 'name'>>) => {
    try {
      out.push({ name, ...(await run()) });
    } catch (err) {
      out.push({ name, outcome: 'failed', detail: said(err) });
    }
  };
  const folder = await client.json<{ id: string }>(
    'POST',
    `${base}/mailFolders`,
    {
      body: { displayName: `${SCRATCH} ${new Date().toISOString().replace(/[:.]/g, '-')}` },
      what: 'create scratch folder',
    },
    signal,
  );
  const sentIds: string[] = [];
  try {
    const ids = [PROP.source, HEADER_PROP.inReplyTo, HEADER_PROP.references];
    const create = (folderId: string, subject: string) =>
      client.json<Made>(
        'POST',
        `${base}/mailFolders/${folderId}/messages`,
        {
          body: {
            subject,
            body: { contentType: 'text', content: 'Cutover live check: safe to delete.' },
            singleValueExtendedProperties: [
              { id: PROP.messageFlags, value: '1' },
              { id: HEADER_PROP.inReplyTo, value: '<parent@cutover.invalid>' },
              { id: HEADER_PROP.references, value: '<root@cutover.invalid> <parent@cutover.invalid>' },
              { id: PROP.source, value: '{"size":1}' },
            ],
          },
          what: 'create a test message',
        },
        signal,
      );
    const made = await create(folder.id, 'Cutover live check');
    await check('non-draft creation from JSON', async () =>
      made.isDraft === false
        ? { outcome: 'ok', detail: 'created with PR_MESSAGE_FLAGS = read, not unsent: isDraft is false' }
        : { outcome: 'differs', detail: `isDraft is ${String(made.isDraft)}: copies would show as drafts` },
    );
    await check('extended properties read back', async () => {
      const filter = ids.map((i) => `id eq '${i}'`).join(' or ');
      const back = await client.json<Made>(
        'GET',
        `${base}/messages/${made.id}?$select=id&$expand=singleValueExtendedProperties($filter=${encodeURIComponent(filter)})`,
        { what: 'read back extended properties' },
        signal,
      );
      const lost = ids.filter((i) => extValue(back, i) === undefined);
      return lost.length
        ? { outcome: 'differs', detail: `not returned: ${lost.join(', ')}` }
        : { outcome: 'ok', detail: 'In-Reply-To, References and Cutover’s identity property read back' };
    });
    await check('attachment added to a non-draft message', async () => {
      const small = {
        name: 'small.txt',
        contentType: 'text/plain',
        isInline: false,
        size: 11,
        content: Buffer.from('live check\n'),
      };
      const big = {
        ...small,
        name: 'large.bin',
        contentType: 'application/octet-stream',
        size: 3_500_000,
        content: Buffer.alloc(3_500_000, 0x61),
      };
      const tried: string[] = [];
      for (const a of [small, big])
        try {
          await addAttachment(client, made.id, a, undefined, () => undefined, signal);
          tried.push(`${a.name === 'small.txt' ? 'POST' : 'upload session'}: taken`);
        } catch (err) {
          return {
            outcome: 'differs',
            detail: `${a.name === 'small.txt' ? 'POST' : 'upload session'} refused (${said(err)}): use graph.writePath auto or imap for messages whose attachments do not fit into 4 MB`,
          };
        }
      return { outcome: 'ok', detail: tried.join('; ') };
    });
    await check('non-draft message imported into Sent Items', async () => {
      const sent = await client.json<{ id: string }>(
        'GET',
        `${base}/mailFolders/sentitems?$select=id`,
        { what: 'find Sent Items' },
        signal,
      );
      const m = await create('sentitems', 'Cutover live check (Sent Items)');
      sentIds.push(m.id);
      return m.isDraft === false && (m.parentFolderId === undefined || m.parentFolderId === sent.id)
        ? { outcome: 'ok', detail: 'created in Sent Items as a non-draft' }
        : { outcome: 'differs', detail: `isDraft ${String(m.isDraft)}, folder ${m.parentFolderId ?? '?'}` };
    });
    await check('throttling answers carry Retry-After', () => burst(client, signal));
  } finally {
    for (const id of sentIds)
      await client
        .json('DELETE', `${base}/messages/${id}`, { what: 'remove the Sent Items test message' })
        .catch(() => undefined);
    await client
      .json('DELETE', `${base}/mailFolders/${folder.id}`, { what: 'remove the scratch folder' })
      .catch((err: unknown) =>
        out.push({ name: 'scratch folder removed', outcome: 'failed', detail: said(err) }),
      );
  }
  return out;
}

/** Eight GETs at once (over the 4-request limit, outside Cutover's gate): does a 429 say how long to wait? */
async function burst(client: GraphClient, signal?: AbortSignal): Promise<Omit<LiveCheck, 'name'>> {
  const token = await client.tokens.token();
  const url = `${client.target.baseUrl}${userPath(client.target)}/mailFolders/inbox?$select=id`;
  const answers = await Promise.all(
    Array.from({ length: 8 }, async () => {
      const res = await send(
        url,
        { method: 'GET', headers: { authorization: `Bearer ${token}` }, insecure: client.target.insecure },
        client.target.where,
        signal,
      );
      await readAll(res);
      return { status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] };
    }),
  );
  const throttled = answers.filter((a) => a.status === 429 || a.status === 503);
  if (!throttled.length)
    return { outcome: 'skipped', detail: 'no 429 came from 8 requests at once: Retry-After not observed' };
  const bad = throttled.filter((a) => !/^\d+$/.test(String(a.retryAfter ?? '')));
  return bad.length
    ? {
        outcome: 'differs',
        detail: `${bad.length} of ${throttled.length} throttling answers had no Retry-After in seconds`,
      }
    : {
        outcome: 'ok',
        detail: `${throttled.length} of 8 throttled, each with Retry-After (${throttled.map((a) => a.retryAfter).join(', ')} s)`,
      };
}
