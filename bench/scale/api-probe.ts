/**
 * The scale benchmark's API process: serves the real API (`buildServer`, through runtime.ts) over the
 * benchmark's store on a loopback port, sets up an operator and logs in as the server tests do, and times
 * GET requests of the tracker and of the mailbox table (its first page, as the UI opens it) over HTTP while
 * the run goes. A process of its own, as `cutover serve` would be beside the workers, so the workers' CPU
 * does not sit in its event loop; it competes with them for the cores, as it would on one machine.
 *
 * Started by run.ts with fork() (IPC): argv LOCATION PROJECT_ID FOLDERS ITEMS. Messages in: { phase } to
 * label the following samples, { stop: true } to answer with every sample ({ samples }) and exit.
 */
import { registerSynthetic } from './synthetic-connector.js';
import { openApiServer } from './runtime.js';

/** One timed request. */
export interface Sample {
  endpoint: 'tracker' | 'mailboxes';
  phase: string;
  ms: number;
  status: number;
}

/** What the probe says to its parent. */
export type ProbeMessage = { ready: true } | { samples: Sample[] } | { failed: string };

/** Time between two rounds of requests (a few browsers polling the tracker). */
const EVERY_MS = 250;
const OPERATOR = { user: 'bench', password: 'scale benchmark operator' };

async function main(): Promise<void> {
  const [location, projectText, folders, items] = process.argv.slice(2);
  if (!location || !projectText || !folders || !items)
    throw new Error('usage: api-probe.ts LOCATION PROJECT_ID FOLDERS ITEMS (started by bench/scale/run.ts)');
  registerSynthetic({ folders: Number(folders), items: Number(items) });
  const app = await openApiServer(location);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  const post = (url: string, body: unknown) =>
    fetch(`${base}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const setup = await post('/api/setup', OPERATOR);
  if (setup.status !== 201) throw new Error(`setting up the operator failed: ${await setup.text()}`);
  const login = await post('/api/login', OPERATOR);
  const session = /cutover_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
  if (login.status !== 200 || !session) throw new Error(`logging in failed: ${await login.text()}`);

  const urls = {
    tracker: `/api/projects/${projectText}/tracker`,
    mailboxes: `/api/projects/${projectText}/mailboxes`,
  } as const;
  const samples: Sample[] = [];
  let phase = 'idle';
  let stopping = false;
  const timeGet = async (endpoint: keyof typeof urls) => {
    const t0 = performance.now();
    const r = await fetch(`${base}${urls[endpoint]}`, { headers: { cookie: `cutover_session=${session}` } });
    await r.arrayBuffer();
    samples.push({ endpoint, phase, ms: performance.now() - t0, status: r.status });
  };
  const loop = (async () => {
    while (!stopping) {
      const started = Date.now();
      if (phase !== 'idle') {
        await timeGet('tracker');
        await timeGet('mailboxes');
      }
      await new Promise((r) => setTimeout(r, Math.max(0, EVERY_MS - (Date.now() - started))));
    }
  })();
  process.on('message', (m: { phase?: string; stop?: boolean }) => {
    if (m.phase) phase = m.phase;
    if (m.stop) {
      stopping = true;
      void loop
        .then(() => app.close())
        .then(() => process.send?.({ samples } satisfies ProbeMessage, () => process.exit(0)));
    }
  });
  process.send?.({ ready: true } satisfies ProbeMessage);
}

main().catch((err: unknown) => {
  process.send?.({ failed: err instanceof Error ? err.message : String(err) } satisfies ProbeMessage, () =>
    process.exit(1),
  );
});
