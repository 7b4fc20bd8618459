/**
 * Mailbox discovery: the tenant's users (User.Read.All) whose mailbox settings (MailboxSettings.Read)
 * answer — user mailboxes and shared mailboxes (userPurpose), rooms and equipment flagged by kind; users
 * without an Exchange Online mailbox are left out. Four mailbox look-ups per `$batch` round trip.
 */
import { throwIfAborted } from '../../errors.js';
import type { DiscoveredMailbox } from '../contract.js';
import type { GraphClient } from './graph-client.js';

interface DirectoryUser {
  id: string;
  userPrincipalName: string;
  mail?: string | null;
  displayName?: string;
  accountEnabled?: boolean;
}

/** Pages of mailboxes found in the tenant. */
export async function* discoverMailboxes(
  client: GraphClient,
  signal?: AbortSignal,
): AsyncIterable<DiscoveredMailbox[]> {
  const url = '/users?$select=id,userPrincipalName,mail,displayName,accountEnabled&$top=999';
  for await (const page of client.pages<DirectoryUser>(url, signal)) {
    const withMail = page.filter((u) => u.mail);
    const found: DiscoveredMailbox[] = [];
    for (let i = 0; i < withMail.length; i += 4) {
      throwIfAborted(signal);
      const part = withMail.slice(i, i + 4);
      const answers = await client.batch(
        part.map((u) => ({ method: 'GET', url: `/users/${u.id}/mailboxSettings?$select=userPurpose` })),
        signal,
      );
      answers.forEach((a, j) => {
        const u = part[j]!;
        if (a.status === 200) {
          const kind = (a.body as { userPurpose?: string }).userPurpose ?? 'user';
          found.push({
            user: u.mail ?? u.userPrincipalName,
            name: u.displayName,
            kind,
            ...(u.accountEnabled === false && kind === 'user' ? { suspended: true } : {}),
          });
        } else if (a.status === 429 || a.status >= 500) throw client.batchFailure(a, 'discover mailboxes');
        // 404 MailboxNotEnabledForRESTAPI: a user without a mailbox, not listed.
      });
    }
    yield found;
  }
}
