// Lines from a byte stream (stdin by default) to a raw topic. Awaiting each append before reading
// on gives backpressure: a slow log slows the reader instead of filling memory.
import type { Readable } from 'node:stream';
import type { EventLog } from '../log/types.ts';
import { LineSplitter } from './line-splitter.ts';
import { sourceLines } from './metrics.ts';
import { appendRawLines } from './raw-lines.ts';
import { deferred, type Source, type SourceProgress } from './source.ts';

export interface StreamSourceOptions {
  log: EventLog;
  sensor: string;
  topic: string;
  /** Defaults to process.stdin. */
  input?: Readable;
  /** The `origin` header of every record. */
  origin?: string;
  onProgress?: (progress: SourceProgress) => void;
}

export class StreamSource implements Source {
  readonly type = 'stdin' as const;
  readonly sensor: string;
  readonly topic: string;
  private readonly input: Readable;
  private readonly finished = deferred();
  private stopping = false;
  private running = false;
  readonly progress: SourceProgress = { bytes: 0, lines: 0 };

  constructor(private readonly options: StreamSourceOptions) {
    this.sensor = options.sensor;
    this.topic = options.topic;
    this.input = options.input ?? process.stdin;
  }

  get done(): Promise<void> {
    return this.finished.promise;
  }

  async start(): Promise<void> {
    await this.options.log.ensureTopic(this.topic);
    this.running = true;
    this.run().then(this.finished.resolve, this.finished.reject);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // Never started (or start failed): there is nothing to wait for.
    if (!this.running) this.finished.resolve();
    this.input.destroy();
    await this.done.catch(() => {});
  }

  private async run(): Promise<void> {
    const splitter = new LineSplitter();
    const origin = this.options.origin ?? 'stdin';
    const append = async (lines: Buffer[]) => {
      if (lines.length === 0) return;
      await appendRawLines(this.options.log, this.topic, lines, origin);
      this.progress.lines += lines.length;
      sourceLines.inc({ type: this.type, sensor: this.sensor }, lines.length);
    };
    try {
      for await (const chunk of this.input) {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
        this.progress.bytes += buf.length;
        await append(splitter.push(buf));
        this.options.onProgress?.(this.progress);
        if (this.stopping) break;
      }
    } catch (e) {
      // Destroying the stream on stop ends the iteration with an abort error: that is not a failure.
      if (!this.stopping) throw e;
    }
    await append(splitter.end());
    this.options.onProgress?.(this.progress);
  }
}
