import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchChromium, newContext } from '../harness/chromium.js';

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => browser?.close());

test('the harness Chromium loads a page from a loopback server and runs its script', async () => {
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end(
      '<title>t</title><p id="p">x</p><script>document.getElementById("p").textContent = "ran"</script>',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const context = await newContext(browser, `http://127.0.0.1:${port}`);
    const page = await context.newPage();
    await page.goto('/');
    assert.equal(await page.textContent('#p'), 'ran');
    await context.close();
  } finally {
    server.close();
  }
});
