// Runs a Stage over its input topics: read a batch, process it, and commit outputs + input offsets +
// state snapshot as one transaction (EventLog.transact). A crash anywhere replays at most the batch
// that was in flight, and the transaction makes that replay invisible: no loss, no duplicates.
// Pull-based, one batch in flight: a slow stage slows its reads (backpressure), never buffers.
import { isUtf8 } from 'node:buffer';
import { logger } from '../../kernel/logger.ts';
import { stageErrors, stageLag, stageRecordsIn, stageRecordsOut } from '../../kernel/metrics.ts';
import type { EventLog, LogRecord, TopicPartitionOffset, TransactionOutput } from '../log/types.ts';
import type { Stage, StageContext, StageOutput } from './stage.ts';

export const ERRORS_TOPIC = 'errors';

export interface RunnerOptions {
  /** Most records per batch (default 2000). */
  maxBatchRecords?: number;
  /** Long-poll wait when every input is caught up, ms (default 250). */
  pollMs?: number;
  /** Call stage.onIdle after this long without input, ms (default 1000). */
  idleMs?: number;
  /** Stop once every input partition reaches the end it had when checked (a bounded run). */
  untilDrained?: boolean;
  /** Bounded replay mode: no wall-clock idling; onIdle({final: true}) at the end. */
  replay?: boolean;
  /** Restrict to these input partitions (scale-out workers); default all. */
  partitions?: { topic: string; partition: number }[];
  /** Partitions a new topic gets when the runner creates an output topic. */
  defaultPartitions?: number;
}

export interface RunnerStats {
  stage: string;
  recordsIn: number;
  recordsOut: number;
  errors: number;
  batches: number;
  lag: number;
  running: boolean;
}

export class StageRunner {
  private positions = new Map<string, TopicPartitionOffset>();
  private stopping = false;
  private loop: Promise<void> | null = null;
  private lastInputAt = Date.now();
  private idleFired = false;
  readonly stats: RunnerStats;
  private readonly group: string;
  private readonly ctx: StageContext;
  private readonly log: typeof logger;

  constructor(
    private readonly eventLog: EventLog,
    private readonly stage: Stage,
    private readonly options: RunnerOptions = {},
  ) {
    this.group = stage.group ?? `stage.${stage.name}`;
    this.log = logger.child({ stage: stage.name });
    this.stats = {
      stage: stage.name,
      recordsIn: 0,
      recordsOut: 0,
      errors: 0,
      batches: 0,
      lag: 0,
      running: false,
    };
    this.ctx = {
      name: stage.name,
      replay: options.replay ?? false,
      countError: (n = 1) => {
        this.stats.errors += n;
        stageErrors.inc({ stage: stage.name }, n);
      },
    };
  }

  /** Prepares topics, restores state and offsets, and starts the loop. */
  async start(): Promise<void> {
    const partitions = this.options.defaultPartitions ?? 1;
    for (const topic of [...this.stage.inputs, ...(this.stage.outputs ?? []), ERRORS_TOPIC]) {
      await this.eventLog.ensureTopic(topic, { partitions });
    }
    const { offsets, state } = await this.eventLog.groupState(this.group);
    if (state && this.stage.restore) this.stage.restore(state);
    const committed = new Map(offsets.map((o) => [`${o.topic}/${o.partition}`, o.offset]));
    for (const tp of await this.assignment()) {
      const key = `${tp.topic}/${tp.partition}`;
      const earliest = await this.eventLog.earliestOffset(tp.topic, tp.partition);
      const offset = Math.max(committed.get(key) ?? earliest, earliest);
      this.positions.set(key, { ...tp, offset });
    }
    await this.stage.start?.(this.ctx);
    this.stats.running = true;
    this.loop = this.run().finally(() => {
      this.stats.running = false;
    });
  }

  private async assignment(): Promise<{ topic: string; partition: number }[]> {
    if (this.options.partitions) return this.options.partitions;
    const out: { topic: string; partition: number }[] = [];
    for (const topic of this.stage.inputs) {
      const info = await this.eventLog.describeTopic(topic);
      for (const p of info.partitions) out.push({ topic, partition: p.partition });
    }
    return out;
  }

