// Idempotent-producer bookkeeping: per producer id and partition, the epoch, the last sequence and
// the last few batches, so a retried batch is answered with its original offset instead of being
// written twice, and a gap in sequences is refused. Held in memory: a restarted broker accepts
// the next sequence it sees from a producer it no longer knows.
import { ErrorCode } from './errors.ts';

const MAX_SEQ = 2 ** 31;
const REMEMBERED_BATCHES = 5;
/** Producer/partition entries kept; the least recently used go first (every connect is a new producer id). */
const MAX_ENTRIES = 100_000;

interface Entry {
  epoch: number;
  lastSeq: number;
  recent: { baseSeq: number; lastSeq: number; baseOffset: number }[];
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number }
  | { kind: 'error'; errorCode: number };

export class ProducerStateTable {
  private readonly entries = new Map<string, Entry>();

  private static key(producerId: number, topic: string, partition: number): string {
    return `${producerId}\u0000${topic}\u0000${partition}`;
  }

  check(
    producerId: number,
    epoch: number,
    baseSeq: number,
    count: number,
    topic: string,
    partition: number,
  ): SequenceCheck {
    if (producerId < 0 || baseSeq < 0) return { kind: 'append' };
    const entry = this.entries.get(ProducerStateTable.key(producerId, topic, partition));
    if (!entry) return { kind: 'append' };
    if (epoch < entry.epoch) return { kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH };
    if (epoch > entry.epoch) {
      return baseSeq === 0
        ? { kind: 'append' }
        : { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    }
    const lastSeq = (baseSeq + count - 1) % MAX_SEQ;
    const dup = entry.recent.find((b) => b.baseSeq === baseSeq && b.lastSeq === lastSeq);
    if (dup) return { kind: 'duplicate', baseOffset: dup.baseOffset };
    if (baseSeq !== (entry.lastSeq + 1) % MAX_SEQ) {
      return { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    }
    return { kind: 'append' };
  }

  record(
    producerId: number,
    epoch: number,
    baseSeq: number,
    count: number,
    topic: string,
    partition: number,
    baseOffset: number,
  ): void {
    if (producerId < 0 || baseSeq < 0) return;
    const key = ProducerStateTable.key(producerId, topic, partition);
    let entry = this.entries.get(key);
    if (!entry || entry.epoch !== epoch) entry = { epoch, lastSeq: -1, recent: [] };
    // Re-inserting keeps the Map in least-recently-used order.
    this.entries.delete(key);
    this.entries.set(key, entry);
    if (this.entries.size > MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    entry.lastSeq = (baseSeq + count - 1) % MAX_SEQ;
    entry.recent.push({ baseSeq, lastSeq: entry.lastSeq, baseOffset });
    if (entry.recent.length > REMEMBERED_BATCHES) entry.recent.shift();
  }
}
