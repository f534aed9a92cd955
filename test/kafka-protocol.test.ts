// The Kafka wire codec against bytes recorded from real clients (librdkafka 2.0.2 via kcat, and
// kafkajs 2.2.4), plus round-trip properties of the RecordBatch v2 and varint encoders.
import { gzipSync } from 'node:zlib';
import { crc32 } from '@node-rs/crc32';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiVersions, Metadata, Produce } from '../ingest/broker/apis/index.ts';
import { Compression } from '../ingest/broker/protocol/compression.ts';
import { Decoder } from '../ingest/broker/protocol/decoder.ts';
import { Encoder } from '../ingest/broker/protocol/encoder.ts';
import {
  CorruptBatchError,
  decodeRecordBatch,
  decodeRecordBatches,
  encodeRecordBatch,
} from '../ingest/broker/protocol/record-batch.ts';
import { decodeStruct, encodeStruct } from '../ingest/broker/protocol/schema.ts';

// Request frames captured on the wire (size prefix included).
const RDKAFKA_API_VERSIONS_V3 =
  '000000240012000300000001000772646b61666b61000b6c696272646b61666b6106322e302e3200';
const KCAT_PRODUCE_V7 =
  '000000750000000700000003000772646b61666b61ffffffff00007530000000010002667800000001000000000000004800000000000000000000003c00000000023dda7988000000000000000001a242aeaed8000001a242aeaed8ffffffffffffffffffffffffffff0000000114000000046b3104763100';
const KAFKAJS_GZIP_IDEMPOTENT_PRODUCE_V7 =
  '000000a10000000700000004000766697874757265ffffffff0000753000000001000266780000000100000000000000740000000000000000000000680000000002bf5c71b90001000000010000018bcfe568000000018bcfe5680100001a242aeab050000000000000000000021f8b0800000000000003d362606060ca16c948cdc9c95748afca2c6062ca60aa9060606262e4294e4dcecf4b6100008161c6c523000000';

function parseFrame(hex: string, complete = true) {
  const frame = Buffer.from(hex, 'hex');
  const d = new Decoder(frame);
  const size = d.int32();
  if (complete) expect(size).toBe(frame.length - 4);
  const header = { apiKey: d.int16(), version: d.int16(), correlationId: d.int32(), clientId: d.string() };
  return { header, d };
}

