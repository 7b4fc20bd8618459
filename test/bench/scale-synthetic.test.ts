/**
 * The scale benchmark's synthetic kind (bench/scale/), small: its messages are a pure function of (mailbox,
 * folder, uid), and a stored project of synthetic mailboxes runs through the benchmark's runtime (the
 * embedded store, in-process workers over `startWorker`): the first pass copies every item once with a UID
 * from the destination, the unchanged delta pass copies nothing. No server is involved: the source is
 * generated and the destination throws the bytes away.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { descriptorFor, descriptors } from '../../src/connectors/registry.js';
import { enqueueRun, waitForRun } from '../../src/services/shared-runs.js';
import { NullDestination } from '../../bench/scale/null-destination.js';
import { registerSynthetic, SYNTHETIC_KIND } from '../../bench/scale/synthetic-connector.js';
import { syntheticBody, syntheticMeta } from '../../bench/scale/synthetic-messages.js';
import { createProject } from '../../bench/scale/synthetic-project.js';
import { openRuntime } from '../../bench/scale/runtime.js';

const shape = { folders: 3, items: 40 };
const unregister = registerSynthetic(shape);
after(() => unregister());

test('a synthetic message is the same bytes every time, 1–4 KB, its size as listed', () => {
  for (const uid of [1, 2, 17, 400]) {
    const a = syntheticBody('user00001', 2, uid);
    assert.deepEqual(a, syntheticBody('user00001', 2, uid));
    const meta = syntheticMeta('user00001', 2, uid);
    assert.equal(a.length, meta.size);
    assert.ok(meta.size >= 1024 && meta.size < 4096, String(meta.size));
    assert.match(
      a.toString('latin1'),
      new RegExp(`^Message-ID: <${meta.messageId!.replace(/\./g, '\\.')}>\r\n`),
    );
    assert.ok(a.toString('latin1').endsWith('\r\n'));
  }
  assert.notDeepEqual(syntheticBody('user00001', 2, 1), syntheticBody('user00002', 2, 1));
});

test('the kind is known to this process but not offered in the list of kinds', () => {
  assert.equal(descriptorFor(SYNTHETIC_KIND)?.kind, SYNTHETIC_KIND);
  assert.ok(!descriptors.some((d) => d.kind === SYNTHETIC_KIND));
  assert.throws(() => registerSynthetic(shape), /exists already/);
});

test('the null destination reads each body, numbers the copies and refuses a body of the wrong size', async () => {
  const dst = new NullDestination('null-test');
  await dst.ensureFolder(['A']);
  const body = syntheticBody('x', 0, 1);
  const item = { size: body.length, body, flags: [], internalDate: new Date() };
  const r = await dst.append(['A'], [item, item]);
  assert.deepEqual(
    r.map((x) => x.uid),
    [1, 2],
  );
  assert.deepEqual(
    { ...(await dst.folderState(['A'])), uidValidity: 'v' },
    { uidValidity: 'v', uidNext: 3, messages: 2 },
  );
  await assert.rejects(dst.append(['A'], [{ ...item, size: body.length + 1 }]), /announced/);
});

test('a stored project of synthetic mailboxes: the first pass copies all, the delta pass nothing', async () => {
  const rt = await openRuntime({ workers: 2, concurrency: 2, shape, keep: false });
  try {
    const id = await createProject(rt.deps, 6, 4);
    const first = await waitForRun(rt.store, await enqueueRun({ ...rt.deps, queue: rt.queue }, id), {
      everyMs: 50,
    });
    assert.equal(first.run.state, 'done');
    assert.deepEqual(
      first.mailboxes.map((m) => [m.state, m.counters?.copied]),
      Array.from({ length: 6 }, () => ['done', 40]),
    );
    // Both workers ran mailboxes.
    assert.equal(new Set(first.mailboxes.map((m) => m.worker)).size, 2);
    const rows = await rt.store.db.selectFrom('ledger').select(['status', 'dest_uid']).execute();
    assert.equal(rows.length, 6 * 40);
    assert.ok(rows.every((r) => r.status === 'copied' && r.dest_uid !== null));
    const delta = await waitForRun(rt.store, await enqueueRun({ ...rt.deps, queue: rt.queue }, id), {
      everyMs: 50,
    });
    assert.deepEqual(
      delta.mailboxes.map((m) => [m.state, m.counters?.copied]),
      Array.from({ length: 6 }, () => ['done', 0]),
    );
    assert.ok((await rt.databaseBytes()) > 0);
  } finally {
    await rt.close();
  }
  assert.equal(existsSync(rt.location), false, 'close() removes the data directory');
});
