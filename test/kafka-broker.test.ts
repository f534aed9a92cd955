// `vigil broker` (the Kafka-protocol endpoint over the embedded log) driven by kafkajs and by raw
// protocol frames: error responses instead of dropped connections, idempotent de-duplication,
// consumer groups with rebalances, transactions mapped onto EventLog.transact.
import net from 'node:net';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GroupCoordinator } from '../ingest/broker/group-coordinator.ts';
import { Decoder } from '../ingest/broker/protocol/decoder.ts';
import { Encoder } from '../ingest/broker/protocol/encoder.ts';
import { type RunningBroker, startBroker } from '../ingest/broker/server.ts';
import { type EmbeddedLog, openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import { tempDir } from './helpers/tmp.ts';

// kafkajs's gzip Produce v7 from producer id P, epoch 0, sequence 0 (recorded; see kafka-protocol.test.ts).
const KAFKAJS_GZIP_IDEMPOTENT_PRODUCE_V7 =
  '000000a10000000700000004000766697874757265ffffffff0000753000000001000266780000000100000000000000740000000000000000000000680000000002bf5c71b90001000000010000018bcfe568000000018bcfe5680100001a242aeab050000000000000000000021f8b0800000000000003d362606060ca16c948cdc9c95748afca2c6062ca60aa9060606262e4294e4dcecf4b6100008161c6c523000000';

/** A bare protocol connection: send frames, read response frames in order. */
class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: ((frame: Buffer) => void)[] = [];
  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
        const size = this.buf.readInt32BE(0);
        const frame = this.buf.subarray(4, 4 + size);
        this.buf = this.buf.subarray(4 + size);
        this.waiters.shift()?.(frame);
      }
    });
  }
  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.on('error', reject);
    });
  }
  request(
    apiKey: number,
    version: number,
    correlationId: number,
    body: Buffer = Buffer.alloc(0),
  ): Promise<Decoder> {
    const e = new Encoder();
    e.int32(0).int16(apiKey).int16(version).int32(correlationId).string('raw').raw(body);
    e.patchInt32(0, e.length - 4);
    return this.send(e.toBuffer());
  }
  send(frame: Buffer): Promise<Decoder> {
    const response = new Promise<Decoder>((resolve) => this.waiters.push((f) => resolve(new Decoder(f))));
    this.socket.write(frame);
    return response;
  }
  get open(): boolean {
    return !this.socket.destroyed;
  }
  close(): void {
    this.socket.destroy();
  }
}

let tmp: ReturnType<typeof tempDir>;
let log: EmbeddedLog;
let broker: RunningBroker;
let kafka: Kafka;

beforeEach(async () => {
  tmp = tempDir('vigil-broker-');
  log = await openEmbeddedLog(tmp.dir, { fsync: false });
  broker = await startBroker({ log, port: 0 });
  kafka = new Kafka({
    brokers: [`127.0.0.1:${broker.port}`],
    clientId: 'broker-test',
    logLevel: logLevel.NOTHING,
  });
});

afterEach(async () => {
  await broker.close();
  await log.close();
  tmp.remove();
});

