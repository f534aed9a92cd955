// A stage: input topics + a consumer group + a function from a batch of records to output records,
// with optional state. The runner (runner.ts) commits the outputs, the input offsets and the state
// snapshot as one transaction, so a crash and restart neither loses nor duplicates an output.
import type { LogRecord, ProducerRecord } from '../log/types.ts';

export interface StageOutput extends ProducerRecord {
  topic: string;
}

export interface StageContext {
  /** The stage's name, also the default consumer group. */
  readonly name: string;
  /** True when running a bounded replay (no wall-clock waits, flush everything at the end). */
  readonly replay: boolean;
  /** Counts an input record that could not be processed (the stage still emits an error record). */
  countError(n?: number): void;
}

export interface Stage {
  readonly name: string;
  readonly inputs: string[];
  /** Consumer group; defaults to `stage.<name>`. */
  readonly group?: string;
  /** Topics this stage writes, created before the stage starts. */
  readonly outputs?: string[];
  /**
   * Processes a batch. Must be deterministic given the stage state and the batch: a replayed batch
   * yields the same outputs. Bad input becomes an output on an errors topic, never an exception.
   */
  process(batch: LogRecord[], ctx: StageContext): StageOutput[] | Promise<StageOutput[]>;
  /**
   * Called when no input arrived for `idleMs` (live) or at the end of a bounded replay (`final`).
   * Lets event-time stages close windows on idle partitions. Outputs are committed like process's.
   */
  onIdle?(ctx: StageContext, info: { final: boolean }): StageOutput[] | Promise<StageOutput[]>;
  /** Serializes the state to commit with the offsets; restore receives it on start. */
  snapshot?(): Buffer;
  restore?(state: Buffer): void;
  /** Called once after restore, before the first batch. */
  start?(ctx: StageContext): void | Promise<void>;
  stop?(): void | Promise<void>;
}
