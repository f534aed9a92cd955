// One segment file of a partition, with a sparse offset index and time index kept in memory.
// A sealed segment persists its indexes (.index, .timeindex) and its producer state; the active
// segment rebuilds them by scanning at open, which is also where a torn tail is cut off.
import {
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { LogRecord } from '../types.ts';
import {
  type BatchHeader,
  batchCrcValid,
  decodeBatchRecords,
  FIXED_HEADER,
  readBatchHeader,
} from './batch-format.ts';

const INDEX_INTERVAL_BYTES = 4096;
const SCAN_CHUNK = 4 * 1024 * 1024;

export function segmentName(baseOffset: number): string {
  return String(baseOffset).padStart(20, '0');
}

/** Growable parallel arrays: offset, file position, and the running max timestamp through that entry. */
class SparseIndex {
  offsets = new Float64Array(64);
  positions = new Float64Array(64);
  maxTs = new Float64Array(64);
  length = 0;

  push(offset: number, position: number, maxTs: number): void {
    if (this.length === this.offsets.length) {
      const grow = (a: Float64Array) => {
        const b = new Float64Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.offsets = grow(this.offsets);
      this.positions = grow(this.positions);
      this.maxTs = grow(this.maxTs);
    }
    this.offsets[this.length] = offset;
    this.positions[this.length] = position;
    this.maxTs[this.length] = maxTs;
    this.length++;
  }

  /** Index of the last entry with offset <= target (or 0). */
  floor(target: number): number {
    let lo = 0;
    let hi = this.length - 1;
    let ans = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid]! <= target) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  /** Index of the first entry whose running max timestamp reaches ts, or -1. */
  firstReaching(ts: number): number {
    let lo = 0;
    let hi = this.length - 1;
    let ans = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.maxTs[mid]! >= ts) {
        ans = mid;
        hi = mid - 1;
      } else lo = mid + 1;
    }
    return ans;
  }
}

export interface SegmentRecovery {
  truncatedBytes: number;
  producers: Map<string, number>;
}

export class Segment {
  readonly baseOffset: number;
  nextOffset: number;
  size = 0;
  /** Newest record timestamp in the segment (-Infinity when empty). */
  maxTimestamp = Number.NEGATIVE_INFINITY;
  private readonly index = new SparseIndex();
  private bytesSinceIndex = Number.POSITIVE_INFINITY;
  private fd: number;
  readonly path: string;

  private constructor(
    readonly dir: string,
    baseOffset: number,
    fd: number,
  ) {
    this.baseOffset = baseOffset;
    this.nextOffset = baseOffset;
    this.fd = fd;
    this.path = join(dir, `${segmentName(baseOffset)}.log`);
  }

  static create(dir: string, baseOffset: number): Segment {
    const fd = openSync(join(dir, `${segmentName(baseOffset)}.log`), 'a+');
    return new Segment(dir, baseOffset, fd);
  }

  /** Opens a sealed segment from its persisted indexes, or by scanning when they are missing. */
  static openSealed(dir: string, baseOffset: number): Segment {
    const seg = Segment.create(dir, baseOffset);
    seg.size = fstatSync(seg.fd).size;
    if (!seg.loadIndexFiles()) seg.scan(false);
    return seg;
  }

  /** Opens the active segment: scans every batch, verifies CRCs and truncates a torn or corrupt tail. */
  static openActive(dir: string, baseOffset: number): { segment: Segment; recovery: SegmentRecovery } {
    const seg = Segment.create(dir, baseOffset);
    seg.size = fstatSync(seg.fd).size;
    const recovery = seg.scan(true);
    return { segment: seg, recovery };
  }

