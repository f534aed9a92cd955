// Fetch (with long-poll: wait up to maxWaitMs for minBytes) and ListOffsets. Records are served as
// one uncompressed RecordBatch v2 per partition read; committed transactions only ever reach the
// log, so read_uncommitted and read_committed see the same records.
import type { LogRecord } from '../../log/types.ts';
import { ErrorCode, errorCodeFor } from '../errors.ts';
import { encodeRecordBatch } from '../protocol/record-batch.ts';
import type { Message } from '../protocol/schema.ts';
import type { Handler, RequestContext } from './context.ts';

interface PartitionFetch {
  topic: string;
  partition: number;
  offset: number;
  maxBytes: number;
}

function toBatchRecords(records: LogRecord[]) {
  return records.map((r) => ({
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key,
    value: r.value,
    headers: Object.entries(r.headers).map(([key, value]) => ({ key, value })),
  }));
}

async function readPartition(p: PartitionFetch, budget: number, ctx: RequestContext) {
  const { log } = ctx.broker;
  const base = {
    partitionIndex: p.partition,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: Buffer.alloc(0) as Buffer,
  };
  try {
    const earliest = await log.earliestOffset(p.topic, p.partition);
    const latest = await log.latestOffset(p.topic, p.partition);
    const marks = { highWatermark: latest, lastStableOffset: latest, logStartOffset: earliest };
    if (p.offset < earliest || p.offset > latest)
      return { ...base, ...marks, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
    if (p.offset === latest || budget <= 0) return { ...base, ...marks, errorCode: ErrorCode.NONE };
    const records = await log.read(p.topic, p.partition, p.offset, {
      maxBytes: Math.max(1, Math.min(p.maxBytes, budget)),
    });
    const batch = records.length > 0 ? await encodeRecordBatch(toBatchRecords(records)) : Buffer.alloc(0);
    return { ...base, ...marks, errorCode: ErrorCode.NONE, records: batch };
  } catch (err) {
    return {
      ...base,
      errorCode: errorCodeFor(err),
      highWatermark: -1,
      lastStableOffset: -1,
      logStartOffset: -1,
    };
  }
}

async function fetchOnce(wanted: PartitionFetch[], maxBytes: number, ctx: RequestContext) {
  let budget = maxBytes;
  let bytes = 0;
  const results = [];
  for (const p of wanted) {
    const r = await readPartition(p, budget, ctx);
    const size = r.records.length;
    budget -= size;
    bytes += size;
    results.push({ topic: p.topic, result: r });
  }
  return { results, bytes };
}

/** Resolves when any of the partitions has a record at its fetch offset, or after waitMs. */
async function waitForData(wanted: PartitionFetch[], waitMs: number, ctx: RequestContext): Promise<void> {
  const { log } = ctx.broker;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, waitMs);
  });
  const arrivals = wanted.map((p) =>
    log.read(p.topic, p.partition, p.offset, { maxRecords: 1, maxWaitMs: waitMs }).then(
      (records) => (records.length > 0 ? undefined : timeout),
      () => timeout,
    ),
  );
  await Promise.race([timeout, ...arrivals]);
  clearTimeout(timer);
}

export const fetch: Handler = async (req, _version, ctx) => {
  const wanted: PartitionFetch[] = [];
  for (const t of req.topics as Message[]) {
    for (const p of t.partitions as Message[]) {
      wanted.push({
        topic: t.topic,
        partition: p.partition,
        offset: p.fetchOffset,
        maxBytes: p.partitionMaxBytes,
      });
    }
  }
  const maxBytes = req.maxBytes > 0 ? req.maxBytes : 0x7fffffff;
  const deadline = Date.now() + Math.max(0, req.maxWaitMs);
  let round = await fetchOnce(wanted, maxBytes, ctx);
  while (round.bytes < req.minBytes && Date.now() < deadline) {
    const waitable = wanted.filter((_, i) => round.results[i]!.result.errorCode === ErrorCode.NONE);
    if (waitable.length === 0) break;
    await waitForData(waitable, deadline - Date.now(), ctx);
    round = await fetchOnce(wanted, maxBytes, ctx);
  }
  const byTopic = new Map<string, Message[]>();
  for (const { topic, result } of round.results) {
    const list = byTopic.get(topic) ?? [];
    list.push(result);
    byTopic.set(topic, list);
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    sessionId: 0,
    responses: [...byTopic.entries()].map(([topic, partitions]) => ({ topic, partitions })),
  };
};

const LATEST = -1;
const EARLIEST = -2;

async function listPartitionOffset(topic: string, partition: number, timestamp: number, ctx: RequestContext) {
  const { log } = ctx.broker;
  if (timestamp === LATEST) return { timestamp: -1, offset: await log.latestOffset(topic, partition) };
  if (timestamp === EARLIEST) return { timestamp: -1, offset: await log.earliestOffset(topic, partition) };
  const offset = await log.offsetForTimestamp(topic, partition, timestamp);
  const [record] = await log.read(topic, partition, offset, { maxRecords: 1 });
  // Kafka answers -1 when no record is at or after the timestamp.
  return record ? { timestamp: record.timestamp, offset } : { timestamp: -1, offset: -1 };
}

export const listOffsets: Handler = async (req, _version, ctx) => {
  const topics = [];
  for (const t of req.topics as Message[]) {
    const partitions = [];
    for (const p of t.partitions as Message[]) {
      try {
        const { timestamp, offset } = await listPartitionOffset(t.name, p.partitionIndex, p.timestamp, ctx);
        partitions.push({
          partitionIndex: p.partitionIndex,
          errorCode: ErrorCode.NONE,
          oldStyleOffsets: offset >= 0 ? [offset] : [],
          timestamp,
          offset,
          leaderEpoch: 0,
        });
      } catch (err) {
        partitions.push({
          partitionIndex: p.partitionIndex,
          errorCode: errorCodeFor(err),
          oldStyleOffsets: [],
          timestamp: -1,
          offset: -1,
          leaderEpoch: -1,
        });
      }
    }
    topics.push({ name: t.name, partitions });
  }
  return { throttleTimeMs: 0, topics };
};
