// The embedded, durable EventLog: topics of partitions of segment files in one directory, owned by
// one process at a time. See batch-format.ts for the bytes on disk and group-store.ts for how a
// transaction commits.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { partitionForKey } from '../partitioner.ts';
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
} from '../types.ts';
import {
  decodeBatchRecords,
  type EncodedRecord,
  encodeBatch,
  readBatchHeader,
  recordSize,
} from './batch-format.ts';
import { lockDataDir, prepareDataDir } from './data-dir.ts';
import { GroupStore, type PendingOutput } from './group-store.ts';
import { Partition } from './partition.ts';

export interface EmbeddedLogOptions {
  /** fdatasync every appended batch and every commit (default true). */
  fsync?: boolean;
  /** Largest record (key + value + headers) accepted, bytes (default 1 MiB). */
  maxRecordBytes?: number;
  /** Create a topic on first append/read instead of failing (default false). */
  autoCreateTopics?: boolean;
  defaultPartitions?: number;
  defaultSegmentBytes?: number;
  /** How often age/size retention runs, ms (default 60 s; 0 disables the timer). */
  retentionCheckMs?: number;
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

interface Topic {
  name: string;
  config: TopicConfig;
  partitions: Partition[];
  roundRobin: number;
}

export class EmbeddedLog implements EventLog {
  readonly kind = 'embedded' as const;
  private readonly topics = new Map<string, Topic>();
  private readonly groups: GroupStore;
  private readonly release: () => void;
  private readonly retentionTimer: NodeJS.Timeout | null;
  private closed = false;
  private readonly opts: Required<EmbeddedLogOptions>;
  /** Bytes cut from torn tails at open, per topic-partition (for logs and tests). */
  readonly recovered: { topic: string; partition: number; bytes: number }[] = [];

  constructor(
    readonly dir: string,
    options: EmbeddedLogOptions = {},
  ) {
    this.opts = {
      fsync: options.fsync ?? true,
      maxRecordBytes: options.maxRecordBytes ?? 1024 * 1024,
      autoCreateTopics: options.autoCreateTopics ?? false,
      defaultPartitions: options.defaultPartitions ?? 1,
      defaultSegmentBytes: options.defaultSegmentBytes ?? 64 * 1024 * 1024,
      retentionCheckMs: options.retentionCheckMs ?? 60_000,
    };
    prepareDataDir(dir);
    this.release = lockDataDir(dir);
    try {
      mkdirSync(join(dir, 'topics'), { recursive: true });
      for (const name of readdirSync(join(dir, 'topics'))) this.loadTopic(name);
      this.groups = new GroupStore(dir, this.opts.fsync);
      for (const group of this.groups.all()) this.applyOutputs(group.group, group.seq, group.outputs);
    } catch (err) {
      for (const t of this.topics.values()) for (const p of t.partitions) p.close();
      this.release();
      throw err;
    }
    this.retentionTimer =
      this.opts.retentionCheckMs > 0
        ? setInterval(() => this.enforceRetention(), this.opts.retentionCheckMs)
        : null;
    this.retentionTimer?.unref();
  }

  private topicDir(name: string): string {
    return join(this.dir, 'topics', name);
  }

  private loadTopic(name: string): void {
    const metaPath = join(this.topicDir(name), 'topic.json');
    if (!existsSync(metaPath)) return;
    const config = JSON.parse(readFileSync(metaPath, 'utf8')) as TopicConfig;
    const topic: Topic = { name, config, partitions: [], roundRobin: 0 };
    for (let p = 0; p < config.partitions; p++) {
      const partition = new Partition(
        name,
        p,
        join(this.topicDir(name), String(p)),
        this.partitionOptions(config),
      );
      if (partition.recoveredBytes > 0)
        this.recovered.push({ topic: name, partition: p, bytes: partition.recoveredBytes });
      topic.partitions.push(partition);
    }
    this.topics.set(name, topic);
  }

  private partitionOptions(config: TopicConfig) {
    return {
      segmentBytes: config.segmentBytes ?? this.opts.defaultSegmentBytes,
      retention: config.retention ?? {},
      fsync: this.opts.fsync,
    };
  }

  private check(): void {
    if (this.closed) throw new LogError('the log is closed', 'CLOSED');
  }

  async createTopic(name: string, config: Partial<TopicConfig> = {}): Promise<void> {
    this.check();
    if (!TOPIC_NAME.test(name)) {
      throw new LogError(`invalid topic name '${name}': use 1-249 of A-Z a-z 0-9 . _ -`, 'INVALID_CONFIG');
    }
    if (this.topics.has(name)) throw new LogError(`topic '${name}' already exists`, 'TOPIC_EXISTS');
    const partitions = config.partitions ?? this.opts.defaultPartitions;
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 10_000) {
      throw new LogError(
        `topic '${name}': partitions must be an integer from 1 to 10000, got ${partitions}`,
        'INVALID_CONFIG',
      );
    }
    const full: TopicConfig = {
      partitions,
      retention: config.retention ?? {},
      segmentBytes: config.segmentBytes,
    };
    mkdirSync(this.topicDir(name), { recursive: true });
    writeFileSync(join(this.topicDir(name), 'topic.json'), JSON.stringify(full));
    this.loadTopic(name);
  }

