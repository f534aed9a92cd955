// RecordBatch v2 (magic 2), the on-wire unit of Produce and Fetch: a fixed header, a CRC32C over
// everything after the CRC field, then varint-framed records, optionally compressed as one block.
import { crc32, crc32c } from '@node-rs/crc32';
import { Compression, type CompressionCodec, compress, decompress } from './compression.ts';
import { Decoder, ProtocolDecodeError } from './decoder.ts';
import { Encoder, varintSize, varlongSize } from './encoder.ts';

const NO_KEYS: Buffer[] = [];

export interface BatchRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
}

export interface RecordBatch {
  baseOffset: number;
  partitionLeaderEpoch: number;
  compression: number;
  timestampType: 0 | 1;
  isTransactional: boolean;
  isControl: boolean;
  lastOffsetDelta: number;
  firstTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  records: BatchRecord[];
}

export class CorruptBatchError extends ProtocolDecodeError {
  constructor(
    message: string,
    readonly kind: 'crc' | 'magic' | 'format',
  ) {
    super(message);
    this.name = 'CorruptBatchError';
  }
}

// Byte positions inside a batch (from its start).
const LENGTH_AT = 8;
const MAGIC_AT = 16;
const CRC_AT = 17;
const ATTRIBUTES_AT = 21;
const HEADER_SIZE = 61;

/**
 * Decodes every complete batch in a records blob; a trailing partial batch (fetch truncation) is
 * ignored. A legacy MessageSet (magic 0/1, Produce v0-2) comes back as one batch without
 * producer state, so callers handle a single shape.
 */
export async function decodeRecordBatches(data: Buffer): Promise<RecordBatch[]> {
  if (data.length > MAGIC_AT && data.readInt8(MAGIC_AT) < 2) return [await decodeLegacyMessageSet(data)];
  const batches: RecordBatch[] = [];
  let pos = 0;
  while (pos + HEADER_SIZE - 4 <= data.length) {
    const length = data.readInt32BE(pos + LENGTH_AT);
    const end = pos + 12 + length;
    if (end > data.length) break;
    batches.push(await decodeRecordBatch(data.subarray(pos, end)));
    pos = end;
  }
  if (pos < data.length && batches.length === 0)
    throw new CorruptBatchError('truncated record batch', 'format');
  return batches;
}

export async function decodeRecordBatch(buf: Buffer): Promise<RecordBatch> {
  const magic = buf.readInt8(MAGIC_AT);
  if (magic !== 2) throw new CorruptBatchError(`unsupported message format magic ${magic}`, 'magic');
  const expected = buf.readUInt32BE(CRC_AT);
  const actual = crc32c(buf.subarray(ATTRIBUTES_AT)) >>> 0;
  if (expected !== actual) throw new CorruptBatchError(`CRC32C mismatch: ${expected} != ${actual}`, 'crc');
  const d = new Decoder(buf);
  const baseOffset = d.int64();
  d.int32(); // batch length
  const partitionLeaderEpoch = d.int32();
  d.int8(); // magic
  d.uint32(); // crc
  const attributes = d.int16();
  const batch: RecordBatch = {
    baseOffset,
    partitionLeaderEpoch,
    compression: attributes & 0x07,
    timestampType: (attributes & 0x08) !== 0 ? 1 : 0,
    isTransactional: (attributes & 0x10) !== 0,
    isControl: (attributes & 0x20) !== 0,
    lastOffsetDelta: d.int32(),
    firstTimestamp: d.int64(),
    maxTimestamp: d.int64(),
    producerId: d.int64(),
    producerEpoch: d.int16(),
    baseSequence: d.int32(),
    records: [],
  };
  const count = d.int32();
  const body = await decompress(batch.compression, buf.subarray(d.offset));
  const rd = new Decoder(body);
  for (let i = 0; i < count; i++) {
    const length = rd.varint();
    const recordEnd = rd.offset + length;
    rd.int8(); // record attributes (unused)
    const timestampDelta = rd.varlong();
    const offsetDelta = rd.varint();
    const key = rd.varBytes();
    const value = rd.varBytes();
    const headerCount = rd.varint();
    const headers: BatchRecord['headers'] = [];
    for (let h = 0; h < headerCount; h++) {
      const hk = rd.varBytes();
      headers.push({ key: hk?.toString('utf8') ?? '', value: rd.varBytes() });
    }
    if (rd.offset !== recordEnd) throw new CorruptBatchError(`record ${i} length mismatch`, 'format');
    // LogAppendTime batches carry the broker time in maxTimestamp for every record.
    const timestamp = batch.timestampType === 1 ? batch.maxTimestamp : batch.firstTimestamp + timestampDelta;
    batch.records.push({ offset: baseOffset + offsetDelta, timestamp, key, value, headers });
  }
  return batch;
}

/** MessageSet v0/v1: [offset int64, size int32, crc32 (IEEE), magic, attributes, (timestamp), key, value]*. */
async function decodeLegacyMessageSet(data: Buffer): Promise<RecordBatch> {
  const records: BatchRecord[] = [];
  await collectLegacy(data, records, null, 0);
  const timestamps = records.map((r) => r.timestamp);
  return {
    baseOffset: 0,
    partitionLeaderEpoch: -1,
    compression: 0,
    timestampType: 0,
    isTransactional: false,
    isControl: false,
    lastOffsetDelta: records.length - 1,
    firstTimestamp: Math.min(...timestamps),
    maxTimestamp: Math.max(...timestamps),
    producerId: -1,
    producerEpoch: -1,
    baseSequence: -1,
    records: records.map((r, i) => ({ ...r, offset: i })),
  };
}

