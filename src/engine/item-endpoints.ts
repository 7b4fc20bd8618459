/**
 * Opening a side's endpoint for the item types that are not mail: its filters (`Connector.openFilters`) and
 * its contacts, calendars and tasks (`Connector.openGroupware`, or the CalDAV/CardDAV server beside its mail
 * server, `ServerSpec.groupware`). The passes (filters-sync.ts, groupware-sync.ts) and the scan
 * (item-scan.ts) open them the same way, so a scan that could read a side means the pass can too.
 */
import type { AuthSpec, ServerSpec } from '../config/types.js';
import type { Connector } from '../connectors/contract.js';
import type { FilterEndpoint } from '../connectors/filters-contract.js';
import type { GroupwareEndpoint } from '../connectors/groupware-contract.js';
import { connectorFor } from '../connectors/registry.js';
import { ErrorCode, PermanentError } from '../errors.js';

/** One side of a mailbox: its system, server and login. */
export interface ItemSide {
  connector: Connector;
  server: ServerSpec;
  auth: AuthSpec;
}

/** The side's filters; a system without any is a NotConfigured error that says what to do. */
export async function openFiltersOf(
  e: ItemSide,
  side: string,
  signal?: AbortSignal,
): Promise<FilterEndpoint> {
  if (!('openFilters' in e.connector) || e.connector.openFilters === undefined)
    throw new PermanentError(
      ErrorCode.NotConfigured,
      `The ${side} (${e.connector.kind}) has no filters Cutover can move.`,
      'Leave `filters` out of the item types for this mailbox.',
    );
  return e.connector.openFilters(e.server, e.auth, signal);
}

/** The server holding the side's contacts, calendars and tasks (the one beside it, else the side's own). */
export function groupwareServerOf(e: ItemSide): ServerSpec {
  return e.server.groupware ?? e.server;
}

/** The side's contacts, calendars and tasks; a system without any is a NotConfigured error. */
export async function openGroupwareOf(
  e: ItemSide,
  side: string,
  signal?: AbortSignal,
): Promise<GroupwareEndpoint> {
  // A CalDAV/CardDAV server beside the mail server holds this side's groupware, with the mailbox's login.
  const beside = e.server.groupware;
  if (beside) {
    const c = connectorFor(beside.kind);
    if (c.openGroupware) return c.openGroupware(beside, e.auth, signal);
  }
  if (!('openGroupware' in e.connector) || e.connector.openGroupware === undefined)
    throw new PermanentError(
      ErrorCode.NotConfigured,
      `The ${side} (${e.connector.kind}) has no contacts, calendars or tasks Cutover can move.`,
      'Leave contacts, calendars and tasks out of the item types for this mailbox, or give the side a CalDAV/CardDAV server.',
    );
  return e.connector.openGroupware(e.server, e.auth, signal);
}
