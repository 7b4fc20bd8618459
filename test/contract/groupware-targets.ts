/**
 * What the groupware half of the connector contract suite needs from one system under test. Each adapter
 * (groupware-adapters.ts) starts its server or emulator and hands back a target; the checks
 * (groupware-contract.ts) are the same for every target, and what a system does differently is said here as
 * data, never as a branch on its name.
 */
import type { GroupwareEndpoint } from '../../src/connectors/groupware-contract.js';

/** How a system keeps tasks (VTODO), when it has task lists at all. */
export type TaskSupport =
  /** Tasks come back with their UID and the same meaning (a VTODO calendar that keeps what it is given). */
  | { exact: true }
  /** Tasks are written and read back, but the system cannot keep UID or all fields; why, in words. */
  | { exact: false; why: string };

/** One running system, ready for the groupware checks. */
export interface GroupwareTarget {
  /** A fresh groupware endpoint of the test mailbox. */
  open: () => Promise<GroupwareEndpoint>;
  /** The default collections the system has before anyone makes one (Radicale makes none for a new user). */
  defaults: { calendar: boolean; addressbook: boolean };
  /** Task lists; absent when the system has none. */
  tasks?: TaskSupport;
  /**
   * Set when the system has exactly one address book, onto which every address book is mapped under its own
   * name (Google contacts): the reason, in words. The address-book half of the ensureCollection check is
   * then run as "maps onto the one address book" instead of "keeps the display name".
   */
  singleAddressBook?: string;
  /**
   * Set when a delta by token may also list items that did not change (their ETag as before), and why: the
   * check then accepts such extra entries, never a missing change or a changed item listed twice.
   */
  deltaListsUnchanged?: string;
  /** Invitations or notifications the system would have sent to attendees so far (emulators record them). */
  notificationsSent?: () => number;
  stop: () => Promise<void>;
}

/** A named way to start a target. Add one entry per system to `groupwareAdapters` in groupware-adapters.ts. */
export interface GroupwareAdapter {
  name: string;
  start: () => Promise<GroupwareTarget>;
}
