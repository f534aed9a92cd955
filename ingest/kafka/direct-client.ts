// Requests kafkajs has no public call for, sent through kafkajs's own cluster (so TLS, SASL,
// retries and metadata are kafkajs's): offset-addressed reads (a read_committed Fetch to the
// partition leader, aborted and control records filtered by kafkajs's Batch) and standalone
// group offset commits (kafkajs's admin.setOffsets joins the group with a whole consumer).
import type { Kafka } from 'kafkajs';
import Batch from 'kafkajs/src/consumer/batch.js';
import type { LogRecord } from '../log/types.ts';
import { toLogError } from './errors.ts';

const READ_COMMITTED = 1;
const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

// kafkajs's Cluster and Broker are untyped internals.
type Internal = any;

export class DirectClusterClient {
  private readonly cluster: Internal;

  constructor(kafka: Kafka) {
    // kafkajs builds its clusters through a private factory; reuse it so the reader shares the
    // client's configuration (brokers, TLS, SASL, retry).
    const factory = Object.getOwnPropertySymbols(kafka).find(
      (s) => s.description === 'private:Kafka:createCluster',
    );
    if (!factory) throw new Error('this kafkajs version does not expose its cluster factory');
    this.cluster = (kafka as unknown as Record<symbol, (o: object) => Internal>)[factory]!({
      allowAutoTopicCreation: false,
      isolationLevel: READ_COMMITTED,
    });
  }

  connect(): Promise<void> {
    return this.cluster.connect();
  }

  disconnect(): Promise<void> {
    return this.cluster.disconnect();
  }

  /** One ListOffsets to the leader: earliest, latest (read_committed: the last stable offset) or first at/after a time (-1: none). */
  async listOffset(topic: string, partition: number, at: 'earliest' | 'latest' | number): Promise<number> {
    try {
      await this.cluster.addTargetTopic(topic);
      const [result] = await this.cluster.fetchTopicsOffset([
        {
          topic,
          partitions: [{ partition }],
          fromBeginning: at === 'earliest',
          fromTimestamp: typeof at === 'number' ? at : undefined,
        },
      ]);
      return Number(result.partitions[0].offset);
    } catch (err) {
      throw toLogError(err, `offsets of ${topic}/${partition}`);
    }
  }

  /** The broker coordinating `groupId` (kafkajs Broker: joinGroup, syncGroup, heartbeat, leaveGroup). */
  groupCoordinator(groupId: string): Promise<Internal> {
    return this.cluster.findGroupCoordinator({ groupId });
  }

  /** OffsetCommit with generation -1, as Kafka's admin tools do; the group must have no live members. */
  async commitOffsets(
    group: string,
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[],
  ) {
    try {
      const coordinator = await this.cluster.findGroupCoordinator({ groupId: group });
      await coordinator.offsetCommit({ groupId: group, groupGenerationId: -1, memberId: '', topics });
    } catch (err) {
      throw toLogError(err, `commit offsets of ${group}`);
    }
  }

  async read(
    topic: string,
    partition: number,
    offset: number,
    options: { maxRecords?: number; maxBytes?: number; maxWaitMs?: number },
  ): Promise<LogRecord[]> {
    const maxRecords = options.maxRecords ?? 10_000;
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    const deadline = Date.now() + (options.maxWaitMs ?? 0);
    let from = offset;
    try {
      await this.cluster.addTargetTopic(topic);
      // A fetch can come back empty although records follow (all of it aborted or control
      // records): step past them until something is visible or the log end is reached.
      for (let attempt = 0; attempt < 100; attempt++) {
        const leaders = this.cluster.findLeaderForPartitions(topic, [partition]) as Record<string, number[]>;
        const nodeId = Object.keys(leaders)[0];
        if (nodeId === undefined) throw new Error(`no leader for ${topic}/${partition}`);
        const broker = await this.cluster.findBroker({ nodeId });
        const response = await broker.fetch({
          replicaId: -1,
          isolationLevel: READ_COMMITTED,
          maxWaitTime: Math.max(0, deadline - Date.now()),
          minBytes: 1,
          maxBytes,
          topics: [{ topic, partitions: [{ partition, fetchOffset: String(from), maxBytes }] }],
        });
        const data = response.responses[0].partitions[0];
        const batch = new Batch(topic, String(from), data);
        if (batch.messages.length > 0) {
          return batch.messages.slice(0, maxRecords).map((m) => ({
            topic,
            partition,
            offset: Number(m.offset),
            timestamp: Number(m.timestamp),
            key: m.key,
            value: m.value ?? Buffer.alloc(0),
            headers: Object.fromEntries(
              Object.entries(m.headers ?? {}).map(([k, v]) => [
                k,
                Array.isArray(v) ? v[v.length - 1]! : (v ?? Buffer.alloc(0)),
              ]),
            ),
          }));
        }
        const raw = batch.rawMessages;
        if (raw.length === 0) return [];
        from = Number(raw[raw.length - 1]!.offset) + 1;
      }
      return [];
    } catch (err) {
      throw toLogError(err, `read ${topic}/${partition}@${offset}`);
    }
  }
}
