// The EventLog conformance suite: every implementation (embedded, Kafka-backed) runs these same
// cases. Call runLogConformance from an implementation's own *.test.ts file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventLog, LogRecord } from '../ingest/log/types.ts';

export interface LogUnderTest {
  log: EventLog;
  /** Closes and reopens the same storage (for durability cases); omit when not possible. */
  reopen?: () => Promise<EventLog>;
  cleanup: () => Promise<void>;
}

export interface ConformanceOptions {
  /** Whether records over maxRecordBytes are rejected whole (and the limit used). */
  maxRecordBytes?: number;
}

let topicSeq = 0;
const uniqueTopic = (base: string) => `${base}-${process.pid}-${Date.now().toString(36)}-${topicSeq++}`;

const text = (r: LogRecord) => r.value.toString('utf8');

async function readAll(log: EventLog, topic: string, partition: number, from = 0): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  let offset = from;
  const end = await log.latestOffset(topic, partition);
  while (offset < end) {
    const batch = await log.read(topic, partition, offset, { maxRecords: 1000 });
    if (batch.length === 0) break;
    out.push(...batch);
    offset = batch[batch.length - 1]!.offset + 1;
  }
  return out;
}

export function runLogConformance(
  name: string,
  open: () => Promise<LogUnderTest>,
  options: ConformanceOptions = {},
): void {
  describe(`EventLog conformance: ${name}`, () => {
    let sut: LogUnderTest;
    let log: EventLog;
    beforeEach(async () => {
      sut = await open();
      log = sut.log;
    });
    afterEach(async () => {
      await sut.cleanup();
    });

    it('creates, lists and describes topics', async () => {
      const t = uniqueTopic('meta');
      await log.createTopic(t, { partitions: 3 });
      expect(await log.listTopics()).toContain(t);
      const info = await log.describeTopic(t);
      expect(info.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
      for (const p of info.partitions) expect(p.latest - p.earliest).toBe(0);
      await expect(log.createTopic(t, { partitions: 1 })).rejects.toThrow(/exists/);
      await log.ensureTopic(t, { partitions: 5 });
      expect((await log.describeTopic(t)).partitions).toHaveLength(3);
    });

    it('names an unknown topic in its error', async () => {
      const t = uniqueTopic('nope');
      await expect(log.append(t, [{ value: 'x' }])).rejects.toThrow(t);
      await expect(log.describeTopic(t)).rejects.toThrow(t);
    });

    it('keeps per-partition order with dense monotonic offsets', async () => {
      const t = uniqueTopic('order');
      await log.createTopic(t, { partitions: 2 });
      for (let batch = 0; batch < 5; batch++) {
        const records = Array.from({ length: 40 }, (_, i) => ({ value: `b${batch}-${i}`, partition: i % 2 }));
        const results = await log.append(t, records);
        expect(results.reduce((n, r) => n + r.count, 0)).toBe(40);
      }
      for (const partition of [0, 1]) {
        const records = await readAll(log, t, partition);
        expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => i));
        const expected: string[] = [];
        for (let batch = 0; batch < 5; batch++)
          for (let i = partition; i < 40; i += 2) expected.push(`b${batch}-${i}`);
        expect(records.map(text)).toEqual(expected);
        expect(records.every((r) => r.partition === partition && r.topic === t)).toBe(true);
      }
    });

    it('hashes a key to one partition, and honours an explicit partition', async () => {
      const t = uniqueTopic('keys');
      await log.createTopic(t, { partitions: 4 });
      await log.append(
        t,
        Array.from({ length: 50 }, (_, i) => ({ key: `host-${i % 5}`, value: String(i) })),
      );
      const partitionOfKey = new Map<string, Set<number>>();
      for (let p = 0; p < 4; p++) {
        for (const r of await readAll(log, t, p)) {
          const k = r.key!.toString();
          if (!partitionOfKey.has(k)) partitionOfKey.set(k, new Set());
          partitionOfKey.get(k)!.add(p);
        }
      }
      expect(partitionOfKey.size).toBe(5);
      for (const set of partitionOfKey.values()) expect(set.size).toBe(1);
      const [result] = await log.append(t, [{ key: 'host-0', value: 'pinned', partition: 3 }]);
      expect(result!.partition).toBe(3);
      await expect(log.append(t, [{ value: 'x', partition: 9 }])).rejects.toThrow(/partition/);
    });

    it('round-trips keys, null keys, binary values, headers and timestamps byte for byte', async () => {
      const t = uniqueTopic('bytes');
      await log.createTopic(t, { partitions: 1 });
      const binary = Buffer.from([0, 255, 1, 254, 10, 13, 0]);
      await log.append(t, [
        {
          key: 'k1',
          value: binary,
          headers: { trace: 'abc', bin: Buffer.from([9, 0, 9]) },
          timestamp: 1_700_000_000_123,
        },
        { value: '', timestamp: 1_700_000_000_124 },
        { key: Buffer.from([1, 2]), value: 'ünïcødé ✓', timestamp: 1_700_000_000_125 },
      ]);
      const [a, b, c] = await readAll(log, t, 0);
      expect(a!.key!.toString()).toBe('k1');
      expect(Buffer.compare(a!.value, binary)).toBe(0);
      expect(a!.headers.trace!.toString()).toBe('abc');
      expect([...a!.headers.bin!]).toEqual([9, 0, 9]);
      expect(a!.timestamp).toBe(1_700_000_000_123);
      expect(b!.key).toBeNull();
      expect(b!.value.length).toBe(0);
      expect([...c!.key!]).toEqual([1, 2]);
      expect(text(c!)).toBe('ünïcødé ✓');
    });

    it('replays from any offset with byte-identical records', async () => {
      const t = uniqueTopic('replay');
      await log.createTopic(t, { partitions: 1 });
      for (let b = 0; b < 10; b++) {
        await log.append(
          t,
          Array.from({ length: 30 }, (_, i) => ({
            key: `k${i}`,
            value: `v-${b}-${i}-${'x'.repeat(i * 7)}`,
            timestamp: 1000 + b * 30 + i,
          })),
        );
      }
      const all = await readAll(log, t, 0);
      expect(all).toHaveLength(300);
      for (const from of [0, 1, 29, 30, 31, 150, 299]) {
        const again = await readAll(log, t, 0, from);
        expect(again).toHaveLength(300 - from);
        again.forEach((r, i) => {
          const orig = all[from + i]!;
          expect(r.offset).toBe(orig.offset);
          expect(r.timestamp).toBe(orig.timestamp);
          expect(Buffer.compare(r.value, orig.value)).toBe(0);
          expect(Buffer.compare(r.key!, orig.key!)).toBe(0);
        });
      }
      expect(await log.read(t, 0, 300)).toEqual([]);
      const limited = await log.read(t, 0, 10, { maxRecords: 7 });
      expect(limited.map((r) => r.offset)).toEqual([10, 11, 12, 13, 14, 15, 16]);
    });

    it('reports earliest and latest offsets', async () => {
      const t = uniqueTopic('ends');
      await log.createTopic(t, { partitions: 1 });
      expect(await log.earliestOffset(t, 0)).toBe(0);
      expect(await log.latestOffset(t, 0)).toBe(0);
      await log.append(
        t,
        Array.from({ length: 12 }, (_, i) => ({ value: String(i) })),
      );
      expect(await log.earliestOffset(t, 0)).toBe(0);
      expect(await log.latestOffset(t, 0)).toBe(12);
    });

    it('finds the first offset at or after a timestamp', async () => {
      const t = uniqueTopic('time');
      await log.createTopic(t, { partitions: 1 });
      await log.append(
        t,
        Array.from({ length: 100 }, (_, i) => ({ value: String(i), timestamp: 1_000_000 + i * 1000 })),
      );
      expect(await log.offsetForTimestamp(t, 0, 0)).toBe(0);
      expect(await log.offsetForTimestamp(t, 0, 1_000_000)).toBe(0);
      expect(await log.offsetForTimestamp(t, 0, 1_000_001)).toBe(1);
      expect(await log.offsetForTimestamp(t, 0, 1_050_000)).toBe(50);
      expect(await log.offsetForTimestamp(t, 0, 1_099_000)).toBe(99);
      expect(await log.offsetForTimestamp(t, 0, 2_000_000)).toBe(100);
    });

    it('long-polls a read at the end until a record arrives', async () => {
      const t = uniqueTopic('poll');
      await log.createTopic(t, { partitions: 1 });
      const pending = log.read(t, 0, 0, { maxWaitMs: 5000 });
      setTimeout(() => void log.append(t, [{ value: 'late' }]), 100);
      const records = await pending;
      const got = records.length ? records : await log.read(t, 0, 0);
      expect(got.map(text)).toEqual(['late']);
    });

    it('stores committed offsets per group', async () => {
      const t = uniqueTopic('commit');
      await log.createTopic(t, { partitions: 2 });
      await log.append(
        t,
        Array.from({ length: 10 }, (_, i) => ({ value: String(i), partition: i % 2 })),
      );
      await log.commitOffsets('g1', [
        { topic: t, partition: 0, offset: 3 },
        { topic: t, partition: 1, offset: 5 },
      ]);
      await log.commitOffsets('g1', [{ topic: t, partition: 0, offset: 4 }]);
      const offsets = (await log.committedOffsets('g1', t)).sort((a, b) => a.partition - b.partition);
      expect(offsets.map((o) => [o.partition, o.offset])).toEqual([
        [0, 4],
        [1, 5],
      ]);
      expect(await log.committedOffsets(`other-${t}`, t)).toEqual([]);
    });

    it('commits outputs, offsets and state in one transaction', async () => {
      const input = uniqueTopic('txn-in');
      const out = uniqueTopic('txn-out');
      await log.createTopic(input, { partitions: 1 });
      await log.createTopic(out, { partitions: 2 });
      await log.append(input, [{ value: 'a' }, { value: 'b' }]);
      const group = `txn-group-${input}`;
      await log.transact({
        group,
        outputs: [
          {
            topic: out,
            records: [
              { value: 'A', partition: 0 },
              { value: 'B', partition: 1 },
            ],
          },
        ],
        offsets: [{ topic: input, partition: 0, offset: 2 }],
        state: Buffer.from('state-1'),
      });
      expect((await readAll(log, out, 0)).map(text)).toEqual(['A']);
      expect((await readAll(log, out, 1)).map(text)).toEqual(['B']);
      const gs = await log.groupState(group);
      expect(gs.state?.toString()).toBe('state-1');
      expect(gs.offsets.find((o) => o.topic === input)?.offset).toBe(2);
      // A transaction without new state keeps the stored one.
      await log.transact({ group, outputs: [], offsets: [{ topic: input, partition: 0, offset: 2 }] });
      expect((await log.groupState(group)).state?.toString()).toBe('state-1');
    });

    if (options.maxRecordBytes !== undefined) {
      const limit = options.maxRecordBytes;
      it('rejects a batch with an oversized record whole, writing nothing', async () => {
        const t = uniqueTopic('big');
        await log.createTopic(t, { partitions: 1 });
        await expect(
          log.append(t, [{ value: 'ok' }, { value: Buffer.alloc(limit + 1) }, { value: 'ok2' }]),
        ).rejects.toThrow(/limit|too large/i);
        expect(await log.latestOffset(t, 0)).toBe(0);
      });
    }

    it('keeps records and committed offsets across a reopen', async (ctx) => {
      if (!sut.reopen) {
        ctx.skip();
        return;
      }
      const t = uniqueTopic('durable');
      await log.createTopic(t, { partitions: 2 });
      await log.append(
        t,
        Array.from({ length: 25 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, timestamp: 5000 + i })),
      );
      await log.commitOffsets('durable-group', [{ topic: t, partition: 1, offset: 2 }]);
      const before = [...(await readAll(log, t, 0)), ...(await readAll(log, t, 1))];
      log = await sut.reopen();
      const after = [...(await readAll(log, t, 0)), ...(await readAll(log, t, 1))];
      expect(after.map((r) => [r.partition, r.offset, text(r), r.timestamp])).toEqual(
        before.map((r) => [r.partition, r.offset, text(r), r.timestamp]),
      );
      expect((await log.committedOffsets('durable-group', t)).map((o) => [o.partition, o.offset])).toEqual([
        [1, 2],
      ]);
    });
  });
}