  /** Walks the batches from the start, rebuilding the index; with verify, checks CRCs and cuts the tail. */
  private scan(verify: boolean): SegmentRecovery {
    const producers = new Map<string, number>();
    const fileSize = this.size;
    let pos = 0;
    let buf = Buffer.allocUnsafe(SCAN_CHUNK);
    let bufStart = 0;
    let bufLen = 0;
    const ensure = (start: number, len: number): boolean => {
      if (start + len > fileSize) return false;
      if (start >= bufStart && start + len <= bufStart + bufLen) return true;
      if (len > buf.length) buf = Buffer.allocUnsafe(len);
      bufStart = start;
      bufLen = readSync(this.fd, buf, 0, Math.min(buf.length, fileSize - start), start);
      return bufLen >= len;
    };
    this.nextOffset = this.baseOffset;
    while (pos < fileSize) {
      if (!ensure(pos, Math.min(FIXED_HEADER + 512, fileSize - pos))) break;
      const header = readBatchHeader(buf, pos - bufStart, bufStart + bufLen - pos);
      if (!header || header.baseOffset !== this.nextOffset || pos + header.totalLength > fileSize) break;
      if (verify) {
        if (!ensure(pos, header.totalLength)) break;
        if (!batchCrcValid(buf, pos - bufStart, header.totalLength)) break;
      }
      this.noteBatch(header, pos);
      if (header.producerId) producers.set(header.producerId, header.producerSeq);
      pos += header.totalLength;
    }
    const truncatedBytes = fileSize - pos;
    if (truncatedBytes > 0) {
      if (!verify) throw new Error(`sealed segment ${this.path} is corrupt at byte ${pos}`);
      ftruncateSync(this.fd, pos);
      fdatasyncSync(this.fd);
    }
    this.size = pos;
    return { truncatedBytes, producers };
  }

  private noteBatch(header: BatchHeader, position: number): void {
    if (header.maxTimestamp > this.maxTimestamp) this.maxTimestamp = header.maxTimestamp;
    if (this.bytesSinceIndex >= INDEX_INTERVAL_BYTES) {
      this.index.push(header.baseOffset, position, this.maxTimestamp);
      this.bytesSinceIndex = 0;
    } else {
      this.index.maxTs[this.index.length - 1] = this.maxTimestamp;
    }
    this.bytesSinceIndex += header.totalLength;
    this.nextOffset = header.baseOffset + header.count;
  }

  append(batch: Buffer, header: BatchHeader, fsync: boolean): void {
    let written = 0;
    while (written < batch.length)
      written += writeSync(this.fd, batch, written, batch.length - written, this.size + written);
    if (fsync) fdatasyncSync(this.fd);
    this.noteBatch(header, this.size);
    this.size += batch.length;
  }

  sync(): void {
    fdatasyncSync(this.fd);
  }

  /** Reads records from `fromOffset` on, up to `limit` records and about `maxBytes` bytes. */
  read(
    topic: string,
    partition: number,
    fromOffset: number,
    limit: number,
    maxBytes: number,
    out: LogRecord[],
  ): void {
    if (fromOffset >= this.nextOffset || this.index.length === 0) return;
    let pos = this.index.positions[this.index.floor(fromOffset)]!;
    let bytesRead = 0;
    while (pos < this.size && out.length < limit && bytesRead < maxBytes) {
      // Read about what `limit` records need (from the segment's mean record size), not maxBytes.
      const mean = this.size / Math.max(1, this.nextOffset - this.baseOffset);
      const need = mean * (limit - out.length) * 1.2 + INDEX_INTERVAL_BYTES;
      const want = Math.min(Math.max(Math.min(maxBytes - bytesRead, need), 64 * 1024), this.size - pos);
      let buf = Buffer.allocUnsafe(want);
      let n = readSync(this.fd, buf, 0, want, pos);
      let p = 0;
      let progressed = false;
      while (p < n && out.length < limit) {
        let header = readBatchHeader(buf, p, n - p);
        if (header && p + header.totalLength > n) {
          if (p > 0) break; // re-read from this batch's start
          // A batch larger than the buffer: read it whole.
          buf = Buffer.allocUnsafe(header.totalLength);
          n = readSync(this.fd, buf, 0, header.totalLength, pos);
          header = readBatchHeader(buf, 0, n);
        }
        if (!header) throw new Error(`segment ${this.path}: unreadable batch at byte ${pos + p}`);
        if (header.baseOffset + header.count > fromOffset) {
          decodeBatchRecords(buf, p, header, topic, partition, fromOffset, out, limit);
        }
        p += header.totalLength;
        progressed = true;
      }
      if (!progressed) break;
      pos += p;
      bytesRead += p;
    }
  }

