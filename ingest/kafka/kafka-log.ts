// The EventLog on Redpanda/Kafka through kafkajs. Partitioning is done here with Kafka's murmur2
// (ingest/log/partitioner.ts) so every append knows its per-partition counts; appends go through
// an idempotent producer; `transact` uses one transactional producer per consumer group (a
// restarted stage fences its previous incarnation) and writes the stage state as a record keyed
// by the group on a compacted state topic inside the same transaction as the outputs and offsets.
import {
  type Admin,
  type Kafka,
  Kafka as KafkaClient,
  logLevel,
  type Message,
  Partitioners,
  type Producer,
} from 'kafkajs';
import { logger } from '../../kernel/logger.ts';
import { partitionForKey } from '../log/partitioner.ts';
import {
  type AppendResult,
  type EventLog,
  type GroupState,
  LogError,
  type LogRecord,
  type ProducerRecord,
  type ReadOptions,
  type TopicConfig,
  type TopicInfo,
  type TopicPartitionOffset,
  type Transaction,
} from '../log/types.ts';
import {
  type KafkaLogConfig,
  kafkaLogConfigSchema,
  type ResolvedKafkaLogConfig,
  toKafkaJsConfig,
} from './config.ts';
import { DirectClusterClient } from './direct-client.ts';
import { toLogError } from './errors.ts';

const log = logger.child({ component: 'kafka-log' });
const STATE_SCAN_WINDOW = 256;

function kafkaJsLogCreator() {
  return ({ level, log: entry }: { level: number; log: { message: string } & Record<string, unknown> }) => {
    const { message, ...rest } = entry;
    // Expected outcomes kafkajs reports loudly: an existing topic on ensureTopic, and bounded
    // retries (a dead cluster must surface as an error, not hang a stage forever).
    const expected = rest.error === 'Topic creation errors' || message.startsWith('Limiting retries');
    if (expected) log.debug(rest, message);
    else if (level <= logLevel.ERROR) log.error(rest, message);
    else if (level === logLevel.WARN) log.warn(rest, message);
    else log.debug(rest, message);
  };
}