describe('protocol edges', () => {
  it('answers an unknown API and an unsupported version with UNSUPPORTED_VERSION and keeps the connection', async () => {
    const raw = await RawClient.connect(broker.port);
    const unknown = await raw.request(9999, 0, 7);
    expect(unknown.int32()).toBe(7);
    expect(unknown.int16()).toBe(35);
    // ApiVersions at a version from the future: a v0 answer with the error and the full table.
    const future = await raw.request(18, 99, 8);
    expect(future.int32()).toBe(8);
    expect(future.int16()).toBe(35);
    const apis = future.int32();
    const table = new Map<number, [number, number]>();
    for (let i = 0; i < apis; i++) table.set(future.int16(), [future.int16(), future.int16()]);
    expect(table.get(0)).toEqual([0, 7]); // Produce: legacy MessageSets and RecordBatch v2
    expect(table.get(18)).toEqual([0, 3]);
    // The same connection still serves: a truncated Metadata v1 body gets an error-shaped response.
    const broken = await raw.request(3, 1, 9, Buffer.from([0, 0, 0, 5]));
    expect(broken.int32()).toBe(9);
    const ok = await raw.request(18, 0, 10);
    expect(ok.int32()).toBe(10);
    expect(ok.int16()).toBe(0);
    expect(raw.open).toBe(true);
    raw.close();
  });

  it('de-duplicates a retried idempotent batch and refuses a sequence gap', async () => {
    await log.createTopic('fx', { partitions: 1 });
    const raw = await RawClient.connect(broker.port);
    const frame = Buffer.from(KAFKAJS_GZIP_IDEMPOTENT_PRODUCE_V7, 'hex');
    const produceResult = (d: Decoder) => {
      d.int32(); // correlation id
      d.int32(); // 1 topic
      d.string();
      d.int32(); // 1 partition
      return { partition: d.int32(), errorCode: d.int16(), baseOffset: d.int64() };
    };
    const first = produceResult(await raw.send(frame));
    const retry = produceResult(await raw.send(frame));
    expect(first).toEqual({ partition: 0, errorCode: 0, baseOffset: 0 });
    expect(retry).toEqual(first);
    expect(await log.latestOffset('fx', 0)).toBe(2);
    // Same producer, sequence 5 instead of the expected 2: OUT_OF_ORDER_SEQUENCE_NUMBER, nothing written.
    const gap = Buffer.from(frame);
    const batchStart = gap.length - 0x74; // the records blob is the frame's tail
    gap.writeInt32BE(5, batchStart + 53);
    const { crc32c } = await import('@node-rs/crc32');
    gap.writeUInt32BE(crc32c(gap.subarray(batchStart + 21)) >>> 0, batchStart + 17);
    expect(produceResult(await raw.send(gap)).errorCode).toBe(45);
    expect(await log.latestOffset('fx', 0)).toBe(2);
    raw.close();
  });
});

