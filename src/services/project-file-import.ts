/**
 * `cutover serve --project FILE`: the file's project, its mailboxes (with their own item types and dates) and
 * the passwords the file or its mailboxes CSV gives them are stored, so a run from the browser logs in exactly
 * as `cutover migrate --project FILE` does. Passwords (inline, from an environment variable or a file) are
 * read once here and sealed in the store, as if entered by the operator (unchecked until a login uses them).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadProjectFile } from '../config/project-file.js';
import { resolveSecret } from '../config/secrets.js';
import type { AuthSpec, MailboxSpec, ProjectConfig } from '../config/types.js';
import { asCutoverError } from '../errors.js';
import type { SecretBox } from '../security/secret-box.js';
import { AlertRepo } from '../store/alert-repo.js';
import { CredentialRepo, type CredentialSide } from '../store/credential-repo.js';
import type { Store } from '../store/db.js';
import { MailboxRepo } from '../store/mailbox-repo.js';
import type { MailboxOverrides, ProjectMailboxRepo } from '../store/project-mailbox-repo.js';
import { ProjectRepo } from '../store/project-repo.js';
import { credentialContext } from './credential-service.js';
import { labelOf, mailboxKey } from './migration-service.js';
import { raisePassAlert } from './mailbox-alerts.js';

/**
 * Store the project file as a project by its name. Stored again only when the file (or its mailboxes CSV)
 * changed since the last start: edits made in the UI to a project whose file did not change survive a restart.
 */
export async function importProjectFile(
  store: Store,
  deps: {
    /** Stores the project's settings under its name (ProjectService.upsertFromConfig); returns its id. */
    projects: { upsertFromConfig(config: ProjectConfig): Promise<number> };
    members: ProjectMailboxRepo;
    box: SecretBox;
  },
  file: string,
  dataDir: string,
): Promise<void> {
  const { config } = loadProjectFile(file);
  const marker = path.join(
    dataDir,
    `project-file-${createHash('sha256').update(config.name).digest('hex').slice(0, 16)}.sha256`,
  );
  const digest = createHash('sha256').update(JSON.stringify(config)).digest('hex');
  const last = fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').trim() : '';
  if (last === digest && (await new ProjectRepo(store.db).byName(config.name))) return;
  const id = await deps.projects.upsertFromConfig(config);
  const repo = new MailboxRepo(store.db);
  const keys: string[] = [];
  const ids: Array<[number, MailboxSpec]> = [];
  for (const m of config.mailboxes) {
    const key = mailboxKey(config.source, config.destination, m);
    ids.push([
      await repo.upsert({ key, sourceUser: m.sourceUser, destUser: m.destUser, starred: m.starred }),
      m,
    ]);
    keys.push(key);
  }
  await deps.members.attach(id, keys);
  for (const [mailboxId, m] of ids) {
    await deps.members.update(mailboxId, { options: overrides(config, m) });
    await storePasswords(store, deps.box, mailboxId, m);
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 }); // with the store in PostgreSQL it may not exist yet
  fs.writeFileSync(marker, digest + '\n', { mode: 0o600 });
}

/** What a mailbox of the file sets for itself (item types, dates); the rest follows the project's defaults. */
function overrides(config: ProjectConfig, m: MailboxSpec): MailboxOverrides {
  const d = config.defaults;
  const o = m.options;
  const day = (t: Date | undefined) => (t ? t.toISOString().slice(0, 10) : null);
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
  return {
    ...(same(o.itemTypes, d.itemTypes) ? {} : { itemTypes: [...o.itemTypes] }),
    ...(day(o.since) !== day(d.since) ? { since: day(o.since) } : {}),
    ...(day(o.before) !== day(d.before) ? { before: day(o.before) } : {}),
  };
}

/**
 * Seal the mailbox's own passwords from the file. One that is already stored unchanged keeps its state (a
 * login that worked stays verified); one that cannot be read (an unset variable, a missing file) is not
 * stored and raises the mailbox's credentials-missing alert with the reason.
 */
async function storePasswords(
  store: Store,
  box: SecretBox,
  mailboxId: number,
  m: MailboxSpec,
): Promise<void> {
  const repo = new CredentialRepo(store.db);
  const sides: Array<[CredentialSide, AuthSpec | undefined]> = [
    ['source', m.sourceAuth],
    ['destination', m.destAuth],
  ];
  for (const [side, auth] of sides) {
    if (!auth || auth.kind !== 'password') continue;
    let password: string;
    try {
      password = resolveSecret(auth.password);
    } catch (err) {
      await raisePassAlert(
        new AlertRepo(store.db),
        mailboxId,
        labelOf(m),
        'credentials-missing',
        asCutoverError(err),
      );
      continue;
    }
    const context = credentialContext(mailboxId, side);
    const sealed = await repo.sealed(mailboxId, side);
    if (sealed && opens(box, sealed, context) === password) continue;
    await repo.put({
      mailboxId,
      side,
      sealed: box.seal(password, context),
      enteredBy: 'import',
      verifiedAt: null,
    });
  }
}

function opens(box: SecretBox, sealed: string, context: string): string | undefined {
  try {
    return box.open(sealed, context);
  } catch {
    return undefined; // sealed under another key: replaced
  }
}
