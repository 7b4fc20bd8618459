/** Graph message → the engine's MessageMeta (fingerprint facts, flags, dates). */
import { createHash } from 'node:crypto';
import type { MessageMeta } from '../contract.js';
import { extValue, flagsOf, PROP, type FlagFacts } from './graph-flags.js';
import type { SourceIdentity } from './mime-to-graph.js';

/** What a metadata listing selects. */
export const META_SELECT =
  'id,internetMessageId,receivedDateTime,isRead,isDraft,flag,categories,internetMessageHeaders';
/** What a flags-only listing selects. */
export const FLAGS_SELECT = 'id,isRead,isDraft,flag,categories';
const ids = (list: string[]) => list.map((id) => `id eq '${id}'`).join(' or ');
/** Extended properties a metadata listing expands (size, last verb, Cutover's identity and pending marker). */
export const META_EXPAND = `singleValueExtendedProperties($filter=${ids([PROP.size, PROP.lastVerb, PROP.source, PROP.pending])})`;
/** Extended properties a flags-only listing expands. */
export const FLAGS_EXPAND = `singleValueExtendedProperties($filter=${ids([PROP.lastVerb])})`;

/** A message as the listings return it. */
export interface GraphMessage extends FlagFacts {
  id: string;
  internetMessageId?: string | null;
  receivedDateTime?: string;
  internetMessageHeaders?: Array<{ name: string; value: string }>;
}

/** Turn a Graph message into MessageMeta under the given key. */
export function metaOf(uid: number, m: GraphMessage): MessageMeta {
  const written = extValue(m, PROP.source);
  let facts: SourceIdentity | undefined;
  try {
    facts = written ? (JSON.parse(written) as SourceIdentity) : undefined;
  } catch {
    facts = undefined;
  }
  const date = m.internetMessageHeaders?.find((h) => h.name.toLowerCase() === 'date')?.value;
  // A message Cutover wrote carries the source's identity (exact size, Message-ID, Date, header hash):
  // Exchange rewrites MIME, so only these make it match its source again without the ledger.
  const messageId = facts ? facts.id : m.internetMessageId?.replace(/[<>\s]/g, '') || undefined;
  const meta: MessageMeta = {
    uid,
    size: facts?.size ?? Number(extValue(m, PROP.size) ?? 0),
    internalDate: new Date(m.receivedDateTime ?? 0),
    flags: flagsOf(m),
    dateHeader: (facts ? facts.date : date?.replace(/\s+/g, ' ').trim()) || undefined,
  };
  if (messageId) meta.messageId = messageId;
  else
    meta.headerHash =
      facts?.hh ??
      createHash('sha256')
        .update((m.internetMessageHeaders ?? []).map((h) => `${h.name}: ${h.value}`).join('\n'))
        .digest('hex');
  return meta;
}

/** Flags-only meta (cheap delta re-sync of flags). */
export function flagsMetaOf(uid: number, m: GraphMessage): MessageMeta {
  return { uid, size: 0, internalDate: new Date(m.receivedDateTime ?? 0), flags: flagsOf(m) };
}