  async ensureTopic(name: string, config: Partial<TopicConfig> = {}): Promise<void> {
    if (!this.topics.has(name)) await this.createTopic(name, config);
  }

  async deleteTopic(name: string): Promise<void> {
    const topic = this.topic(name);
    for (const p of topic.partitions) p.close();
    this.topics.delete(name);
    rmSync(this.topicDir(name), { recursive: true, force: true });
  }

  async listTopics(): Promise<string[]> {
    this.check();
    return [...this.topics.keys()].sort();
  }

  async describeTopic(name: string): Promise<TopicInfo> {
    const topic = this.topic(name);
    return {
      name,
      config: topic.config,
      partitions: topic.partitions.map((p) => ({ partition: p.id, earliest: p.earliest, latest: p.latest })),
    };
  }

  private topic(name: string): Topic {
    this.check();
    const topic = this.topics.get(name);
    if (topic) return topic;
    if (this.opts.autoCreateTopics && TOPIC_NAME.test(name)) {
      const full: TopicConfig = { partitions: this.opts.defaultPartitions, retention: {} };
      mkdirSync(this.topicDir(name), { recursive: true });
      writeFileSync(join(this.topicDir(name), 'topic.json'), JSON.stringify(full));
      this.loadTopic(name);
      return this.topics.get(name)!;
    }
    throw new LogError(`unknown topic '${name}'`, 'UNKNOWN_TOPIC');
  }

  private partition(topic: Topic, partition: number): Partition {
    const p = topic.partitions[partition];
    if (!p) {
      throw new LogError(
        `topic '${topic.name}' has partitions 0..${topic.partitions.length - 1}, not ${partition}`,
        'INVALID_PARTITION',
      );
    }
    return p;
  }