describe('recorded client requests', () => {
  it("decodes librdkafka's flexible ApiVersions v3 request", () => {
    const { header, d } = parseFrame(RDKAFKA_API_VERSIONS_V3);
    expect(header).toEqual({ apiKey: 18, version: 3, correlationId: 1, clientId: 'rdkafka' });
    d.skipTaggedFields(); // request header v2
    const body = decodeStruct(d, ApiVersions.request, 3, true);
    expect(body).toEqual({ clientSoftwareName: 'librdkafka', clientSoftwareVersion: '2.0.2' });
    expect(d.remaining).toBe(0);
  });

  it("decodes kcat's Produce v7 with an uncompressed RecordBatch v2 and verifies its CRC32C", async () => {
    const { header, d } = parseFrame(KCAT_PRODUCE_V7);
    expect(header.apiKey).toBe(0);
    const req = decodeStruct(d, Produce.request, 7, false);
    expect(d.remaining).toBe(0);
    expect(req).toMatchObject({ transactionalId: null, acks: -1, timeoutMs: 30000 });
    expect(req.topics[0].name).toBe('fx');
    const [batch] = await decodeRecordBatches(req.topics[0].partitions[0].records);
    expect(batch!.compression).toBe(Compression.none);
    expect(batch!.producerId).toBe(-1);
    expect(batch!.records.map((r) => [r.key?.toString(), r.value?.toString()])).toEqual([['k1', 'v1']]);
  });

  it("decodes kafkajs's gzip, idempotent Produce v7 with headers and timestamps", async () => {
    const { header, d } = parseFrame(KAFKAJS_GZIP_IDEMPOTENT_PRODUCE_V7);
    expect(header.clientId).toBe('fixture');
    const req = decodeStruct(d, Produce.request, 7, false);
    const [batch] = await decodeRecordBatches(req.topics[0].partitions[0].records);
    expect(batch!.compression).toBe(Compression.gzip);
    expect(batch!.producerId).toBeGreaterThanOrEqual(0);
    expect(batch!.baseSequence).toBe(0);
    expect(batch!.records).toHaveLength(2);
    const [a, b] = batch!.records;
    expect(a!.key?.toString()).toBe('k');
    expect(a!.value?.toString()).toBe('hello gzip');
    expect(a!.headers).toEqual([{ key: 'h', value: Buffer.from('x') }]);
    expect(a!.timestamp).toBe(1_700_000_000_000);
    expect(b!.key).toBeNull();
    expect(b!.value?.toString()).toBe('second');
    expect(b!.timestamp).toBe(1_700_000_000_001);
    expect(b!.offset).toBe(1);
  });

  it('rejects a batch whose bytes were altered (CRC32C)', async () => {
    const { d } = parseFrame(KCAT_PRODUCE_V7);
    const req = decodeStruct(d, Produce.request, 7, false);
    const records = Buffer.from(req.topics[0].partitions[0].records as Buffer);
    records[records.length - 2] ^= 0x01; // flip a bit in the value
    await expect(decodeRecordBatch(records)).rejects.toBeInstanceOf(CorruptBatchError);
    await expect(decodeRecordBatch(records)).rejects.toThrow(/CRC32C/);
  });

  it('refuses an unknown message format (magic 3)', async () => {
    const { d } = parseFrame(KCAT_PRODUCE_V7);
    const records = Buffer.from(
      decodeStruct(d, Produce.request, 7, false).topics[0].partitions[0].records as Buffer,
    );
    records[16] = 3;
    await expect(decodeRecordBatch(records)).rejects.toMatchObject({ kind: 'magic' });
  });

  it('decodes legacy MessageSets (Produce v0-2): magic 0, and magic 1 wrapped in gzip', async () => {
    const message = (magic: 0 | 1, attributes: number, key: Buffer | null, value: Buffer, timestamp = 0) => {
      const body = new Encoder();
      body.int8(magic).int8(attributes);
      if (magic === 1) body.int64(timestamp);
      body.bytes(key).bytes(value);
      const m = new Encoder();
      m.uint32(crc32(body.view())).raw(body.view());
      return new Encoder().int64(0).int32(m.length).raw(m.view()).toBuffer();
    };
    const v0 = await decodeRecordBatches(
      Buffer.concat([
        message(0, 0, Buffer.from('k'), Buffer.from('a')),
        message(0, 0, null, Buffer.from('b')),
      ]),
    );
    expect(v0[0]!.records.map((r) => [r.key?.toString() ?? null, r.value?.toString()])).toEqual([
      ['k', 'a'],
      [null, 'b'],
    ]);
    const inner = Buffer.concat([
      message(1, 0, null, Buffer.from('x'), 1_700_000_000_000),
      message(1, 0, null, Buffer.from('y'), 1_700_000_000_005),
    ]);
    const wrapped = message(1, 1, null, gzipSync(inner), 1_700_000_000_005);
    const [batch] = await decodeRecordBatches(wrapped);
    expect(batch!.records.map((r) => [r.value?.toString(), r.timestamp])).toEqual([
      ['x', 1_700_000_000_000],
      ['y', 1_700_000_000_005],
    ]);
    const corrupt = Buffer.from(wrapped);
    corrupt[corrupt.length - 3] ^= 0xff;
    await expect(decodeRecordBatches(corrupt)).rejects.toThrow(/CRC32/);
  });
});