async function collectLegacy(
  data: Buffer,
  out: BatchRecord[],
  wrapperTime: number | null,
  depth: number,
): Promise<void> {
  if (depth > 1) throw new CorruptBatchError('nested compressed message sets', 'format');
  let pos = 0;
  while (pos + 12 <= data.length) {
    const size = data.readInt32BE(pos + 8);
    const end = pos + 12 + size;
    if (end > data.length) break; // partial trailing message
    const msg = data.subarray(pos + 12, end);
    pos = end;
    if (msg.length < 14) throw new CorruptBatchError('legacy message too short', 'format');
    if (msg.readUInt32BE(0) !== crc32(msg.subarray(4)) >>> 0)
      throw new CorruptBatchError('legacy message CRC32 mismatch', 'crc');
    const d = new Decoder(msg);
    d.uint32();
    const magic = d.int8();
    if (magic > 1) throw new CorruptBatchError(`magic ${magic} inside a legacy message set`, 'magic');
    const attributes = d.int8();
    const ownTime = magic === 1 ? d.int64() : Date.now();
    const timestamp = wrapperTime ?? ownTime;
    const key = d.bytes();
    const value = d.bytes();
    const codec = attributes & 0x07;
    if (codec !== 0) {
      if (!value) throw new CorruptBatchError('compressed legacy message without a payload', 'format');
      // A wrapper with LogAppendTime imposes its timestamp on the inner messages.
      const logAppend = magic === 1 && (attributes & 0x08) !== 0;
      await collectLegacy(await decompress(codec, value), out, logAppend ? ownTime : null, depth + 1);
    } else {
      out.push({ offset: out.length, timestamp, key, value, headers: [] });
    }
  }
  if (pos === 0 && data.length > 0) throw new CorruptBatchError('truncated legacy message set', 'format');
}

export interface EncodeBatchOptions {
  compression?: CompressionCodec;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  isTransactional?: boolean;
}

/** Encodes records (offsets absolute; the first one is the base offset) as one RecordBatch v2. */
export async function encodeRecordBatch(
  records: BatchRecord[],
  options: EncodeBatchOptions = {},
): Promise<Buffer> {
  if (records.length === 0) throw new Error('a record batch needs at least one record');
  const baseOffset = records[0]!.offset;
  let firstTimestamp = records[0]!.timestamp;
  let maxTimestamp = firstTimestamp;
  for (const r of records) {
    if (r.timestamp < firstTimestamp) firstTimestamp = r.timestamp;
    if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
  }
  // Records are length-prefixed: size each one arithmetically, then write it in place.
  let estimate = 0;
  for (const r of records) estimate += 24 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  const body = new Encoder(estimate);
  for (const r of records) {
    const tsDelta = r.timestamp - firstTimestamp;
    const offsetDelta = r.offset - baseOffset;
    let size = 1 + varlongSize(tsDelta) + varintSize(offsetDelta);
    size += varBytesSize(r.key) + varBytesSize(r.value) + varintSize(r.headers.length);
    const headerKeys = r.headers.length === 0 ? NO_KEYS : r.headers.map((h) => Buffer.from(h.key, 'utf8'));
    for (let h = 0; h < r.headers.length; h++)
      size += varBytesSize(headerKeys[h]!) + varBytesSize(r.headers[h]!.value);
    body.varint(size);
    body.int8(0);
    body.varlong(tsDelta);
    body.varint(offsetDelta);
    writeVarBytes(body, r.key);
    writeVarBytes(body, r.value);
    body.varint(r.headers.length);
    for (let h = 0; h < r.headers.length; h++) {
      writeVarBytes(body, headerKeys[h]!);
      writeVarBytes(body, r.headers[h]!.value);
    }
  }
  const codec = options.compression ?? Compression.none;
  const payload = codec === Compression.none ? body.view() : await compress(codec, body.view());
  const attributes = codec | (options.isTransactional ? 0x10 : 0);
  const e = new Encoder(HEADER_SIZE + payload.length);
  e.int64(baseOffset);
  e.int32(0); // length, patched below
  e.int32(-1); // partition leader epoch
  e.int8(2);
  e.uint32(0); // crc, patched below
  e.int16(attributes);
  e.int32(records[records.length - 1]!.offset - baseOffset);
  e.int64(firstTimestamp);
  e.int64(maxTimestamp);
  e.int64(options.producerId ?? -1);
  e.int16(options.producerEpoch ?? -1);
  e.int32(options.baseSequence ?? -1);
  e.int32(records.length);
  e.raw(payload);
  e.patchInt32(LENGTH_AT, e.length - 12);
  e.patchUInt32(CRC_AT, crc32c(e.view(ATTRIBUTES_AT)));
  return e.toBuffer();
}

function varBytesSize(v: Buffer | null): number {
  return v === null ? 1 : varintSize(v.length) + v.length;
}

function writeVarBytes(e: Encoder, v: Buffer | null): void {
  if (v === null) {
    e.varint(-1);
    return;
  }
  e.varint(v.length);
  e.raw(v);
}