  /** Validates and encodes records, grouped by partition. Throws before anything is written. */
  private prepare(topic: Topic, records: ProducerRecord[], now: number): Map<number, EncodedRecord[]> {
    const byPartition = new Map<number, EncodedRecord[]>();
    const n = topic.partitions.length;
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!;
      const value = toBuffer(r.value, `record ${i} value`);
      if (value === null)
        throw new LogError(`record ${i} of '${topic.name}': value is required`, 'INVALID_RECORD');
      const key = r.key === undefined || r.key === null ? null : toBuffer(r.key, `record ${i} key`);
      let headers: [string, Buffer][] | null = null;
      if (r.headers) {
        headers = [];
        for (const [name, v] of Object.entries(r.headers))
          headers.push([name, toBuffer(v, `record ${i} header ${name}`)!]);
        if (headers.length === 0) headers = null;
      }
      const timestamp = r.timestamp ?? now;
      if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) {
        throw new LogError(
          `record ${i} of '${topic.name}': timestamp must be epoch ms, got ${timestamp}`,
          'INVALID_RECORD',
        );
      }
      const encoded: EncodedRecord = { timestamp, key, value, headers };
      const size = recordSize(encoded);
      if (size > this.opts.maxRecordBytes) {
        throw new LogError(
          `record ${i} of '${topic.name}' is ${size} bytes, over the ${this.opts.maxRecordBytes}-byte limit; batch rejected, nothing written`,
          'RECORD_TOO_LARGE',
        );
      }
      let partition: number;
      if (r.partition !== undefined) {
        if (!Number.isInteger(r.partition) || r.partition < 0 || r.partition >= n) {
          throw new LogError(
            `record ${i}: topic '${topic.name}' has partitions 0..${n - 1}, not ${r.partition}`,
            'INVALID_PARTITION',
          );
        }
        partition = r.partition;
      } else if (key) partition = n === 1 ? 0 : partitionForKey(key, n);
      else partition = topic.roundRobin++ % n;
      const list = byPartition.get(partition);
      if (list) list.push(encoded);
      else byPartition.set(partition, [encoded]);
    }
    return byPartition;
  }

  async append(topicName: string, records: ProducerRecord[]): Promise<AppendResult[]> {
    const topic = this.topic(topicName);
    if (records.length === 0) return [];
    const byPartition = this.prepare(topic, records, Date.now());
    const results: AppendResult[] = [];
    for (const [partition, list] of byPartition) {
      const baseOffset = topic.partitions[partition]!.append(list);
      results.push({ partition, baseOffset, count: list.length });
    }
    return results;
  }

  async read(
    topicName: string,
    partition: number,
    offset: number,
    options: ReadOptions = {},
  ): Promise<LogRecord[]> {
    const p = this.partition(this.topic(topicName), partition);
    if (!Number.isInteger(offset) || offset < p.earliest || offset > p.latest) {
      throw new LogError(
        `offset ${offset} is out of range for ${topicName}/${partition} (earliest ${p.earliest}, latest ${p.latest})`,
        'OFFSET_OUT_OF_RANGE',
      );
    }
    if (offset === p.latest && options.maxWaitMs) {
      await p.waitFor(offset, options.maxWaitMs);
      if (this.closed) return [];
    }
    return p.read(offset, options.maxRecords ?? 10_000, options.maxBytes ?? 4 * 1024 * 1024);
  }

  async earliestOffset(topic: string, partition: number): Promise<number> {
    return this.partition(this.topic(topic), partition).earliest;
  }

  async latestOffset(topic: string, partition: number): Promise<number> {
    return this.partition(this.topic(topic), partition).latest;
  }

  async offsetForTimestamp(topic: string, partition: number, ts: number): Promise<number> {
    return this.partition(this.topic(topic), partition).offsetForTimestamp(ts);
  }

  async commitOffsets(group: string, offsets: TopicPartitionOffset[]): Promise<void> {
    await this.transact({ group, outputs: [], offsets });
  }

  async committedOffsets(group: string, topic?: string): Promise<TopicPartitionOffset[]> {
    this.check();
    const offsets = this.groups.get(group).offsets;
    return topic === undefined
      ? offsets.map((o) => ({ ...o }))
      : offsets.filter((o) => o.topic === topic).map((o) => ({ ...o }));
  }

  async groupState(group: string): Promise<GroupState> {
    this.check();
    const record = this.groups.get(group);
    return { offsets: record.offsets.map((o) => ({ ...o })), state: record.state };
  }

  listGroups(): string[] {
    return this.groups.all().map((g) => g.group);
  }

  async transact(txn: Transaction): Promise<AppendResult[]> {
    this.check();
    const now = Date.now();
    const previous = this.groups.get(txn.group);
    const seq = previous.seq + 1;
    const outputs: PendingOutput[] = [];
    for (const out of txn.outputs) {
      if (out.records.length === 0) continue;
      const topic = this.topic(out.topic);
      for (const [partition, list] of this.prepare(topic, out.records, now)) {
        outputs.push({ topic: out.topic, partition, batch: encodeBatch(list, 0, null) });
      }
    }
    for (const o of txn.offsets) {
      const p = this.partition(this.topic(o.topic), o.partition);
      if (!Number.isInteger(o.offset) || o.offset < 0 || o.offset > p.latest) {
        throw new LogError(
          `offset ${o.offset} for ${o.topic}/${o.partition} is past its end ${p.latest}`,
          'OFFSET_OUT_OF_RANGE',
        );
      }
    }
    const offsets = mergeOffsets(previous.offsets, txn.offsets);
    const state = txn.state === undefined ? previous.state : txn.state;
    // Commit point: once this file is in place the transaction happened, outputs included.
    this.groups.put({ group: txn.group, seq: outputs.length ? seq : previous.seq, offsets, state, outputs });
    return outputs.length ? this.applyOutputs(txn.group, seq, outputs) : [];
  }

  /** Appends a committed transaction's outputs, skipping partitions that already have them. */
  private applyOutputs(group: string, seq: number, outputs: PendingOutput[]): AppendResult[] {
    const producer = { id: `txn:${group}`, seq };
    const results: AppendResult[] = [];
    for (const out of outputs) {
      const topic = this.topics.get(out.topic);
      if (!topic) continue; // deleted since
      const header = readBatchHeader(out.batch, 0)!;
      const records: LogRecord[] = [];
      decodeBatchRecords(out.batch, 0, header, out.topic, out.partition, 0, records, header.count);
      const encoded = records.map((r) => ({
        timestamp: r.timestamp,
        key: r.key,
        value: r.value,
        headers: Object.keys(r.headers).length ? (Object.entries(r.headers) as [string, Buffer][]) : null,
      }));
      const baseOffset = topic.partitions[out.partition]!.append(encoded, producer);
      if (baseOffset >= 0) results.push({ partition: out.partition, baseOffset, count: encoded.length });
    }
    return results;
  }

  /** Runs size and age retention now (also runs on a timer and at segment roll). */
  enforceRetention(now = Date.now()): number {
    let deleted = 0;
    for (const topic of this.topics.values()) {
      const { bytes, ms } = topic.config.retention ?? {};
      if ((bytes ?? -1) < 0 && (ms ?? -1) < 0) continue;
      for (const p of topic.partitions) deleted += p.enforceRetention(now);
    }
    return deleted;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    for (const topic of this.topics.values()) for (const p of topic.partitions) p.close();
    this.release();
  }
}

function toBuffer(v: unknown, what: string): Buffer | null {
  if (v === undefined || v === null) return null;
  if (Buffer.isBuffer(v)) return v;
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  throw new LogError(`${what} must be a string or bytes, got ${typeof v}`, 'INVALID_RECORD');
}

function mergeOffsets(
  previous: TopicPartitionOffset[],
  next: TopicPartitionOffset[],
): TopicPartitionOffset[] {
  const map = new Map(previous.map((o) => [`${o.topic}\u0000${o.partition}`, o]));
  for (const o of next)
    map.set(`${o.topic}\u0000${o.partition}`, { topic: o.topic, partition: o.partition, offset: o.offset });
  return [...map.values()];
}

export async function openEmbeddedLog(dir: string, options?: EmbeddedLogOptions): Promise<EmbeddedLog> {
  return new EmbeddedLog(dir, options);
}
