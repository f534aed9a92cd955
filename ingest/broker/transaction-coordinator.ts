// Kafka transactions mapped onto EventLog.transact: a transactional producer's records and its
// TxnOffsetCommit offsets are held by the broker until EndTxn; a commit applies them with one
// log.transact (outputs + group offsets, all or nothing), an abort drops them. Consumers therefore
// never see uncommitted or aborted records, whatever their isolation level.
// Produce responses for transactional records carry the offsets the records will get if nothing
// else appends to those partitions before the commit; the commit result is authoritative.
import type { EventLog, ProducerRecord, TopicPartitionOffset, TransactionOutput } from '../log/types.ts';
import { ErrorCode, errorCodeFor } from './errors.ts';

interface OpenTransaction {
  transactionalId: string;
  producerId: number;
  epoch: number;
  timeoutMs: number;
  partitions: Set<string>;
  outputs: Map<string, ProducerRecord[]>;
  offsets: Map<string, Map<string, TopicPartitionOffset>>;
  pendingPerPartition: Map<string, number>;
  timer?: NodeJS.Timeout;
}

/** Group used for a committed transaction that carried no consumer offsets. */
export const NO_GROUP_TXN = '__vigil.broker.txn';

export class TransactionCoordinator {
  private nextProducerId = Date.now() * 16;
  private readonly byId = new Map<string, OpenTransaction>();
  private readonly byProducer = new Map<number, OpenTransaction>();

  constructor(private readonly log: EventLog) {}

  initProducerId(
    transactionalId: string | null,
    timeoutMs: number,
  ): { errorCode: number; producerId: number; producerEpoch: number } {
    if (transactionalId === null || transactionalId === '') {
      return { errorCode: ErrorCode.NONE, producerId: this.nextProducerId++, producerEpoch: 0 };
    }
    if (timeoutMs <= 0 || timeoutMs > 15 * 60_000) {
      return { errorCode: ErrorCode.INVALID_TRANSACTION_TIMEOUT, producerId: -1, producerEpoch: -1 };
    }
    const existing = this.byId.get(transactionalId);
    // A new instance with the same transactional id fences the old one: its open work is dropped.
    let producerId = existing?.producerId ?? this.nextProducerId++;
    let epoch = existing ? existing.epoch + 1 : 0;
    if (epoch > 32766) {
      producerId = this.nextProducerId++;
      epoch = 0;
    }
    if (existing) {
      clearTimeout(existing.timer);
      this.byProducer.delete(existing.producerId);
    }
    const txn: OpenTransaction = {
      transactionalId,
      producerId,
      epoch,
      timeoutMs,
      partitions: new Set(),
      outputs: new Map(),
      offsets: new Map(),
      pendingPerPartition: new Map(),
    };
    this.byId.set(transactionalId, txn);
    this.byProducer.set(producerId, txn);
    return { errorCode: ErrorCode.NONE, producerId, producerEpoch: epoch };
  }

  private lookup(transactionalId: string, producerId: number, epoch: number): OpenTransaction | number {
    const txn = this.byId.get(transactionalId);
    if (!txn || txn.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (epoch !== txn.epoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    return txn;
  }

  private begin(txn: OpenTransaction): void {
    if (txn.timer) return;
    // Like Kafka, a transaction left open past its timeout is aborted.
    txn.timer = setTimeout(() => this.reset(txn), txn.timeoutMs);
    txn.timer.unref();
  }

  private reset(txn: OpenTransaction): void {
    clearTimeout(txn.timer);
    txn.timer = undefined;
    txn.partitions.clear();
    txn.outputs.clear();
    txn.offsets.clear();
    txn.pendingPerPartition.clear();
  }

  addPartitions(
    transactionalId: string,
    producerId: number,
    epoch: number,
    topic: string,
    partition: number,
  ): number {
    const txn = this.lookup(transactionalId, producerId, epoch);
    if (typeof txn === 'number') return txn;
    this.begin(txn);
    txn.partitions.add(`${topic}\u0000${partition}`);
    return ErrorCode.NONE;
  }

  addOffsets(transactionalId: string, producerId: number, epoch: number): number {
    const txn = this.lookup(transactionalId, producerId, epoch);
    if (typeof txn === 'number') return txn;
    this.begin(txn);
    return ErrorCode.NONE;
  }

  commitOffsets(
    transactionalId: string,
    producerId: number,
    epoch: number,
    group: string,
    offsets: TopicPartitionOffset[],
  ): number {
    const txn = this.lookup(transactionalId, producerId, epoch);
    if (typeof txn === 'number') return txn;
    if (txn.offsets.size > 0 && !txn.offsets.has(group)) return ErrorCode.INVALID_TXN_STATE;
    let byPartition = txn.offsets.get(group);
    if (!byPartition) {
      byPartition = new Map();
      txn.offsets.set(group, byPartition);
    }
    for (const o of offsets) byPartition.set(`${o.topic}\u0000${o.partition}`, o);
    return ErrorCode.NONE;
  }

  /** Buffers a transactional batch; returns the offset it is expected to get, or an error code. */
  async bufferRecords(
    producerId: number,
    epoch: number,
    topic: string,
    partition: number,
    records: ProducerRecord[],
  ) {
    const txn = this.byProducer.get(producerId);
    if (!txn) return { errorCode: ErrorCode.INVALID_PRODUCER_ID_MAPPING, baseOffset: -1 };
    if (epoch !== txn.epoch) return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, baseOffset: -1 };
    const key = `${topic}\u0000${partition}`;
    if (!txn.partitions.has(key)) return { errorCode: ErrorCode.INVALID_TXN_STATE, baseOffset: -1 };
    const latest = await this.log.latestOffset(topic, partition);
    const pending = txn.pendingPerPartition.get(key) ?? 0;
    let list = txn.outputs.get(topic);
    if (!list) {
      list = [];
      txn.outputs.set(topic, list);
    }
    for (const r of records) list.push({ ...r, partition });
    txn.pendingPerPartition.set(key, pending + records.length);
    return { errorCode: ErrorCode.NONE, baseOffset: latest + pending };
  }

  async end(transactionalId: string, producerId: number, epoch: number, commit: boolean): Promise<number> {
    const txn = this.lookup(transactionalId, producerId, epoch);
    if (typeof txn === 'number') return txn;
    if (!commit) {
      this.reset(txn);
      return ErrorCode.NONE;
    }
    const outputs: TransactionOutput[] = [...txn.outputs.entries()].map(([topic, records]) => ({
      topic,
      records,
    }));
    const [group, offsets] = [...txn.offsets.entries()][0] ?? [
      NO_GROUP_TXN,
      new Map<string, TopicPartitionOffset>(),
    ];
    try {
      if (outputs.length > 0 || offsets.size > 0)
        await this.log.transact({ group, outputs, offsets: [...offsets.values()] });
      return ErrorCode.NONE;
    } catch (err) {
      return errorCodeFor(err);
    } finally {
      this.reset(txn);
    }
  }

  close(): void {
    for (const txn of this.byId.values()) clearTimeout(txn.timer);
  }
}
