/**
 * MSAL's token cache kept across restarts, encrypted: a cache plugin that reads the serialized cache before
 * MSAL looks at it and writes it back after a change, sealed with the data directory's secret box
 * (AES-256-GCM, secret-box.ts) in a 0600 file, one per authority + app. A restarted Cutover reuses a token
 * still valid instead of asking Entra ID again. The directory is the data directory the application hands
 * the connector (ConnectorContext.dataDir); without one the cache stays in memory.
 * A file that cannot be opened (another key, damaged) is ignored and replaced: tokens are re-acquired.
 * Workers sharing one store hand the connector a kept-secrets hook instead (ConnectorContext.keptSecrets):
 * then the cache is kept there, under the same name, sealed by the application, and shared by every worker.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ICachePlugin, TokenCacheContext } from '@azure/msal-node';
import type { SecretBox } from '../../security/secret-box.js';
import { openSecretBox } from '../../security/secret-key.js';
import type { KeptSecrets } from '../context-hooks.js';

const CONTEXT = 'graph-token-cache';

/** Reads and writes one app's sealed cache file (see the file comment). */
export class SealedCachePlugin implements ICachePlugin {
  constructor(
    readonly file: string,
    private readonly box: SecretBox,
  ) {}

  async beforeCacheAccess(ctx: TokenCacheContext): Promise<void> {
    let sealed: string;
    try {
      sealed = await readFile(this.file, 'utf8');
    } catch {
      return; // no cache yet
    }
    try {
      ctx.tokenCache.deserialize(this.box.open(sealed.trim(), CONTEXT));
    } catch {
      // Sealed with another key or damaged: start empty; the next change overwrites it.
    }
  }

  async afterCacheAccess(ctx: TokenCacheContext): Promise<void> {
    if (!ctx.cacheHasChanged) return;
    // Written whole under another name, then renamed: a reader never sees half a file.
    const tmp = `${this.file}.${randomUUID()}.tmp`;
    try {
      await writeFile(tmp, this.box.seal(ctx.tokenCache.serialize(), CONTEXT), { mode: 0o600, flag: 'wx' });
      await rename(tmp, this.file);
    } catch {
      await unlink(tmp).catch(() => undefined); // the cache stays in memory; persisting is best effort
    }
  }
}

/** Reads and writes one app's cache through the application's kept-secrets hook (see the file comment). */
export class KeptCachePlugin implements ICachePlugin {
  constructor(
    readonly name: string,
    private readonly kept: KeptSecrets,
  ) {}

  async beforeCacheAccess(ctx: TokenCacheContext): Promise<void> {
    const text = await this.kept.get(this.name).catch(() => undefined);
    if (text === undefined) return; // none yet, or the store could not be read: tokens are re-acquired
    try {
      ctx.tokenCache.deserialize(text);
    } catch {
      // Damaged: start empty; the next change overwrites it.
    }
  }

  async afterCacheAccess(ctx: TokenCacheContext): Promise<void> {
    if (!ctx.cacheHasChanged) return;
    await this.kept.put(this.name, ctx.tokenCache.serialize()).catch(() => undefined); // best effort
  }
}

/** Where an app's token cache is kept: the application's store when it hands a hook, else the data directory. */
export interface TokenCacheHome {
  dataDir?: string;
  keptSecrets?: KeptSecrets;
}

/** The cache's name for one authority + app (the same in a file name and in the store). */
function cacheName(authority: string, clientId: string): string {
  return `graph-tokens-${createHash('sha256').update(`${authority}\n${clientId}`).digest('hex').slice(0, 24)}`;
}

/**
 * The plugin for one authority + app: in the store through `home.keptSecrets` when given, else in
 * `home.dataDir` (sealedCacheFor); undefined with neither (memory only).
 */
export function cachePluginFor(
  home: TokenCacheHome,
  authority: string,
  clientId: string,
  env: NodeJS.ProcessEnv = process.env,
): ICachePlugin | undefined {
  if (home.keptSecrets) return new KeptCachePlugin(cacheName(authority, clientId), home.keptSecrets);
  return sealedCacheFor(home.dataDir, authority, clientId, env);
}

/**
 * The plugin for one authority + app in `dir`, sealed with that directory's secret key (or CUTOVER_SECRET_KEY,
 * as the secret box says); undefined without a directory.
 */
export function sealedCacheFor(
  dir: string | undefined,
  authority: string,
  clientId: string,
  env: NodeJS.ProcessEnv = process.env,
): SealedCachePlugin | undefined {
  if (!dir) return undefined;
  return new SealedCachePlugin(
    path.join(dir, `${cacheName(authority, clientId)}.sealed`),
    openSecretBox(dir, env),
  );
}