  /** Resolves when the loop ends (after stop(), or when drained in a bounded run). */
  get done(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  /** Finishes the batch in flight, commits it, and stops. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.done;
    await this.stage.stop?.();
  }

  private async run(): Promise<void> {
    const maxBatch = this.options.maxBatchRecords ?? 2000;
    const idleMs = this.options.idleMs ?? 1000;
    while (!this.stopping) {
      const batch = await this.readBatch(maxBatch);
      if (batch.length > 0) {
        this.lastInputAt = Date.now();
        this.idleFired = false;
        await this.processBatch(batch);
        continue;
      }
      if (this.options.untilDrained || this.options.replay) {
        if (await this.caughtUp()) {
          if (this.stage.onIdle) await this.commit(await this.stage.onIdle(this.ctx, { final: true }), []);
          break;
        }
        continue;
      }
      if (this.stage.onIdle && !this.idleFired && Date.now() - this.lastInputAt >= idleMs) {
        this.idleFired = true;
        await this.commit(await this.stage.onIdle(this.ctx, { final: false }), []);
      }
      await this.waitForInput();
    }
  }

  private async readBatch(maxBatch: number): Promise<LogRecord[]> {
    const batch: LogRecord[] = [];
    let lag = 0;
    const perPartition = Math.max(1, Math.ceil(maxBatch / Math.max(1, this.positions.size)));
    for (const pos of this.positions.values()) {
      if (batch.length >= maxBatch) break;
      let records: LogRecord[];
      try {
        records = await this.eventLog.read(pos.topic, pos.partition, pos.offset, {
          maxRecords: perPartition,
        });
      } catch (err) {
        if ((err as { code?: string }).code === 'OFFSET_OUT_OF_RANGE') {
          // Retention removed what we had not read yet: say so and resume at the earliest record.
          const earliest = await this.eventLog.earliestOffset(pos.topic, pos.partition);
          this.log.warn(
            { topic: pos.topic, partition: pos.partition, from: pos.offset, to: earliest },
            'offset out of range; skipping to earliest',
          );
          pos.offset = earliest;
          continue;
        }
        throw err;
      }
      for (const r of records) batch.push(r);
      lag += (await this.eventLog.latestOffset(pos.topic, pos.partition)) - pos.offset - records.length;
    }
    this.stats.lag = Math.max(0, lag);
    stageLag.set({ stage: this.stage.name }, this.stats.lag);
    return batch;
  }

  private async caughtUp(): Promise<boolean> {
    for (const pos of this.positions.values()) {
      if (pos.offset < (await this.eventLog.latestOffset(pos.topic, pos.partition))) return false;
    }
    return true;
  }

  private async waitForInput(): Promise<void> {
    const pollMs = this.options.pollMs ?? 250;
    if (this.positions.size === 0) {
      await new Promise((r) => setTimeout(r, pollMs));
      return;
    }
    // Long-poll every partition at once; the first to get data (or the timeout) wakes the loop.
    await Promise.race(
      [...this.positions.values()].map((pos) =>
        this.eventLog
          .read(pos.topic, pos.partition, pos.offset, { maxRecords: 1, maxWaitMs: pollMs })
          .catch(() => []),
      ),
    );
  }

  private async processBatch(batch: LogRecord[]): Promise<void> {
    let outputs: StageOutput[];
    try {
      outputs = await this.stage.process(batch, this.ctx);
    } catch (err) {
      // A stage bug must not stop the pipeline or lose input: keep every record of the batch on the
      // errors topic with the reason, and move on.
      const message = `stage ${this.stage.name} failed on this batch: ${(err as Error).message}`;
      this.log.error({ err }, 'stage threw; batch kept on the errors topic');
      this.ctx.countError(batch.length);
      outputs = batch.map((r) => errorRecord(this.stage.name, r, 'stage-exception', message));
    }
    const next: TopicPartitionOffset[] = [];
    for (const r of batch) {
      const pos = this.positions.get(`${r.topic}/${r.partition}`)!;
      pos.offset = r.offset + 1;
    }
    for (const pos of this.positions.values()) next.push({ ...pos });
    await this.commit(outputs, next);
    this.stats.recordsIn += batch.length;
    this.stats.batches++;
    stageRecordsIn.inc({ stage: this.stage.name }, batch.length);
  }

  private async commit(outputs: StageOutput[], offsets: TopicPartitionOffset[]): Promise<void> {
    const byTopic = new Map<string, TransactionOutput>();
    for (const o of outputs) {
      let out = byTopic.get(o.topic);
      if (!out) {
        out = { topic: o.topic, records: [] };
        byTopic.set(o.topic, out);
        await this.eventLog.ensureTopic(o.topic, { partitions: this.options.defaultPartitions ?? 1 });
      }
      out.records.push(o);
    }
    await this.eventLog.transact({
      group: this.group,
      outputs: [...byTopic.values()],
      offsets,
      state: this.stage.snapshot?.(),
    });
    this.stats.recordsOut += outputs.length;
    stageRecordsOut.inc({ stage: this.stage.name }, outputs.length);
  }
}

/** An error record that keeps the raw input, for the errors topic. */
export function errorRecord(
  stage: string,
  r: LogRecord,
  kind: string,
  message: string,
  sensor?: string,
): StageOutput {
  return {
    topic: ERRORS_TOPIC,
    key: r.key,
    timestamp: r.timestamp,
    value: JSON.stringify({
      stage,
      sensor,
      kind,
      message,
      raw: r.value.toString('utf8'),
      raw_base64: isUtf8(r.value) ? undefined : r.value.toString('base64'),
      source: { topic: r.topic, partition: r.partition, offset: r.offset },
    }),
  };
}

/** Runs a stage to the end of its inputs (a bounded replay) and resolves with its stats. */
export async function runUntilDrained(
  log: EventLog,
  stage: Stage,
  options: RunnerOptions = {},
): Promise<RunnerStats> {
  const runner = new StageRunner(log, stage, { ...options, untilDrained: true });
  await runner.start();
  await runner.done;
  await stage.stop?.();
  return runner.stats;
}
