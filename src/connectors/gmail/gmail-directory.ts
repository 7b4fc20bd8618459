/**
 * Discovery of Google Workspace users through the Admin SDK Directory API (users.list with
 * customer=my_customer, 500 a page), as the Workspace admin the service account acts for.
 */
import { ErrorCode, PermanentError, throwIfAborted } from '../../errors.js';
import type { DiscoveredMailbox } from '../contract.js';
import { DIRECTORY_SCOPE, TokenSource } from './gmail-auth.js';
import type { GmailTarget } from './gmail-config.js';
import { mapGmailError } from './gmail-errors.js';
import { readText, send } from './gmail-http.js';

interface DirectoryUser {
  primaryEmail: string;
  name?: { fullName?: string };
  suspended?: boolean;
  archived?: boolean;
}

/** Every user of the domain, page by page. */
export async function* listDirectoryUsers(
  target: GmailTarget,
  signal?: AbortSignal,
): AsyncIterable<DiscoveredMailbox[]> {
  if (target.credential.kind !== 'service-account')
    throw new PermanentError(
      ErrorCode.ConfigInvalid,
      `${target.where}: listing users needs a service account acting for a Workspace admin.`,
      'Give the server an admin (user: the admin address, password: the service account JSON key, mode: master).',
    );
  const tokens = new TokenSource(target.credential, target.tokenUrl, `${target.where} (directory)`);
  let pageToken: string | undefined;
  do {
    throwIfAborted(signal);
    const u = new URL(`${target.directoryUrl}/admin/directory/v1/users`);
    u.searchParams.set('customer', 'my_customer');
    u.searchParams.set('maxResults', '500');
    u.searchParams.set('orderBy', 'email');
    if (pageToken) u.searchParams.set('pageToken', pageToken);
    const token = await tokens.token(DIRECTORY_SCOPE, signal);
    const res = await send(
      { method: 'GET', url: u.toString(), headers: { authorization: `Bearer ${token}` } },
      target.where,
      signal,
    );
    const text = await readText(res, target.where);
    if (res.statusCode !== 200)
      throw mapGmailError(res.statusCode ?? 0, text, undefined, `${target.where} users.list`);
    const page = JSON.parse(text) as { users?: DirectoryUser[]; nextPageToken?: string };
    yield (page.users ?? []).map((x) => ({
      user: x.primaryEmail,
      name: x.name?.fullName,
      suspended: !!(x.suspended || x.archived),
    }));
    pageToken = page.nextPageToken;
  } while (pageToken);
}