function toBuffer(v: Buffer | string): Buffer {
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

interface Placed {
  partition: number;
  messages: Message[];
}

export class KafkaEventLog implements EventLog {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly producer: Producer;
  private readonly reader: DirectClusterClient;
  private readonly txProducers = new Map<string, Promise<Producer>>();
  private readonly txQueues = new Map<string, Promise<unknown>>();
  private readonly partitionCounts = new Map<string, number>();
  private readonly roundRobin = new Map<string, number>();
  private closed = false;

  private constructor(readonly config: ResolvedKafkaLogConfig) {
    this.kafka = new KafkaClient({
      ...toKafkaJsConfig(config),
      logLevel: logLevel.WARN,
      logCreator: kafkaJsLogCreator,
    });
    this.admin = this.kafka.admin();
    // Partitions are chosen in place(); the partitioner only silences kafkajs's v2 migration notice.
    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.reader = new DirectClusterClient(this.kafka);
  }

  static async open(input: KafkaLogConfig): Promise<KafkaEventLog> {
    const kafkaLog = new KafkaEventLog(kafkaLogConfigSchema.parse(input));
    await kafkaLog.connect();
    return kafkaLog;
  }

  private async connect(): Promise<void> {
    await Promise.all([this.admin.connect(), this.producer.connect(), this.reader.connect()]);
    await this.admin.createTopics({
      topics: [
        {
          topic: this.config.stateTopic,
          numPartitions: 1,
          replicationFactor: this.config.replicationFactor,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
      waitForLeaders: true,
    });
  }

  private check(): void {
    if (this.closed) throw new LogError('the Kafka log is closed', 'CLOSED');
  }

  async createTopic(name: string, config: Partial<TopicConfig> = {}): Promise<void> {
    this.check();
    const partitions = config.partitions ?? this.config.defaultPartitions;
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new LogError(`topic ${name}: partitions must be a positive integer`, 'INVALID_CONFIG');
    }
    const configEntries = [];
    if (config.retention?.ms !== undefined)
      configEntries.push({ name: 'retention.ms', value: String(config.retention.ms) });
    if (config.retention?.bytes !== undefined) {
      configEntries.push({ name: 'retention.bytes', value: String(config.retention.bytes) });
    }
    let created: boolean;
    try {
      created = await this.admin.createTopics({
        topics: [
          {
            topic: name,
            numPartitions: partitions,
            replicationFactor: this.config.replicationFactor,
            configEntries,
          },
        ],
        waitForLeaders: true,
      });
    } catch (err) {
      throw toLogError(err, `create topic ${name}`);
    }
    if (!created) throw new LogError(`topic ${name} already exists`, 'TOPIC_EXISTS');
    this.partitionCounts.set(name, partitions);
  }

  async ensureTopic(name: string, config: Partial<TopicConfig> = {}): Promise<void> {
    try {
      await this.createTopic(name, config);
    } catch (err) {
      if (!(err instanceof LogError && err.code === 'TOPIC_EXISTS')) throw err;
    }
  }

  async deleteTopic(name: string): Promise<void> {
    this.check();
    await this.requireTopic(name);
    try {
      await this.admin.deleteTopics({ topics: [name] });
    } catch (err) {
      throw toLogError(err, `delete topic ${name}`);
    } finally {
      this.partitionCounts.delete(name);
    }
  }

  async listTopics(): Promise<string[]> {
    this.check();
    const names = await this.admin.listTopics();
    return names.filter((n) => !n.startsWith('__')).sort();
  }

  /** Partition count of an existing topic; checked with a topic listing so an unknown topic fails fast. */
  private async requireTopic(name: string): Promise<number> {
    const cached = this.partitionCounts.get(name);
    if (cached !== undefined) return cached;
    const names = await this.admin.listTopics();
    if (!names.includes(name)) throw new LogError(`unknown topic ${name}`, 'UNKNOWN_TOPIC');
    try {
      const { topics } = await this.admin.fetchTopicMetadata({ topics: [name] });
      const count = topics[0]?.partitions.length ?? 0;
      this.partitionCounts.set(name, count);
      return count;
    } catch (err) {
      throw toLogError(err, `topic ${name}`);
    }
  }

  private async requirePartition(topic: string, partition: number): Promise<void> {
    const count = await this.requireTopic(topic);
    if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
      throw new LogError(
        `partition ${partition} does not exist in ${topic} (${count} partitions)`,
        'INVALID_PARTITION',
      );
    }
  }

  async describeTopic(name: string): Promise<TopicInfo> {
    this.check();
    const count = await this.requireTopic(name);
    try {
      const offsets = await this.admin.fetchTopicOffsets(name);
      const partitions = offsets
        .map((o) => ({ partition: o.partition, earliest: Number(o.low), latest: Number(o.high) }))
        .sort((a, b) => a.partition - b.partition);
      return { name, partitions, config: { partitions: count, retention: await this.retentionOf(name) } };
    } catch (err) {
      throw toLogError(err, `describe topic ${name}`);
    }
  }

  private async retentionOf(name: string): Promise<TopicConfig['retention']> {
    try {
      const { resources } = await this.admin.describeConfigs({
        resources: [{ type: 2, name, configNames: ['retention.ms', 'retention.bytes'] }],
        includeSynonyms: false,
      });
      const entries = resources[0]?.configEntries ?? [];
      const value = (key: string) => {
        const v = entries.find((e) => e.configName === key)?.configValue;
        return v === undefined || v === null ? undefined : Number(v);
      };
      return { ms: value('retention.ms'), bytes: value('retention.bytes') };
    } catch {
      return undefined; // a cluster that hides configs still has the topic
    }
  }

  /** Places records on partitions exactly as the embedded log does (explicit, murmur2 key, round-robin). */
  private async place(topic: string, records: ProducerRecord[]): Promise<Placed[]> {
    const count = await this.requireTopic(topic);
    const byPartition = new Map<number, Message[]>();
    const now = Date.now();
    for (const r of records) {
      let partition: number;
      if (r.partition !== undefined) {
        partition = r.partition;
        if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
          throw new LogError(
            `partition ${partition} does not exist in ${topic} (${count} partitions)`,
            'INVALID_PARTITION',
          );
        }
      } else if (r.key !== undefined && r.key !== null) {
        partition = partitionForKey(toBuffer(r.key), count);
      } else {
        const next = this.roundRobin.get(topic) ?? 0;
        this.roundRobin.set(topic, next + 1);
        partition = next % count;
      }
      const headers = r.headers
        ? Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, toBuffer(v)]))
        : undefined;
      const message: Message = {
        key: r.key === undefined || r.key === null ? null : toBuffer(r.key),
        value: toBuffer(r.value),
        headers,
        timestamp: String(r.timestamp ?? now),
        partition,
      };
      let list = byPartition.get(partition);
      if (!list) {
        list = [];
        byPartition.set(partition, list);
      }
      list.push(message);
    }
    return [...byPartition.entries()].map(([partition, messages]) => ({ partition, messages }));
  }

  private static results(
    placed: Placed[],
    metadata: { partition: number; baseOffset?: string }[],
  ): AppendResult[] {
    return placed.map((p) => ({
      partition: p.partition,
      baseOffset: Number(metadata.find((m) => m.partition === p.partition)?.baseOffset ?? -1),
      count: p.messages.length,
    }));
  }

  async append(topic: string, records: ProducerRecord[]): Promise<AppendResult[]> {
    this.check();
    if (records.length === 0) {
      await this.requireTopic(topic);
      return [];
    }
    const placed = await this.place(topic, records);
    try {
      const metadata = await this.producer.send({
        topic,
        acks: -1,
        messages: placed.flatMap((p) => p.messages),
      });
      return KafkaEventLog.results(placed, metadata);
    } catch (err) {
      throw toLogError(err, `append to ${topic}`);
    }
  }

  async read(
    topic: string,
    partition: number,
    offset: number,
    options: ReadOptions = {},
  ): Promise<LogRecord[]> {
    this.check();
    await this.requirePartition(topic, partition);
    if (!Number.isInteger(offset) || offset < 0) {
      throw new LogError(`offset ${offset} is out of range for ${topic}/${partition}`, 'OFFSET_OUT_OF_RANGE');
    }
    return this.reader.read(topic, partition, offset, options);
  }

  async earliestOffset(topic: string, partition: number): Promise<number> {
    this.check();
    await this.requirePartition(topic, partition);
    return this.reader.listOffset(topic, partition, 'earliest');
  }

  async latestOffset(topic: string, partition: number): Promise<number> {
    this.check();
    await this.requirePartition(topic, partition);
    return this.reader.listOffset(topic, partition, 'latest');
  }

  async offsetForTimestamp(topic: string, partition: number, ts: number): Promise<number> {
    this.check();
    await this.requirePartition(topic, partition);
    const offset = await this.reader.listOffset(topic, partition, ts);
    // Kafka answers -1 when no record is at or after ts; the contract wants the log end then.
    return offset >= 0 ? offset : this.reader.listOffset(topic, partition, 'latest');
  }

  async commitOffsets(group: string, offsets: TopicPartitionOffset[]): Promise<void> {
    this.check();
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const o of offsets) {
      await this.requirePartition(o.topic, o.partition);
      byTopic.set(o.topic, [
        ...(byTopic.get(o.topic) ?? []),
        { partition: o.partition, offset: String(o.offset) },
      ]);
    }
    if (byTopic.size === 0) return;
    await this.reader.commitOffsets(
      group,
      [...byTopic.entries()].map(([topic, partitions]) => ({ topic, partitions })),
    );
  }

  async committedOffsets(group: string, topic?: string): Promise<TopicPartitionOffset[]> {
    this.check();
    if (topic !== undefined) await this.requireTopic(topic);
    try {
      const fetched = await this.admin.fetchOffsets({
        groupId: group,
        topics: topic === undefined ? undefined : [topic],
      });
      return fetched.flatMap((t) =>
        t.partitions
          .filter((p) => Number(p.offset) >= 0)
          .map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })),
      );
    } catch (err) {
      throw toLogError(err, `committed offsets of ${group}`);
    }
  }

  private transactionalProducer(group: string): Promise<Producer> {
    let producer = this.txProducers.get(group);
    if (!producer) {
      const p = this.kafka.producer({
        transactionalId: `${this.config.transactionalIdPrefix}${group}`,
        transactionTimeout: this.config.transactionTimeoutMs,
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      producer = p.connect().then(() => p);
      this.txProducers.set(group, producer);
    }
    return producer;
  }

  async transact(txn: Transaction): Promise<AppendResult[]> {
    this.check();
    // One transaction at a time per group: its transactional producer allows no overlap.
    const previous = this.txQueues.get(txn.group) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.runTransaction(txn));
    this.txQueues.set(txn.group, run);
    return run;
  }

  private async runTransaction(txn: Transaction): Promise<AppendResult[]> {
    const placedOutputs = [];
    for (const out of txn.outputs) {
      if (out.records.length > 0)
        placedOutputs.push({ topic: out.topic, placed: await this.place(out.topic, out.records) });
    }
    for (const o of txn.offsets) await this.requirePartition(o.topic, o.partition);
    if (placedOutputs.length === 0 && txn.offsets.length === 0 && txn.state === undefined) return [];
    const producer = await this.transactionalProducer(txn.group);
    const transaction = await producer.transaction();
    try {
      const results: AppendResult[] = [];
      for (const { topic, placed } of placedOutputs) {
        const metadata = await transaction.send({
          topic,
          acks: -1,
          messages: placed.flatMap((p) => p.messages),
        });
        results.push(...KafkaEventLog.results(placed, metadata));
      }
      if (txn.state !== undefined) {
        await transaction.send({
          topic: this.config.stateTopic,
          acks: -1,
          messages: [{ key: txn.group, value: txn.state, partition: 0 }],
        });
      }
      if (txn.offsets.length > 0) {
        const byTopic = new Map<string, { partition: number; offset: string }[]>();
        for (const o of txn.offsets) {
          byTopic.set(o.topic, [
            ...(byTopic.get(o.topic) ?? []),
            { partition: o.partition, offset: String(o.offset) },
          ]);
        }
        await transaction.sendOffsets({
          consumerGroupId: txn.group,
          topics: [...byTopic.entries()].map(([topic, partitions]) => ({ topic, partitions })),
        });
      }
      await transaction.commit();
      return results;
    } catch (err) {
      await transaction.abort().catch((abortErr) => log.warn({ err: abortErr }, 'transaction abort failed'));
      throw toLogError(err, `transaction of ${txn.group}`);
    }
  }

  async groupState(group: string): Promise<GroupState> {
    const offsets = await this.committedOffsets(group);
    return { offsets, state: await this.latestState(group) };
  }

  /** The newest state record keyed by `group`, scanning the state topic backwards in windows. */
  private async latestState(group: string): Promise<Buffer | null> {
    const topic = this.config.stateTopic;
    const low = await this.earliestOffset(topic, 0);
    let end = await this.latestOffset(topic, 0);
    let window = STATE_SCAN_WINDOW;
    while (end > low) {
      const start = Math.max(low, end - window);
      let found: Buffer | null = null;
      let offset = start;
      while (offset < end) {
        const records = await this.reader.read(topic, 0, offset, { maxRecords: end - offset });
        if (records.length === 0) break;
        for (const r of records) {
          if (r.offset < end && r.key?.toString('utf8') === group) found = r.value;
        }
        offset = records[records.length - 1]!.offset + 1;
      }
      if (found) return found;
      end = start;
      window *= 2;
    }
    return null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const producers = await Promise.all([...this.txProducers.values()].map((p) => p.catch(() => null)));
    await Promise.all([
      this.admin.disconnect(),
      this.producer.disconnect(),
      this.reader.disconnect(),
      ...producers.map((p) => p?.disconnect()),
    ]);
  }
}

/** Opens the Kafka-backed EventLog described by a `log: {kind: kafka, ...}` config. */
export function openKafkaLog(config: KafkaLogConfig): Promise<KafkaEventLog> {
  return KafkaEventLog.open(config);
}
