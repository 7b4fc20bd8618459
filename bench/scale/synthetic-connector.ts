/**
 * The scale benchmark's connector kind, `synthetic`: a generated source (synthetic-source.ts) and a
 * destination that throws the bytes away (null-destination.ts), with no server behind either. It is never
 * part of the application: `registerSynthetic` adds it to this process's registry through `addKind` (the
 * hook src/connectors/registry.ts keeps for tests and benchmarks), so a stored project whose servers are
 * `kind: synthetic` runs through the real planner, queue, workers and ledger. Every process that runs or
 * serves such a project registers it first, with the same shape.
 */
import type { AuthSpec } from '../../src/config/types.js';
import type {
  ConnectionReport,
  Connector,
  MailDestination,
  MailSource,
} from '../../src/connectors/contract.js';
import type { ConnectorDescriptor } from '../../src/connectors/descriptor.js';
import { addKind } from '../../src/connectors/registry.js';
import { NullDestination } from './null-destination.js';
import type { SyntheticShape } from './synthetic-messages.js';
import { SyntheticSource } from './synthetic-source.js';

/** The kind's name in a project's servers. */
export const SYNTHETIC_KIND = 'synthetic';

/** Opens synthetic mailboxes: the login's user names the mailbox; there is nothing to log in to. */
export class SyntheticConnector implements Connector {
  readonly kind = SYNTHETIC_KIND;

  constructor(private readonly shape: SyntheticShape) {}

  async openSource(_server: unknown, auth: AuthSpec): Promise<MailSource> {
    return new SyntheticSource(this.shape, auth.user);
  }

  async openDestination(_server: unknown, auth: AuthSpec): Promise<MailDestination> {
    return new NullDestination(auth.user);
  }

  async testLogin(): Promise<ConnectionReport> {
    return { capabilities: ['CONDSTORE', 'UIDPLUS'], delimiter: '/', folders: this.shape.folders };
  }
}

/** The descriptor `addKind` takes: a source and a destination, no settings block, no discovery. */
export function syntheticDescriptor(shape: SyntheticShape): ConnectorDescriptor {
  const connector = new SyntheticConnector(shape);
  return {
    kind: SYNTHETIC_KIND,
    label: 'Synthetic mailboxes (scale benchmark)',
    name: 'synthetic',
    roles: ['source', 'destination'],
    urlSchemes: {},
    defaultPort: () => 0,
    discovery: false,
    create: () => connector,
  };
}

/** Make `kind: synthetic` known in this process; returns its removal. */
export function registerSynthetic(shape: SyntheticShape): () => void {
  return addKind(syntheticDescriptor(shape));
}