describe('message schemas', () => {
  it('encodes flexible ApiVersions v3 with compact arrays and tagged fields', () => {
    const e = new Encoder();
    encodeStruct(
      e,
      ApiVersions.response,
      { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }], throttleTimeMs: 0 },
      3,
      true,
    );
    // int16 error, uvarint(1+1) entries, [int16,int16,int16, tag0], int32 throttle, tag0
    expect(e.toBuffer().toString('hex')).toBe(
      '0000' + '02' + '0012' + '0000' + '0003' + '00' + '00000000' + '00',
    );
  });

  it('gates fields by version and decodes what it encodes', () => {
    const body = {
      throttleTimeMs: 7,
      brokers: [{ nodeId: 0, host: 'h', port: 9092, rack: null }],
      clusterId: 'c',
      controllerId: 0,
      topics: [
        {
          errorCode: 0,
          name: 't',
          isInternal: false,
          partitions: [
            {
              errorCode: 0,
              partitionIndex: 0,
              leaderId: 0,
              leaderEpoch: 0,
              replicaNodes: [0],
              isrNodes: [0],
              offlineReplicas: [],
            },
          ],
          topicAuthorizedOperations: -2147483648,
        },
      ],
      clusterAuthorizedOperations: -2147483648,
    };
    for (const version of [0, 1, 5, 8]) {
      const e = new Encoder();
      encodeStruct(e, Metadata.response, body, version, false);
      const d = new Decoder(e.toBuffer());
      const back = decodeStruct(d, Metadata.response, version, false);
      expect(d.remaining).toBe(0);
      expect(back.topics[0].partitions[0].partitionIndex).toBe(0);
      expect(back.throttleTimeMs).toBe(version >= 3 ? 7 : 0);
      expect(back.clusterId).toBe(version >= 2 ? 'c' : ''); // absent before v2
    }
    const v0 = new Encoder();
    encodeStruct(v0, Metadata.response, body, 0, false);
    const v1 = new Encoder();
    encodeStruct(v1, Metadata.response, body, 1, false);
    expect(v1.length).toBeGreaterThan(v0.length); // rack, controller id, is_internal
  });

  it('turns a truncated request into a decode error, not a crash', () => {
    const { d } = parseFrame(KCAT_PRODUCE_V7.slice(0, 60), false);
    expect(() => decodeStruct(d, Produce.request, 7, false)).toThrow(/truncated/);
  });
});

describe('RecordBatch v2 and varints', () => {
  it('round-trips zigzag varints and varlongs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.integer({ min: -(2 ** 52), max: 2 ** 52 }),
        (i, l) => {
          const e = new Encoder(4);
          e.varint(i).varlong(l).uvarint(Math.abs(i));
          const d = new Decoder(e.toBuffer());
          expect(d.varint()).toBe(i);
          expect(d.varlong()).toBe(l);
          expect(d.uvarint()).toBe(Math.abs(i));
        },
      ),
    );
  });

  const recordArb = fc.record({
    key: fc.option(
      fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
      { nil: null },
    ),
    value: fc.option(
      fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
      { nil: null },
    ),
    headers: fc.array(
      fc.record({
        key: fc.string({ maxLength: 8 }),
        value: fc.option(
          fc.uint8Array({ maxLength: 8 }).map((a) => Buffer.from(a)),
          { nil: null },
        ),
      }),
      { maxLength: 3 },
    ),
    timestamp: fc.integer({ min: 1_500_000_000_000, max: 1_900_000_000_000 }),
  });

  for (const [name, codec] of Object.entries({
    none: Compression.none,
    gzip: Compression.gzip,
    snappy: Compression.snappy,
    lz4: Compression.lz4,
  })) {
    it(`encodes and decodes records byte for byte (${name})`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(recordArb, { minLength: 1, maxLength: 20 }),
          fc.integer({ min: 0, max: 2 ** 40 }),
          async (recs, base) => {
            const records = recs.map((r, i) => ({ ...r, offset: base + i }));
            const bytes = await encodeRecordBatch(records, {
              compression: codec,
              producerId: 42,
              producerEpoch: 1,
              baseSequence: 9,
            });
            const batch = await decodeRecordBatch(bytes);
            expect(batch.compression).toBe(codec);
            expect(batch).toMatchObject({
              baseOffset: base,
              producerId: 42,
              producerEpoch: 1,
              baseSequence: 9,
              lastOffsetDelta: recs.length - 1,
            });
            expect(batch.records).toEqual(records);
          },
        ),
        { numRuns: 25 },
      );
    });
  }

  it('decodes several batches in one blob and ignores a trailing partial batch', async () => {
    const one = await encodeRecordBatch([
      { offset: 0, timestamp: 1, key: null, value: Buffer.from('a'), headers: [] },
    ]);
    const two = await encodeRecordBatch([
      { offset: 1, timestamp: 2, key: null, value: Buffer.from('b'), headers: [] },
    ]);
    const batches = await decodeRecordBatches(Buffer.concat([one, two, two.subarray(0, 20)]));
    expect(batches.map((b) => b.records[0]!.value?.toString())).toEqual(['a', 'b']);
  });
});
