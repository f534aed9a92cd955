// The simulator as a live sensor: appends simulated raw lines to the log, either paced by the wall
// clock (event time = now) or as fast as possible over the configured span. Its position is stored
// in the log itself, in the same transaction as the lines, so a restart continues exactly where the
// last committed batch ended: no line twice, none lost.
import { logger } from '../../kernel/logger.ts';
import type { EventLog, ProducerRecord, TransactionOutput } from '../log/types.ts';
import { sourceLines } from '../sources/metrics.ts';
import { ORIGIN_HEADER } from '../sources/raw-lines.ts';
import { deferred } from '../sources/source.ts';
import type { SimulatorConfig, SimulatorConfigInput } from './config.ts';
import { formatLine, type GroundTruthRecord, type SimPosition, Simulation } from './simulate.ts';
import type { SimLogType } from './zeek-logs.ts';

export interface SimulatorSourceOptions {
  /** live: event time is the wall clock; fast: the config's span from its start, unpaced. */
  mode: 'live' | 'fast';
  /**
   * envelope (default): every Zeek line on `raw.zeek` as `{"conn": {...}}`, Metron's envelope, so
   * one topic keeps all Zeek logs in event-time order; per-log: `raw.zeek_conn`, `raw.zeek_dns`, ...
   */
  topics?: 'envelope' | 'per-log';
  /** Group whose state holds the position (default `sensor.simulator`). */
  group?: string;
  /** Lines per transaction at most (default 5000: each transaction costs the log two fsyncs). */
  batchLines?: number;
  /** Live: how often to wake and append what is due (default 250 ms). */
  tickMs?: number;
  /** Live: after a longer outage, skip ahead instead of back-filling more than this (default 5 min). */
  maxCatchUpMs?: number;
  /** Live clock (tests pass a fake one). */
  now?: () => number;
}

interface StoredPosition {
  v: 1;
  /** Event-time origin of the simulation (live: wall clock at the first start). */
  anchorMs: number;
  bucket: number;
  index: number;
  seed: number;
}

export class SimulatorSource {
  readonly type = 'simulator' as const;
  readonly sensor = 'zeek';
  readonly group: string;
  private readonly done_ = deferred();
  private running = false;
  private loop: Promise<void> | null = null;
  private sim: Simulation | null = null;
  private position: SimPosition = { bucket: 0, index: 0 };
  private wake: (() => void) | null = null;
  private appended = 0;
  private readonly ensured = new Set<string>();

  constructor(
    private readonly log: EventLog,
    private readonly config: SimulatorConfigInput | SimulatorConfig,
    private readonly options: SimulatorSourceOptions,
  ) {
    this.group = options.group ?? 'sensor.simulator';
  }

  /** Settles when a fast run has appended its whole span, or on stop. */
  get done(): Promise<void> {
    return this.done_.promise;
  }

  get stats(): { appended: number; position: SimPosition; eventTimeMs: number | null } {
    return {
      appended: this.appended,
      position: { ...this.position },
      eventTimeMs: this.sim ? this.sim.bucketStartUs(this.position.bucket) / 1000 : null,
    };
  }

  /** Ground truth for the episodes starting in [fromMs, toMs) of this source's timeline (after start). */
  groundTruth(fromMs: number, toMs: number): GroundTruthRecord[] {
    if (!this.sim) throw new Error('SimulatorSource.groundTruth: start() first');
    return this.sim.groundTruth(fromMs, toMs);
  }

  /** The threat-intel list this source's intel scenario uses, as CSV (write it where enrichment loads intel). */
  intelCsv(): string {
    return (this.sim ?? new Simulation(this.config)).intelCsv();
  }

  /** The topic a line of this log type goes to. */
  topicFor(log: SimLogType): string {
    if (log === 'syslog' || log === 'cef') return `raw.${log}`;
    return this.options.topics === 'per-log' ? `raw.zeek_${log}` : 'raw.zeek';
  }

