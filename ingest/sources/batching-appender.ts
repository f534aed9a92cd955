// Gathers lines from many small producers (UDP datagrams, TCP connections) into few log appends:
// one append per linger period or per full batch, appends strictly one after another.
import type { EventLog, ProducerRecord } from '../log/types.ts';
import { APPEND_BATCH, rawRecords } from './raw-lines.ts';

export interface BatchingAppenderOptions {
  /** How long a line may wait for companions before it is appended. */
  lingerMs?: number;
  maxBatch?: number;
  /** Lines held while the log is slow; `add` beyond this is refused (returns false). */
  maxPending?: number;
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class BatchingAppender {
  private records: ProducerRecord[] = [];
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private chain: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private readonly lingerMs: number;
  private readonly maxBatch: number;
  private readonly maxPending: number;

  constructor(
    private readonly log: EventLog,
    private readonly topic: string,
    options: BatchingAppenderOptions = {},
  ) {
    this.lingerMs = options.lingerMs ?? 10;
    this.maxBatch = options.maxBatch ?? APPEND_BATCH;
    this.maxPending = options.maxPending ?? 100_000;
  }

  /** Lines waiting or being appended. */
  get pending(): number {
    return this.records.length + this.inFlight;
  }

  /**
   * Queues lines; the promise settles once they are in the log. Returns null (nothing queued) when
   * the buffer is full, so a lossy source (UDP) can count a drop instead of growing without bound.
   */
  add(lines: Buffer[], origin: string, at = Date.now()): Promise<void> | null {
    if (lines.length === 0) return Promise.resolve();
    if (this.pending + lines.length > this.maxPending) return null;
    for (const r of rawRecords(lines, origin, at)) this.records.push(r);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.records.length >= this.maxBatch) this.flush();
    else if (this.timer === null) this.timer = setTimeout(() => this.flush(), this.lingerMs);
    return done;
  }

  /** Appends everything queued so far; resolves when it (and every earlier append) is done. */
  flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const records = this.records;
    const waiters = this.waiters;
    this.records = [];
    this.waiters = [];
    if (records.length === 0) return this.chain;
    this.inFlight += records.length;
    const run = async () => {
      try {
        for (let i = 0; i < records.length; i += this.maxBatch) {
          await this.log.append(this.topic, records.slice(i, i + this.maxBatch));
        }
        for (const w of waiters) w.resolve();
      } catch (e) {
        for (const w of waiters) w.reject(e);
      } finally {
        this.inFlight -= records.length;
      }
    };
    this.chain = this.chain.then(run);
    return this.chain;
  }
}