  /** The first offset whose timestamp is >= ts in this segment, or null. */
  offsetForTimestamp(topic: string, partition: number, ts: number): number | null {
    if (this.maxTimestamp < ts) return null;
    const entry = this.index.firstReaching(ts);
    if (entry < 0) return null;
    // Walk batch headers from the index entry: every record before the first batch whose max
    // timestamp reaches ts is older than ts, so only that one batch needs decoding.
    let pos = this.index.positions[entry]!;
    const head = Buffer.allocUnsafe(FIXED_HEADER + 1024);
    while (pos < this.size) {
      const n = readSync(this.fd, head, 0, Math.min(head.length, this.size - pos), pos);
      const header = readBatchHeader(head, 0, n);
      if (!header) throw new Error(`segment ${this.path}: unreadable batch at byte ${pos}`);
      if (header.maxTimestamp >= ts) {
        const out: LogRecord[] = [];
        this.read(topic, partition, header.baseOffset, header.count, header.totalLength, out);
        for (const r of out) if (r.timestamp >= ts) return r.offset;
        return null;
      }
      pos += header.totalLength;
    }
    return null;
  }

  /** Persists the indexes and the producer state, for a quick open once the segment is sealed. */
  seal(producers: Map<string, number>): void {
    fdatasyncSync(this.fd);
    const n = this.index.length;
    const index = Buffer.allocUnsafe(n * 16);
    const timeIndex = Buffer.allocUnsafe(n * 16);
    for (let i = 0; i < n; i++) {
      index.writeDoubleLE(this.index.offsets[i]!, i * 16);
      index.writeDoubleLE(this.index.positions[i]!, i * 16 + 8);
      timeIndex.writeDoubleLE(this.index.maxTs[i]!, i * 16);
      timeIndex.writeDoubleLE(this.index.offsets[i]!, i * 16 + 8);
    }
    const base = join(this.dir, segmentName(this.baseOffset));
    writeFileSync(`${base}.index`, index);
    writeFileSync(`${base}.timeindex`, timeIndex);
    writeFileSync(
      `${base}.meta.json`,
      JSON.stringify({
        nextOffset: this.nextOffset,
        size: this.size,
        maxTimestamp: this.maxTimestamp,
        producers: Object.fromEntries(producers),
      }),
    );
  }

  private loadIndexFiles(): boolean {
    const base = join(this.dir, segmentName(this.baseOffset));
    if (!existsSync(`${base}.meta.json`) || !existsSync(`${base}.index`) || !existsSync(`${base}.timeindex`))
      return false;
    try {
      const meta = JSON.parse(readFileSync(`${base}.meta.json`, 'utf8'));
      if (meta.size !== this.size) return false;
      const index = readFileSync(`${base}.index`);
      const timeIndex = readFileSync(`${base}.timeindex`);
      if (index.length !== timeIndex.length || index.length % 16 !== 0) return false;
      for (let i = 0; i < index.length / 16; i++) {
        this.index.push(
          index.readDoubleLE(i * 16),
          index.readDoubleLE(i * 16 + 8),
          timeIndex.readDoubleLE(i * 16),
        );
      }
      this.nextOffset = meta.nextOffset;
      this.maxTimestamp = meta.maxTimestamp ?? Number.NEGATIVE_INFINITY;
      return true;
    } catch {
      return false;
    }
  }

  sealedProducers(): Map<string, number> {
    try {
      const meta = JSON.parse(
        readFileSync(join(this.dir, `${segmentName(this.baseOffset)}.meta.json`), 'utf8'),
      );
      return new Map(Object.entries(meta.producers ?? {}) as [string, number][]);
    } catch {
      return new Map();
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  delete(): void {
    this.close();
    const base = join(this.dir, segmentName(this.baseOffset));
    for (const ext of ['.log', '.index', '.timeindex', '.meta.json'])
      rmSync(`${base}${ext}`, { force: true });
  }
}
