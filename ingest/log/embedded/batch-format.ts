// On-disk record batch (little-endian). One CRC covers a whole batch, so a torn write is detected
// and never served.
//
//   0  u32 magic 'VGB1'        4  u32 total length (header + records)
//   8  u32 crc32 of bytes [12, total)
//  12  f64 base offset         20 u32 record count
//  24  f64 first timestamp     32 f64 max timestamp
//  40  f64 producer sequence (-1: none)
//  48  u16 producer id length, producer id (utf8)
//  then per record: f64 timestamp, i32 key length (-1 = null), key, i32 value length, value,
//                   u16 header count, per header: u16 name length, name, i32 value length, value
import { crc32 } from 'node:zlib';
import type { Headers, LogRecord } from '../types.ts';

export const MAGIC = 0x31424756; // 'VGB1'
export const FIXED_HEADER = 50;

export interface EncodedRecord {
  timestamp: number;
  key: Buffer | null;
  value: Buffer;
  headers: [string, Buffer][] | null;
}

export interface BatchHeader {
  totalLength: number;
  baseOffset: number;
  count: number;
  firstTimestamp: number;
  maxTimestamp: number;
  producerId: string | null;
  producerSeq: number;
  headerLength: number;
}

export function recordSize(r: EncodedRecord): number {
  let size = 8 + 4 + (r.key ? r.key.length : 0) + 4 + r.value.length + 2;
  if (r.headers)
    for (const [name, value] of r.headers) size += 2 + Buffer.byteLength(name) + 4 + value.length;
  return size;
}

export function encodeBatch(
  records: EncodedRecord[],
  baseOffset: number,
  producer: { id: string; seq: number } | null,
): Buffer {
  const producerBytes = producer ? Buffer.from(producer.id, 'utf8') : null;
  let size = FIXED_HEADER + (producerBytes ? producerBytes.length : 0);
  let firstTs = records.length ? records[0]!.timestamp : 0;
  let maxTs = Number.NEGATIVE_INFINITY;
  for (const r of records) {
    size += recordSize(r);
    if (r.timestamp > maxTs) maxTs = r.timestamp;
  }
  if (!records.length) {
    firstTs = 0;
    maxTs = 0;
  }
  const buf = Buffer.allocUnsafe(size);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(size, 4);
  buf.writeDoubleLE(baseOffset, 12);
  buf.writeUInt32LE(records.length, 20);
  buf.writeDoubleLE(firstTs, 24);
  buf.writeDoubleLE(maxTs, 32);
  buf.writeDoubleLE(producer ? producer.seq : -1, 40);
  let pos = 48;
  buf.writeUInt16LE(producerBytes ? producerBytes.length : 0, pos);
  pos += 2;
  if (producerBytes) pos += producerBytes.copy(buf, pos);
  for (const r of records) {
    buf.writeDoubleLE(r.timestamp, pos);
    pos += 8;
    if (r.key) {
      buf.writeInt32LE(r.key.length, pos);
      pos += 4;
      pos += r.key.copy(buf, pos);
    } else {
      buf.writeInt32LE(-1, pos);
      pos += 4;
    }
    buf.writeInt32LE(r.value.length, pos);
    pos += 4;
    pos += r.value.copy(buf, pos);
    const headers = r.headers;
    buf.writeUInt16LE(headers ? headers.length : 0, pos);
    pos += 2;
    if (headers) {
      for (const [name, value] of headers) {
        const n = buf.write(name, pos + 2, 'utf8');
        buf.writeUInt16LE(n, pos);
        pos += 2 + n;
        buf.writeInt32LE(value.length, pos);
        pos += 4;
        pos += value.copy(buf, pos);
      }
    }
  }
  buf.writeUInt32LE(crc32(buf.subarray(12)), 8);
  return buf;
}

/**
 * Reads a batch header at `pos`. Returns null when the bytes there are not a whole batch (torn
 * tail) — the caller decides whether that is the end of the log or corruption.
 */
export function readBatchHeader(buf: Buffer, pos: number, available = buf.length - pos): BatchHeader | null {
  if (available < FIXED_HEADER) return null;
  if (buf.readUInt32LE(pos) !== MAGIC) return null;
  const totalLength = buf.readUInt32LE(pos + 4);
  if (totalLength < FIXED_HEADER) return null;
  const producerLength = buf.readUInt16LE(pos + 48);
  if (available < FIXED_HEADER + producerLength) return null;
  const producerSeq = buf.readDoubleLE(pos + 40);
  return {
    totalLength,
    baseOffset: buf.readDoubleLE(pos + 12),
    count: buf.readUInt32LE(pos + 20),
    firstTimestamp: buf.readDoubleLE(pos + 24),
    maxTimestamp: buf.readDoubleLE(pos + 32),
    producerSeq,
    producerId: producerLength ? buf.toString('utf8', pos + 50, pos + 50 + producerLength) : null,
    headerLength: FIXED_HEADER + producerLength,
  };
}

export function batchCrcValid(buf: Buffer, pos: number, totalLength: number): boolean {
  return buf.readUInt32LE(pos + 8) === crc32(buf.subarray(pos + 12, pos + totalLength));
}

const NO_HEADERS: Headers = Object.freeze({}) as Headers;

/** Decodes the records of a whole batch at `pos`, pushing those with offset >= fromOffset. */
export function decodeBatchRecords(
  buf: Buffer,
  pos: number,
  header: BatchHeader,
  topic: string,
  partition: number,
  fromOffset: number,
  out: LogRecord[],
  limit: number,
): void {
  let p = pos + header.headerLength;
  for (let i = 0; i < header.count; i++) {
    if (out.length >= limit) return;
    const offset = header.baseOffset + i;
    if (offset < fromOffset) {
      // Skip by lengths alone: no Buffers for records the caller did not ask for.
      p += 8;
      const keyLength = buf.readInt32LE(p);
      p += 4 + Math.max(keyLength, 0);
      p += 4 + buf.readInt32LE(p);
      const headerCount = buf.readUInt16LE(p);
      p += 2;
      for (let h = 0; h < headerCount; h++) {
        p += 2 + buf.readUInt16LE(p);
        p += 4 + buf.readInt32LE(p);
      }
      continue;
    }
    const timestamp = buf.readDoubleLE(p);
    p += 8;
    const keyLength = buf.readInt32LE(p);
    p += 4;
    let key: Buffer | null = null;
    if (keyLength >= 0) {
      key = buf.subarray(p, p + keyLength);
      p += keyLength;
    }
    const valueLength = buf.readInt32LE(p);
    p += 4;
    const value = buf.subarray(p, p + valueLength);
    p += valueLength;
    const headerCount = buf.readUInt16LE(p);
    p += 2;
    let headers = NO_HEADERS;
    if (headerCount > 0) {
      headers = {};
      for (let h = 0; h < headerCount; h++) {
        const nameLength = buf.readUInt16LE(p);
        p += 2;
        const name = buf.toString('utf8', p, p + nameLength);
        p += nameLength;
        const vLength = buf.readInt32LE(p);
        p += 4;
        headers[name] = buf.subarray(p, p + vLength);
        p += vLength;
      }
    }
    out.push({ topic, partition, offset, timestamp, key, value, headers });
  }
}
