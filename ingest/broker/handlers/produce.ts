// Produce: decode each partition's record batches (CRC32C checked, decompressed), de-duplicate
// idempotent retries, append to the log, or hold transactional records until EndTxn.
import { Counter } from 'prom-client';
import { metricsRegistry } from '../../../kernel/metrics.ts';
import type { ProducerRecord } from '../../log/types.ts';
import { ErrorCode, errorCodeFor } from '../errors.ts';
import { CorruptBatchError, decodeRecordBatches, type RecordBatch } from '../protocol/record-batch.ts';
import type { Message } from '../protocol/schema.ts';
import type { Handler, RequestContext } from './context.ts';

const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export const producedBatches = new Counter({
  name: 'vigil_broker_produced_batches_total',
  help: 'Record batches accepted by the broker endpoint, by compression codec',
  labelNames: ['compression'],
  registers: [metricsRegistry],
});

function toProducerRecords(batch: RecordBatch, partition: number): ProducerRecord[] {
  return batch.records.map((r) => {
    const headers: Record<string, Buffer> = {};
    for (const h of r.headers) headers[h.key] = h.value ?? Buffer.alloc(0);
    return { key: r.key, value: r.value ?? Buffer.alloc(0), headers, timestamp: r.timestamp, partition };
  });
}

async function producePartition(
  topic: string,
  partition: number,
  records: Buffer | null,
  ctx: RequestContext,
) {
  const { log, producers, txns } = ctx.broker;
  const reply = (errorCode: number, baseOffset = -1) => ({
    index: partition,
    errorCode,
    baseOffset,
    logAppendTimeMs: -1,
    logStartOffset: -1,
  });
  let batches: RecordBatch[];
  try {
    batches = records === null ? [] : await decodeRecordBatches(records);
  } catch (err) {
    if (err instanceof CorruptBatchError && err.kind === 'magic')
      return reply(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT);
    return reply(ErrorCode.CORRUPT_MESSAGE);
  }
  if (batches.length === 0) return reply(ErrorCode.CORRUPT_MESSAGE);
  let firstOffset = -1;
  try {
    const partitions = (await log.describeTopic(topic)).partitions.length;
    if (partition < 0 || partition >= partitions) return reply(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    for (const batch of batches) {
      const count = batch.records.length;
      const check = producers.check(
        batch.producerId,
        batch.producerEpoch,
        batch.baseSequence,
        count,
        topic,
        partition,
      );
      if (check.kind === 'error') return reply(check.errorCode);
      let baseOffset: number;
      if (check.kind === 'duplicate') {
        baseOffset = check.baseOffset;
      } else if (batch.isTransactional) {
        const held = await txns.bufferRecords(
          batch.producerId,
          batch.producerEpoch,
          topic,
          partition,
          toProducerRecords(batch, partition),
        );
        if (held.errorCode !== ErrorCode.NONE) return reply(held.errorCode);
        baseOffset = held.baseOffset;
      } else {
        const [result] = await log.append(topic, toProducerRecords(batch, partition));
        baseOffset = result?.baseOffset ?? -1;
      }
      if (check.kind === 'append') {
        producers.record(
          batch.producerId,
          batch.producerEpoch,
          batch.baseSequence,
          count,
          topic,
          partition,
          baseOffset,
        );
      }
      if (firstOffset < 0) firstOffset = baseOffset;
      producedBatches.inc({ compression: CODEC_NAMES[batch.compression] ?? String(batch.compression) });
    }
    return {
      ...reply(ErrorCode.NONE, firstOffset),
      logStartOffset: await log.earliestOffset(topic, partition),
    };
  } catch (err) {
    return reply(errorCodeFor(err));
  }
}

export const produce: Handler = async (req, _version, ctx) => {
  const acks: number = req.acks;
  const responses = [];
  if (acks !== 0 && acks !== 1 && acks !== -1) {
    for (const t of req.topics as Message[]) {
      responses.push({
        name: t.name,
        partitions: t.partitions.map((p: Message) => ({
          index: p.index,
          errorCode: ErrorCode.INVALID_REQUIRED_ACKS,
          baseOffset: -1,
        })),
      });
    }
    return { responses, throttleTimeMs: 0 };
  }
  for (const t of req.topics as Message[]) {
    const partitions = [];
    for (const p of t.partitions as Message[])
      partitions.push(await producePartition(t.name, p.index, p.records, ctx));
    responses.push({ name: t.name, partitions });
  }
  // acks=0: the producer expects no response at all.
  return acks === 0 ? null : { responses, throttleTimeMs: 0 };
};
