/**
 * The connectors' kept-secrets hook (ConnectorContext.keptSecrets, connectors/context-hooks.ts) over
 * PostgreSQL: values sealed with the installation's secret box (AES-256-GCM, security/secret-box.ts; every
 * worker needs the same key, CUTOVER_SECRET_KEY) under a context naming the entry, so a sealed value copied
 * to another name does not open there. A value that cannot be opened (another key, damaged) reads as
 * absent: the connector starts afresh and its next write replaces it. It satisfies the hook by shape.
 *
 * Wiring: `keptSecrets: new PgKeptSecrets(pool, openSecretBox(dataDir))` in the ConnectorContext.
 */
import type { SecretBox } from '../../security/secret-box.js';
import { KvSecretRepo } from '../../store/kv-secret-repo.js';
import { limitsDb, type LimitsDb, type PgTarget } from './pg-db.js';

export class PgKeptSecrets {
  private readonly handle: LimitsDb;
  private readonly repo: KvSecretRepo;

  constructor(
    target: PgTarget,
    private readonly box: SecretBox,
  ) {
    this.handle = limitsDb(target);
    this.repo = new KvSecretRepo(this.handle.db);
  }

  async get(name: string): Promise<string | undefined> {
    const sealed = await this.repo.get(name);
    if (sealed === undefined) return undefined;
    try {
      return this.box.open(sealed, context(name));
    } catch {
      return undefined;
    }
  }

  async put(name: string, value: string): Promise<void> {
    await this.repo.put(name, this.box.seal(value, context(name)));
  }

  /** Let go of the database handle (the application's pool stays open). */
  close(): Promise<void> {
    return this.handle.close();
  }
}

function context(name: string): string {
  return `kv-secret:${name}`;
}
