/**
 * The documented budgets of the systems on either side cap how fast one mailbox can go, whatever was
 * measured: Microsoft 365 allows 10,000 requests per 10 minutes and 150 MB uploaded per 5 minutes per app
 * and mailbox, so a 10 GB mailbox into Microsoft 365 needs hours however fast the network is. The connectors
 * declare their pace (Connector.mailboxPace); the estimate takes the slowest of the rates and both paces.
 */
import type { ServerSpec } from '../config/types.js';
import { connectorFor } from '../connectors/registry.js';

/** `rates` capped by the budgets of the source and destination, with the basis saying so. */
export function pacedRates(rates: Rates, servers: { source?: ServerSpec; destination?: ServerSpec }): Rates {
  let { messagesPerSecond, bytesPerSecond } = rates;
  const caps: string[] = [];
  for (const side of ['source', 'destination'] as const) {
    const server = servers[side];
    // A partial server (an estimate before the project is complete) has no kind yet: nothing to cap.
    const pace = server?.kind ? connectorFor(server.kind).mailboxPace?.(server, side) : undefined;
    if (!pace) continue;
    const bytes = pace.bytesPerSecond ?? Infinity;
    if (pace.messagesPerSecond >= messagesPerSecond && bytes >= bytesPerSecond) continue;
    messagesPerSecond = Math.min(messagesPerSecond, pace.messagesPerSecond);
    bytesPerSecond = Math.min(bytesPerSecond, bytes);
    caps.push(
      `${pace.basis} (at most ${pace.messagesPerSecond.toFixed(1)} messages/s${pace.bytesPerSecond ? ` and ${Math.round(pace.bytesPerSecond / 1024)} KB/s` : ''})`,
    );
  }
  if (!caps.length) return rates;
  return { messagesPerSecond, bytesPerSecond, basis: `${rates.basis}; capped by ${caps.join(' and ')}` };
}

/** Throughput of ONE mailbox. */
export interface Rates {
  messagesPerSecond: number;
  bytesPerSecond: number;
  /** Where the figures come from, in words. */
  basis: string;
}