describe('kafkajs through the endpoint', () => {
  it('creates topics, refuses duplicates and bad replication, and round-trips gzip records with headers', async () => {
    const admin = kafka.admin();
    await admin.connect();
    expect(await admin.createTopics({ topics: [{ topic: 'gz', numPartitions: 2 }] })).toBe(true);
    expect(await admin.createTopics({ topics: [{ topic: 'gz', numPartitions: 2 }] })).toBe(false);
    await expect(
      admin.createTopics({ topics: [{ topic: 'r3', numPartitions: 1, replicationFactor: 3 }] }),
    ).rejects.toThrow();
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic: 'gz',
      compression: CompressionTypes.GZIP,
      messages: Array.from({ length: 50 }, (_, i) => ({
        key: `k${i % 7}`,
        value: `v${i}`,
        headers: { n: String(i) },
        partition: i % 2,
      })),
    });
    const all = [...(await log.read('gz', 0, 0)), ...(await log.read('gz', 1, 0))];
    expect(all).toHaveLength(50);
    expect(new Set(all.map((r) => r.value.toString())).size).toBe(50);
    for (const r of all) expect(r.headers.n?.toString()).toBe(r.value.toString().slice(1));
    await producer.disconnect();
    await admin.deleteTopics({ topics: ['gz'] });
    expect(await log.listTopics()).not.toContain('gz');
    await admin.disconnect();
  });

  it('writes acks=0 records without answering', async () => {
    await log.createTopic('fire', { partitions: 1 });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'fire', acks: 0, messages: [{ value: 'a' }, { value: 'b' }] });
    await producer.send({ topic: 'fire', acks: -1, messages: [{ value: 'c' }] }); // ordered after the acks=0 one
    expect((await log.read('fire', 0, 0)).map((r) => r.value.toString())).toEqual(['a', 'b', 'c']);
    await producer.disconnect();
  });

  it('balances a consumer group, rebalances when a member leaves, and commits offsets to the log', async () => {
    await log.createTopic('grp', { partitions: 4 });
    const seen = new Map<string, string>(); // value -> consumer
    const assignments = new Map<string, number[]>();
    const consumers = ['c1', 'c2'].map((name) => {
      const c = kafka.consumer({
        groupId: 'g',
        sessionTimeout: 6000,
        heartbeatInterval: 200,
        maxWaitTimeInMs: 100,
        rebalanceTimeout: 6000,
      });
      c.on(c.events.GROUP_JOIN, (e) => assignments.set(name, e.payload.memberAssignment.grp ?? []));
      return { name, c };
    });
    for (const { name, c } of consumers) {
      await c.connect();
      await c.subscribe({ topic: 'grp', fromBeginning: true });
      await c.run({
        eachMessage: async ({ message }) => {
          const v = message.value!.toString();
          expect(seen.has(v)).toBe(false);
          seen.set(v, name);
        },
      });
    }
    await vi.waitFor(
      () => {
        const parts = [...(assignments.get('c1') ?? []), ...(assignments.get('c2') ?? [])].sort();
        expect(parts).toEqual([0, 1, 2, 3]);
        expect(assignments.get('c1')!.length).toBe(2);
      },
      { timeout: 20_000, interval: 100 },
    );
    await log.append(
      'grp',
      Array.from({ length: 40 }, (_, i) => ({ value: `m${i}`, partition: i % 4 })),
    );
    await vi.waitFor(() => expect(seen.size).toBe(40), { timeout: 20_000, interval: 100 });
    expect(new Set(seen.values())).toEqual(new Set(['c1', 'c2']));

    await consumers[1]!.c.disconnect(); // LeaveGroup: c1 takes every partition
    await vi.waitFor(() => expect([...(assignments.get('c1') ?? [])].sort()).toEqual([0, 1, 2, 3]), {
      timeout: 20_000,
      interval: 100,
    });
    await log.append(
      'grp',
      Array.from({ length: 8 }, (_, i) => ({ value: `late${i}`, partition: i % 4 })),
    );
    await vi.waitFor(() => expect(seen.size).toBe(48), { timeout: 20_000, interval: 100 });
    for (let i = 0; i < 8; i++) expect(seen.get(`late${i}`)).toBe('c1');
    await consumers[0]!.c.disconnect();
    const committed = (await log.committedOffsets('g', 'grp')).sort((a, b) => a.partition - b.partition);
    expect(committed.map((o) => o.offset)).toEqual([12, 12, 12, 12]);
  });

  it('applies a committed transaction atomically (records + group offsets) and drops an aborted one', async () => {
    await log.createTopic('tin', { partitions: 1 });
    await log.createTopic('tout', { partitions: 2 });
    await log.append(
      'tin',
      Array.from({ length: 5 }, (_, i) => ({ value: `in${i}` })),
    );
    const producer = kafka.producer({ transactionalId: 'stage-1', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();

    const aborted = await producer.transaction();
    await aborted.send({ topic: 'tout', messages: [{ value: 'never', partition: 0 }] });
    await aborted.sendOffsets({
      consumerGroupId: 'tg',
      topics: [{ topic: 'tin', partitions: [{ partition: 0, offset: '5' }] }],
    });
    await aborted.abort();
    expect(await log.latestOffset('tout', 0)).toBe(0);
    expect(await log.committedOffsets('tg')).toEqual([]);

    const txn = await producer.transaction();
    const [meta] = await txn.send({
      topic: 'tout',
      messages: [
        { value: 'x', partition: 1 },
        { value: 'y', partition: 1 },
      ],
    });
    await txn.sendOffsets({
      consumerGroupId: 'tg',
      topics: [{ topic: 'tin', partitions: [{ partition: 0, offset: '3' }] }],
    });
    // Nothing is visible before the commit.
    expect(await log.latestOffset('tout', 1)).toBe(0);
    await txn.commit();
    expect(meta!.baseOffset).toBe('0');
    expect((await log.read('tout', 1, 0)).map((r) => r.value.toString())).toEqual(['x', 'y']);
    expect(await log.committedOffsets('tg')).toEqual([{ topic: 'tin', partition: 0, offset: 3 }]);

    // A second producer with the same transactional id fences the first.
    const zombie = producer;
    const fresh = kafka.producer({ transactionalId: 'stage-1', idempotent: true, maxInFlightRequests: 1 });
    await fresh.connect();
    const late = await zombie.transaction();
    const current = await fresh.transaction(); // InitProducerId with the id bumps the epoch
    await expect(late.send({ topic: 'tout', messages: [{ value: 'z', partition: 0 }] })).rejects.toThrow();
    await current.send({ topic: 'tout', messages: [{ value: 'w', partition: 0 }] });
    await current.commit();
    expect((await log.read('tout', 0, 0)).map((r) => r.value.toString())).toEqual(['w']);
    await fresh.disconnect();
    await zombie.disconnect().catch(() => undefined);
  });
});

