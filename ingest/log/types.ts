// The EventLog contract: every arrow between stages is a topic on one of these.
// Two implementations (embedded segment log, Kafka/Redpanda) pass one conformance suite
// (test/log-conformance.ts).

export type Headers = Record<string, Buffer>;

/** A record as a producer hands it to the log. */
export interface ProducerRecord {
  key?: Buffer | string | null;
  value: Buffer | string;
  headers?: Record<string, Buffer | string>;
  /** Event time in epoch milliseconds; defaults to the append time. */
  timestamp?: number;
  /** Explicit partition; otherwise the key is hashed (murmur2, as Kafka does), or round-robin when keyless. */
  partition?: number;
}

/** A record as the log stores and serves it. */
export interface LogRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer;
  headers: Headers;
}

export interface RetentionConfig {
  /** Delete the oldest segments while a partition is over this many bytes (-1 = unlimited). */
  bytes?: number;
  /** Delete segments whose newest record is older than this (ms; -1 = forever). */
  ms?: number;
}

export interface TopicConfig {
  partitions: number;
  retention?: RetentionConfig;
  /** Roll to a new segment file past this size (embedded log; default 64 MiB). */
  segmentBytes?: number;
}

export interface PartitionInfo {
  partition: number;
  earliest: number;
  /** The offset the next appended record will get (log end offset). */
  latest: number;
}

export interface TopicInfo {
  name: string;
  partitions: PartitionInfo[];
  config: TopicConfig;
}

export interface AppendResult {
  partition: number;
  baseOffset: number;
  count: number;
}

export interface ReadOptions {
  maxRecords?: number;
  maxBytes?: number;
  /** Long poll: wait up to this long for a record at `offset` when there is none yet. */
  maxWaitMs?: number;
}

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to consume (Kafka semantics). */
  offset: number;
}

/** One output of a transaction: records bound for one topic (partitioned as in append). */
export interface TransactionOutput {
  topic: string;
  records: ProducerRecord[];
}

/**
 * A consume-transform-produce step made durable as one unit: the outputs, the group's new input
 * offsets and the stage's state snapshot are all applied, or none is.
 */
export interface Transaction {
  group: string;
  outputs: TransactionOutput[];
  offsets: TopicPartitionOffset[];
  /** Opaque stage state stored beside the offsets; undefined leaves the stored state as it is. */
  state?: Buffer;
}

export interface GroupState {
  offsets: TopicPartitionOffset[];
  state: Buffer | null;
}

export interface EventLog {
  readonly kind: 'embedded' | 'kafka';
  createTopic(name: string, config?: Partial<TopicConfig>): Promise<void>;
  /** Creates the topic if it is missing; never changes an existing one. */
  ensureTopic(name: string, config?: Partial<TopicConfig>): Promise<void>;
  deleteTopic(name: string): Promise<void>;
  listTopics(): Promise<string[]>;
  describeTopic(name: string): Promise<TopicInfo>;
  /** Appends records; all-or-nothing per call for the embedded log (a bad record rejects the batch). */
  append(topic: string, records: ProducerRecord[]): Promise<AppendResult[]>;
  read(topic: string, partition: number, offset: number, options?: ReadOptions): Promise<LogRecord[]>;
  earliestOffset(topic: string, partition: number): Promise<number>;
  latestOffset(topic: string, partition: number): Promise<number>;
  /** The first offset whose timestamp is >= ts, or the log end offset when none is. */
  offsetForTimestamp(topic: string, partition: number, ts: number): Promise<number>;
  commitOffsets(group: string, offsets: TopicPartitionOffset[]): Promise<void>;
  /** Committed offsets of a group (all topics, or one). */
  committedOffsets(group: string, topic?: string): Promise<TopicPartitionOffset[]>;
  /** Atomic consume-transform-produce: outputs + offsets + state, all or nothing. */
  transact(txn: Transaction): Promise<AppendResult[]>;
  groupState(group: string): Promise<GroupState>;
  close(): Promise<void>;
}

export class LogError extends Error {
  constructor(
    message: string,
    readonly code:
      | 'UNKNOWN_TOPIC'
      | 'TOPIC_EXISTS'
      | 'INVALID_PARTITION'
      | 'OFFSET_OUT_OF_RANGE'
      | 'RECORD_TOO_LARGE'
      | 'INVALID_RECORD'
      | 'LOCKED'
      | 'NOT_A_DATA_DIR'
      | 'INCOMPATIBLE_FORMAT'
      | 'CLOSED'
      | 'INVALID_CONFIG',
  ) {
    super(message);
    this.name = 'LogError';
  }
}
