/**
 * `cutover alerts`: what needs a person — list, complete or archive. Completing and archiving go through
 * the same service as the API's buttons, so each change is recorded and `undo` works on it.
 */
import { buildServices } from '../../app/compose.js';
import { openStoreAt } from '../../store/db.js';
import { AlertRepo } from '../../store/alert-repo.js';
import { MailboxRepo } from '../../store/mailbox-repo.js';
import { ErrorCode, NotFoundError, PermanentError } from '../../errors.js';
import { resolveDataDir, resolveStore } from '../context.js';

export interface AlertsOptions {
  project?: string;
  dataDir?: string;
  databaseUrl?: string;
  all?: boolean;
  complete?: string;
  archive?: string;
  format: 'text' | 'json';
}

export async function alertsCommand(o: AlertsOptions): Promise<void> {
  const dataDir = resolveDataDir(o);
  const store = await openStoreAt(resolveStore(o));
  try {
    const alerts = new AlertRepo(store.db);
    const actions = buildServices(store, { dataDir }).alerts;
    for (const [flag, action] of [
      [o.complete, 'complete'],
      [o.archive, 'archive'],
    ] as const) {
      if (flag === undefined) continue;
      try {
        await actions.set(Number(flag), action);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
        throw new PermanentError(
          ErrorCode.ConfigInvalid,
          `No alert ${flag}.`,
          'List them with `cutover alerts --all`.',
        );
      }
    }
    const names = new Map((await new MailboxRepo(store.db).list()).map((m) => [m.id, m.sourceUser]));
    const list = await alerts.list(o.all ? undefined : 'active');
    if (o.format === 'json') {
      process.stdout.write(
        JSON.stringify(
          list.map((a) => ({ ...a, mailbox: a.mailboxId === null ? null : names.get(a.mailboxId) })),
          null,
          2,
        ) + '\n',
      );
      return;
    }
    if (list.length === 0) process.stdout.write(o.all ? 'No alerts.\n' : 'No active alerts.\n');
    for (const a of list)
      process.stdout.write(
        `#${a.id} ${a.level === 'critical' ? '✗ critical' : '! advisory'}  ${a.type}  ${a.mailboxId === null ? 'project' : (names.get(a.mailboxId) ?? a.mailboxId)}${o.all ? `  [${a.status}]` : ''}\n    ${a.text}\n`,
      );
  } finally {
    await store.close();
  }
}
