// A partition: an ordered list of segments, the newest active. Offsets are dense and monotonic.
// Each producer's last sequence is tracked so a transaction re-applied after a crash is skipped
// where it already landed (as Kafka's idempotent producer does).
import { mkdirSync, readdirSync } from 'node:fs';
import type { LogRecord, RetentionConfig } from '../types.ts';
import { type EncodedRecord, encodeBatch, readBatchHeader } from './batch-format.ts';
import { Segment } from './segment.ts';

export interface PartitionOptions {
  segmentBytes: number;
  retention: RetentionConfig;
  fsync: boolean;
}

export class Partition {
  private segments: Segment[] = [];
  readonly producers = new Map<string, number>();
  private waiters: (() => void)[] = [];
  /** Bytes cut from a torn tail when this partition was opened. */
  recoveredBytes = 0;

  constructor(
    readonly topic: string,
    readonly id: number,
    readonly dir: string,
    private options: PartitionOptions,
  ) {
    mkdirSync(dir, { recursive: true });
    const bases = readdirSync(dir)
      .filter((f) => f.endsWith('.log'))
      .map((f) => Number(f.slice(0, -4)))
      .sort((a, b) => a - b);
    if (bases.length === 0) bases.push(0);
    for (let i = 0; i < bases.length - 1; i++) this.segments.push(Segment.openSealed(dir, bases[i]!));
    if (this.segments.length) {
      for (const [p, s] of this.segments[this.segments.length - 1]!.sealedProducers())
        this.producers.set(p, s);
    }
    const { segment, recovery } = Segment.openActive(dir, bases[bases.length - 1]!);
    this.segments.push(segment);
    this.recoveredBytes = recovery.truncatedBytes;
    for (const [p, s] of recovery.producers) this.producers.set(p, s);
  }

  setOptions(options: PartitionOptions): void {
    this.options = options;
  }

  get earliest(): number {
    return this.segments[0]!.baseOffset;
  }

  get latest(): number {
    return this.active.nextOffset;
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  /** Appends one batch; returns its base offset. A producer sequence already seen is skipped (-1). */
  append(records: EncodedRecord[], producer: { id: string; seq: number } | null = null): number {
    if (producer && (this.producers.get(producer.id) ?? -1) >= producer.seq) return -1;
    if (this.active.size >= this.options.segmentBytes) this.roll();
    const baseOffset = this.active.nextOffset;
    const batch = encodeBatch(records, baseOffset, producer);
    this.active.append(batch, readBatchHeader(batch, 0)!, this.options.fsync);
    if (producer) this.producers.set(producer.id, producer.seq);
    if (this.waiters.length) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    }
    return baseOffset;
  }

  sync(): void {
    this.active.sync();
  }

  private roll(): void {
    this.active.seal(this.producers);
    this.segments.push(Segment.create(this.dir, this.active.nextOffset));
    if (this.options.retention.bytes !== undefined || this.options.retention.ms !== undefined) {
      this.enforceRetention(Date.now());
    }
  }

  read(fromOffset: number, limit: number, maxBytes: number): LogRecord[] {
    const out: LogRecord[] = [];
    let i = this.segmentIndexFor(fromOffset);
    let from = fromOffset;
    while (i < this.segments.length && out.length < limit) {
      const segment = this.segments[i]!;
      const before = out.length;
      segment.read(this.topic, this.id, from, limit, maxBytes, out);
      const next = out.length > before ? out[out.length - 1]!.offset + 1 : segment.nextOffset;
      // Stopped inside this segment (maxBytes): going on to the next one would skip the rest of it.
      if (next < segment.nextOffset) break;
      from = next;
      i++;
    }
    return out;
  }

  /** Resolves when a record at `offset` exists, or after `ms`. */
  waitFor(offset: number, ms: number): Promise<void> {
    if (offset < this.latest || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== wake);
        resolve();
      }, ms);
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(wake);
    });
  }

  wakeAll(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  offsetForTimestamp(ts: number): number {
    for (const seg of this.segments) {
      const found = seg.offsetForTimestamp(this.topic, this.id, ts);
      if (found !== null) return found;
    }
    return this.latest;
  }

  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let ans = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.segments[mid]!.baseOffset <= offset) {
        ans = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return ans;
  }

  get sizeBytes(): number {
    let total = 0;
    for (const s of this.segments) total += s.size;
    return total;
  }

  /** Deletes the oldest sealed segments that are over the size limit or past the age limit. */
  enforceRetention(now: number): number {
    const { bytes = -1, ms = -1 } = this.options.retention;
    // A wholly expired active segment is rolled so that age retention can remove it too.
    if (ms >= 0 && this.active.size > 0 && this.active.maxTimestamp < now - ms) {
      this.active.seal(this.producers);
      this.segments.push(Segment.create(this.dir, this.active.nextOffset));
    }
    let deleted = 0;
    let total = this.sizeBytes;
    while (this.segments.length > 1) {
      const oldest = this.segments[0]!;
      const overSize = bytes >= 0 && total > bytes;
      const overAge = ms >= 0 && oldest.maxTimestamp < now - ms;
      if (!overSize && !overAge) break;
      total -= oldest.size;
      oldest.delete();
      this.segments.shift();
      deleted++;
    }
    return deleted;
  }

  close(): void {
    this.wakeAll();
    for (const s of this.segments) s.close();
  }
}
