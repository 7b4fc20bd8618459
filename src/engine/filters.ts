/** Per-message decisions made before any body is fetched: date range and size limits. Each skip carries a reason. */
import type { MessageMeta } from '../connectors/contract.js';
import type { MailboxOptions } from '../config/types.js';

/** Why a message is not copied, or undefined when it should be. */
export function skipReason(
  m: MessageMeta,
  opts: MailboxOptions,
  destMaxBytes: number | undefined,
): string | undefined {
  if (m.skip) return m.skip;
  const day = (d: Date) => d.toISOString().slice(0, 10);
  if (opts.since && m.internalDate < opts.since)
    return `older than the date range (received ${day(m.internalDate)}, range starts ${day(opts.since)})`;
  if (opts.before && m.internalDate >= opts.before)
    return `newer than the date range (received ${day(m.internalDate)}, range ends before ${day(opts.before)})`;
  if (opts.maxMessageBytes !== undefined && m.size > opts.maxMessageBytes)
    return `larger than the configured maximum (${m.size} bytes > maxMessageSize ${opts.maxMessageBytes})`;
  if (destMaxBytes !== undefined && m.size > destMaxBytes)
    return `larger than the destination accepts (${m.size} bytes > APPENDLIMIT ${destMaxBytes}); raise the destination's limit and rerun to copy it`;
  return undefined;
}
