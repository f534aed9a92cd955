// InitProducerId and the transaction APIs, delegated to the TransactionCoordinator.
import type { TopicPartitionOffset } from '../../log/types.ts';
import type { Message } from '../protocol/schema.ts';
import type { Handler } from './context.ts';

export const initProducerId: Handler = (req, _version, ctx) => ({
  throttleTimeMs: 0,
  ...ctx.broker.txns.initProducerId(req.transactionalId, req.transactionTimeoutMs),
});

export const addPartitionsToTxn: Handler = async (req, _version, ctx) => {
  const results = [];
  const topics = new Set(await ctx.broker.log.listTopics());
  for (const t of req.topics as Message[]) {
    results.push({
      name: t.name,
      results: (t.partitions as number[]).map((partition) => ({
        partitionIndex: partition,
        errorCode: topics.has(t.name)
          ? ctx.broker.txns.addPartitions(
              req.transactionalId,
              req.producerId,
              req.producerEpoch,
              t.name,
              partition,
            )
          : 3,
      })),
    });
  }
  return { throttleTimeMs: 0, results };
};

export const addOffsetsToTxn: Handler = (req, _version, ctx) => ({
  throttleTimeMs: 0,
  errorCode: ctx.broker.txns.addOffsets(req.transactionalId, req.producerId, req.producerEpoch),
});

export const txnOffsetCommit: Handler = (req, _version, ctx) => {
  const offsets: TopicPartitionOffset[] = [];
  for (const t of req.topics as Message[]) {
    for (const p of t.partitions as Message[])
      offsets.push({ topic: t.name, partition: p.partitionIndex, offset: p.committedOffset });
  }
  const errorCode = ctx.broker.txns.commitOffsets(
    req.transactionalId,
    req.producerId,
    req.producerEpoch,
    req.groupId,
    offsets,
  );
  return {
    throttleTimeMs: 0,
    topics: (req.topics as Message[]).map((t) => ({
      name: t.name,
      partitions: (t.partitions as Message[]).map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
    })),
  };
};

export const endTxn: Handler = async (req, _version, ctx) => ({
  throttleTimeMs: 0,
  errorCode: await ctx.broker.txns.end(req.transactionalId, req.producerId, req.producerEpoch, req.committed),
});
