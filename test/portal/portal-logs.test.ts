/** The server's request log (pino, to stdout) never shows a personal link's token, nor a posted password. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTsxScript } from '../security/tsx-script.js';
import { tempDataDir } from '../integration/helpers.js';

test('request logs show /p/[link], not the token; the form body is not logged', async () => {
  const token = 'SECRETtokenSECRETtokenSECRETtokenSECRETtok';
  const app = new URL('../../src/server/app.ts', import.meta.url).href;
  const script = `
    const { buildServer } = await import(${JSON.stringify(app)});
    const app = await buildServer({ dataDir: ${JSON.stringify(tempDataDir())}, logger: true, commsIntervalMs: 0 });
    await app.inject({ method: 'GET', url: '/p/${token}' });
    await app.inject({ method: 'POST', url: '/p/${token}', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'form=x&source=VerySecretPassword' });
    await app.close();`;
  const log = await runTsxScript(script);
  assert.equal(log.match(/"url":"\/p\/\[link\]"/g)?.length, 2, log);
  assert.ok(!log.includes(token) && !log.includes('VerySecretPassword'), log);
});