  async start(): Promise<void> {
    if (this.running) return;
    const now = this.options.now ?? Date.now;
    const stored = await this.readPosition();
    const live = this.options.mode === 'live';
    const anchorMs = stored?.anchorMs ?? (live ? Math.floor(now() / 1000) * 1000 : undefined);
    this.sim = new Simulation(this.config, { startMs: anchorMs, unbounded: live });
    this.position = stored ? { bucket: stored.bucket, index: stored.index } : { bucket: 0, index: 0 };
    if (live) {
      // A long outage is a gap in the sensor's data, as it would be for a real one.
      const earliest = this.sim.bucketAt(now() - (this.options.maxCatchUpMs ?? 300_000));
      if (earliest > this.position.bucket) this.position = { bucket: earliest, index: 0 };
    }
    for (const t of this.topicsUsed()) await this.ensure(t);
    this.running = true;
    logger.info(
      { group: this.group, mode: this.options.mode, position: this.position, resumed: stored !== null },
      'simulator started',
    );
    this.loop = this.run(now).then(
      () => this.done_.resolve(),
      (err) => {
        logger.error({ err }, 'simulator stopped on an error');
        this.running = false;
        this.done_.reject(err);
      },
    );
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop?.catch(() => {});
    this.done_.resolve();
  }

  private topicsUsed(): string[] {
    const c = this.sim!.config;
    const topics = this.options.topics === 'per-log' ? [] : ['raw.zeek'];
    if (c.syslog) topics.push('raw.syslog');
    if (c.cef) topics.push('raw.cef');
    return topics;
  }

  private async ensure(topic: string): Promise<void> {
    if (this.ensured.has(topic)) return;
    await this.log.ensureTopic(topic);
    this.ensured.add(topic);
  }

  private async readPosition(): Promise<StoredPosition | null> {
    const { state } = await this.log.groupState(this.group);
    if (!state) return null;
    try {
      const p = JSON.parse(state.toString('utf8')) as StoredPosition;
      return p.v === 1 && Number.isInteger(p.bucket) && Number.isInteger(p.index) ? p : null;
    } catch {
      return null;
    }
  }

  private async run(now: () => number): Promise<void> {
    const sim = this.sim!;
    const live = this.options.mode === 'live';
    const max = this.options.batchLines ?? 5000;
    let lines = sim.bucketLines(this.position.bucket);
    while (this.running) {
      const untilUs = live ? now() * 1000 : sim.endUs;
      const byTopic = new Map<string, ProducerRecord[]>();
      let pos = this.position;
      let n = 0;
      while (n < max) {
        if (pos.index >= lines.length) {
          const nextStart = sim.bucketStartUs(pos.bucket + 1);
          if (nextStart >= sim.endUs || nextStart > untilUs) break;
          pos = { bucket: pos.bucket + 1, index: 0 };
          lines = sim.bucketLines(pos.bucket);
          continue;
        }
        const line = lines[pos.index]!;
        if (line.tsUs > untilUs) break;
        const topic = this.topicFor(line.log);
        let list = byTopic.get(topic);
        if (!list) {
          list = [];
          byTopic.set(topic, list);
        }
        list.push({
          key: 'simulator',
          value: formatLine(line, this.options.topics === 'per-log' ? 'json' : 'envelope'),
          timestamp: Math.floor(line.tsUs / 1000),
          headers: { [ORIGIN_HEADER]: 'simulator' },
        });
        pos = { bucket: pos.bucket, index: pos.index + 1 };
        n++;
      }
      if (n > 0) {
        const outputs: TransactionOutput[] = [];
        for (const [topic, records] of byTopic) {
          await this.ensure(topic);
          outputs.push({ topic, records });
          sourceLines.inc({ type: 'simulator', sensor: topic.slice(4) }, records.length);
        }
        const state: StoredPosition = {
          v: 1,
          anchorMs: sim.startUs / 1000,
          bucket: pos.bucket,
          index: pos.index,
          seed: sim.config.seed,
        };
        await this.log.transact({
          group: this.group,
          outputs,
          offsets: [],
          state: Buffer.from(JSON.stringify(state)),
        });
        this.position = pos;
        this.appended += n;
      }
      const exhausted = !live && pos.index >= lines.length && sim.bucketStartUs(pos.bucket + 1) >= sim.endUs;
      if (exhausted) return;
      if (n < max && live) await this.sleep(this.options.tickMs ?? 250);
      else await new Promise<void>((r) => setImmediate(r));
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
    });
  }
}