describe('group coordinator', () => {
  const join = (g: GroupCoordinator, memberId = '', sessionTimeoutMs = 10_000) =>
    g.join({
      groupId: 'g',
      memberId,
      clientId: 'c',
      clientHost: '/127.0.0.1',
      sessionTimeoutMs,
      rebalanceTimeoutMs: 5_000,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.from('m') }],
    });

  it('bumps the generation on join, leave and session expiry, and hands out the leader assignment', async () => {
    vi.useFakeTimers();
    try {
      const g = new GroupCoordinator();
      const a = await join(g);
      expect(a).toMatchObject({ errorCode: 0, generationId: 1, leader: a.memberId });
      expect(a.members).toHaveLength(1);
      const a1 = await g.sync('g', 1, a.memberId, [{ memberId: a.memberId, assignment: Buffer.from('A') }]);
      expect(a1.assignment.toString()).toBe('A');

      const bJoin = join(g); // b joining puts the group into a rebalance
      expect(g.heartbeat('g', 1, a.memberId)).toBe(27);
      const [b, a2] = await Promise.all([bJoin, join(g, a.memberId)]);
      expect(b.generationId).toBe(2);
      expect(a2.generationId).toBe(2);
      expect(a2.leader).toBe(a.memberId);
      expect(a2.members).toHaveLength(2);
      expect(b.members).toHaveLength(0);
      const bSync = g.sync('g', 2, b.memberId, []);
      await g.sync('g', 2, a.memberId, [
        { memberId: a.memberId, assignment: Buffer.from('A2') },
        { memberId: b.memberId, assignment: Buffer.from('B2') },
      ]);
      expect((await bSync).assignment.toString()).toBe('B2');
      expect(g.heartbeat('g', 1, a.memberId)).toBe(22); // stale generation

      // b stops heartbeating: after its session timeout it is removed and a rebalance starts.
      for (let i = 0; i < 12; i++) {
        vi.advanceTimersByTime(1_000);
        g.heartbeat('g', 2, a.memberId);
      }
      expect(g.describe('g').state).toBe('PreparingRebalance');
      const a3 = await join(g, a.memberId);
      expect(a3.generationId).toBe(3);
      expect(g.heartbeat('g', 3, b.memberId)).toBe(25); // unknown member
      expect(g.leave('g', a.memberId)).toBe(0);
      expect(g.describe('g').state).toBe('Empty');
      expect(g.generation('g')).toBe(4);
      g.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects a member whose protocols share nothing with the group', async () => {
    const g = new GroupCoordinator();
    await join(g);
    const other = await g.join({
      groupId: 'g',
      memberId: '',
      clientId: 'x',
      clientHost: '/h',
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 5_000,
      protocolType: 'consumer',
      protocols: [{ name: 'roundrobin', metadata: Buffer.alloc(0) }],
    });
    expect(other.errorCode).toBe(23);
    g.close();
  });
});
