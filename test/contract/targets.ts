/**
 * What the shared connector contract suite needs from one system under test. Each adapter (adapters.ts)
 * starts its server or emulator and hands back a target; the suites (destination-contract.ts,
 * source-contract.ts) run the same checks against every target.
 */
import type { MailDestination, MailSource } from '../../src/connectors/contract.js';
import type { SpecialUse } from '../../src/connectors/special-use.js';

/** A message to put into a source mailbox directly (bypassing the connector under test). */
export interface SeedMessage {
  raw: Buffer;
  flags?: string[];
  internalDate?: Date;
}

/** One running system, ready for the suites. */
export interface ContractTarget {
  /** A fresh destination connection to the test mailbox; absent when the system cannot be written to. */
  openDestination?: () => Promise<MailDestination>;
  /** A fresh source connection to the test mailbox; absent when the system cannot be read from. */
  openSource?: () => Promise<MailSource>;
  /** Put messages into a folder (created with its parents when missing) behind the connector's back. */
  seed?: (path: string[], messages: SeedMessage[]) => Promise<void>;
  /** Special-use folders the destination must list from the start (e.g. Graph's well-known folders). */
  specialUses: SpecialUse[];
  /** Size of the "large message" case: at or above the system's special upload path where it has one. */
  largeBytes: number;
  stop: () => Promise<void>;
}

/** A named way to start a target. Add one entry per system to `adapters` in adapters.ts. */
export interface ContractAdapter {
  name: string;
  /** A system that can only be read (mbox files): the destination suite is not run on it. */
  sourceOnly?: boolean;
  start: () => Promise<ContractTarget>;
}
