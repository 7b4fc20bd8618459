/**
 * The source half of the shared connector contract suite: every MailSource must pass it (folders incl.
 * nested, stable folder state that moves when mail arrives, ascending keys, metadata with Message-ID and
 * Date for fingerprints, bodies streamed with exactly their announced size).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { MailSource, MessageMeta, SourceFolderReader } from '../../src/connectors/contract.js';
import { makeMessage } from '../harness/messages.js';
import type { ContractAdapter, ContractTarget } from './targets.js';

async function drain(body: Readable | Buffer): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body;
  const parts: Buffer[] = [];
  for await (const c of body) parts.push(c as Buffer);
  return Buffer.concat(parts);
}

async function metas(reader: SourceFolderReader, uids: number[]): Promise<MessageMeta[]> {
  const out: MessageMeta[] = [];
  for await (const page of reader.listMessages({ uids })) out.push(...page);
  return out;
}

const when = (y: number) => new Date(Date.UTC(y, 2, 9, 14, 0, 0));

/** Register the source contract for one adapter. */
export function describeSourceContract(adapter: ContractAdapter): void {
  describe(`source contract: ${adapter.name}`, () => {
    let target: ContractTarget;
    let src: MailSource;
    const run = randomBytes(3).toString('hex');
    const folder = [`Src ${run}`, 'Child'];
    const raws = [
      makeMessage({ subject: 'one', date: when(2016), messageId: `<one-${run}@contract.test>` }),
      makeMessage({ subject: 'two', date: when(2017), messageId: `<two-${run}@contract.test>` }),
      makeMessage({
        subject: 'big',
        date: when(2018),
        messageId: `<big-${run}@contract.test>`,
        sizeBytes: 5 * 1024 * 1024,
      }),
    ];
    before(async () => {
      target = await adapter.start();
      assert.ok(target.openSource && target.seed, `${adapter.name} cannot be a source`);
      await target.seed(folder, [
        { raw: raws[0]!, flags: ['\\Seen'], internalDate: when(2016) },
        { raw: raws[1]!, flags: ['\\Flagged'], internalDate: when(2017) },
        { raw: raws[2]!, flags: [], internalDate: when(2018) },
      ]);
      src = await target.openSource();
    });
    after(async () => {
      await src?.close();
      await target?.stop();
    });

    test('lists nested folders and a stable state', async () => {
      const listed = (await src.listFolders()).map((f) => f.path.join('/'));
      assert.ok(listed.includes(folder.join('/')), listed.join(', '));
      assert.ok(listed.includes(folder[0]!), 'the parent is listed too');
      const a = await src.folderState(folder);
      const b = await src.folderState(folder);
      assert.equal(a.messages, 3);
      assert.deepEqual(a, b, 'an unchanged folder reports the same state twice');
    });

    test('keys ascend, metadata carries what fingerprints need, bodies have exactly their size', async () => {
      const reader = await src.openFolder(folder);
      try {
        const uids = await reader.listUids();
        assert.equal(uids.length, 3);
        assert.deepEqual(
          uids,
          [...uids].sort((x, y) => x - y),
        );
        assert.equal(new Set(uids).size, 3);
        const meta = await metas(reader, uids);
        assert.equal(meta.length, 3);
        const byId = new Map(meta.map((m) => [m.messageId, m]));
        for (const [i, raw] of raws.entries()) {
          const m = byId.get(`${['one', 'two', 'big'][i]}-${run}@contract.test`);
          assert.ok(m, `message ${i} by Message-ID among ${[...byId.keys()].join(', ')}`);
          assert.match(m.dateHeader ?? '', new RegExp(String(2016 + i)));
          assert.equal(m.internalDate.getTime(), when(2016 + i).getTime());
          assert.ok(
            m.size > 0 && Math.abs(m.size - raw.length) < raw.length * 0.1,
            `size ${m.size} vs ${raw.length}`,
          );
        }
        assert.ok(byId.get(`one-${run}@contract.test`)!.flags.includes('\\Seen'));
        assert.ok(byId.get(`two-${run}@contract.test`)!.flags.includes('\\Flagged'));
        const seen = [];
        for await (const b of reader.streamBodies(uids)) {
          assert.equal(b.unreadable, undefined);
          if (b.unreadable !== undefined) continue;
          const body = await drain(b.body);
          assert.equal(body.length, b.size, 'streamed exactly the announced size');
          assert.ok(body.includes(`${run}@contract.test`), 'the body is the message');
          seen.push(b.uid);
        }
        assert.deepEqual(seen, uids, 'bodies come in ascending key order');
      } finally {
        await reader.close();
      }
    });

    test('folder state moves when a message arrives', async () => {
      const before = await src.folderState(folder);
      await target.seed!(folder, [
        { raw: makeMessage({ subject: 'late', date: when(2019) }), internalDate: when(2019) },
      ]);
      const later = await target.openSource!();
      try {
        const after = await later.folderState(folder);
        assert.equal(after.messages, before.messages + 1);
        assert.notDeepEqual(after, before);
      } finally {
        await later.close();
      }
    });
  });
}
