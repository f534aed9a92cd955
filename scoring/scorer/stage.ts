// The online scorer stage: features → scores (+ alerts at or over the model's threshold), scored by
// whatever version the model reference points at, switching versions between batches when the alias
// moves. Every score names the version that made it. Optionally a challenger shadow-scores the same
// features to its own topic. Bad records and model load failures become error records; the stage never
// stops for them.
import { Counter, Gauge } from 'prom-client';
import type { LogRecord } from '../../ingest/log/types.ts';
import { ERRORS_TOPIC, errorRecord } from '../../ingest/pipeline/runner.ts';
import type { Stage, StageContext, StageOutput } from '../../ingest/pipeline/stage.ts';
import { metricsRegistry } from '../../kernel/metrics.ts';
import type { ModelRegistry } from '../../models/registry.ts';
import { type ModelEvent, ModelHandle } from './model-handle.ts';
import {
  type FeatureRecord,
  parseFeatureRecord,
  type ScoreOptions,
  scoreFeatureRecords,
} from './score-features.ts';

export interface ScorerStageOptions extends ScoreOptions {
  registry: ModelRegistry;
  /** NAME, NAME@ALIAS or NAME:VERSION (bare NAME follows @champion). */
  model: string;
  /** A challenger reference scored on the same features into `shadowTopic`; never alerts. */
  shadow?: string;
  name?: string;
  input?: string;
  scoresTopic?: string;
  alertsTopic?: string;
  shadowTopic?: string;
  /**
   * Hold records across input batches until `batchSize` are waiting or the oldest has waited this long
   * (ms). 0 (default) scores every input batch at once: the runner's batches already grow with load.
   * Held records are part of the stage state, committed with the offsets, so a crash loses none.
   */
  maxWaitMs?: number;
  /** Alias re-resolution interval, ms (default 2000). */
  pollMs?: number;
  maxModelBytes?: number;
  /** ONNX intra-op threads (default 1). */
  threads?: number;
  /** Severity threshold for versions that record none (default 99). */
  defaultThreshold?: number;
}

const scoresTotal = new Counter({
  name: 'vigil_scorer_scores_total',
  help: 'Scores emitted, by model and version',
  labelNames: ['model', 'version', 'shadow'],
  registers: [metricsRegistry],
});
const alertsTotal = new Counter({
  name: 'vigil_scorer_alerts_total',
  help: 'Model alerts emitted, by model',
  labelNames: ['model'],
  registers: [metricsRegistry],
});
const modelVersionGauge = new Gauge({
  name: 'vigil_scorer_model_version',
  help: 'Model version the scorer is scoring with',
  labelNames: ['stage', 'ref'],
  registers: [metricsRegistry],
});
const modelLoadFailures = new Counter({
  name: 'vigil_scorer_model_load_failures_total',
  help: 'Model versions the scorer could not load (it kept its previous version)',
  labelNames: ['ref'],
  registers: [metricsRegistry],
});

export interface ScorerStage extends Stage {
  /** The version that scored the last batch (null before the first successful load). */
  readonly activeVersion: number | null;
  /** Loads whatever the reference points at now (tests and `vigil serve` can await a switch). */
  refreshModel(): Promise<void>;
}

export function createScorerStage(options: ScorerStageOptions): ScorerStage {
  const name = options.name ?? 'scorer';
  const input = options.input ?? 'features';
  const scoresTopic = options.scoresTopic ?? 'scores';
  const alertsTopic = options.alertsTopic ?? 'alerts';
  const shadowTopic = options.shadowTopic ?? 'scores.shadow';
  const batchSize = Math.max(1, options.batchSize ?? 256);
  const maxWaitMs = Math.max(0, options.maxWaitMs ?? 0);
  const handleOptions = {
    pollMs: options.pollMs,
    maxBytes: options.maxModelBytes,
    threads: options.threads,
    defaultThreshold: options.defaultThreshold,
  };
  const main = new ModelHandle(options.registry, options.model, handleOptions);
  const shadow = options.shadow ? new ModelHandle(options.registry, options.shadow, handleOptions) : null;
  let held: LogRecord[] = [];
  let heldSince = 0;

  function modelEventRecords(events: ModelEvent[]): StageOutput[] {
    const out: StageOutput[] = [];
    for (const e of events) {
      if (e.kind === 'switched' || e.kind === 'loaded') {
        if (e.version !== undefined) modelVersionGauge.set({ stage: name, ref: e.ref }, e.version);
        continue;
      }
      modelLoadFailures.inc({ ref: e.ref });
      out.push({
        topic: ERRORS_TOPIC,
        value: JSON.stringify({
          stage: name,
          kind: e.kind,
          message: e.message,
          model: { ref: e.ref, version: e.version },
        }),
      });
    }
    return out;
  }

  async function score(records: LogRecord[], ctx: StageContext): Promise<StageOutput[]> {
    // One slot per input record so outputs keep input order whatever happened to each record.
    const slots: StageOutput[][] = records.map(() => []);
    const model = main.take();
    const parsed: { at: number; rec: LogRecord; features: FeatureRecord }[] = [];
    for (const [at, r] of records.entries()) {
      const f = parseFeatureRecord(r.value);
      if (typeof f === 'string') {
        ctx.countError();
        slots[at]?.push(errorRecord(name, r, 'invalid-record', f));
      } else if (!model) {
        ctx.countError();
        slots[at]?.push(
          errorRecord(
            name,
            r,
            'no-model',
            `no loadable version of ${main.label} yet; record kept here for replay`,
          ),
        );
      } else parsed.push({ at, rec: r, features: f });
    }
    if (model && parsed.length > 0) {
      const features = parsed.map((p) => p.features);
      const outcomes = await scoreFeatureRecords(model, features, options);
      const ref = model.version;
      let nScores = 0;
      let nAlerts = 0;
      for (const [k, o] of outcomes.entries()) {
        const { at, rec } = parsed[k] as (typeof parsed)[number];
        const slot = slots[at] as StageOutput[];
        if (!o.ok) {
          if (o.kind === 'other-schema') continue; // another model's vectors share the topic
          ctx.countError();
          slot.push(errorRecord(name, rec, o.kind, o.message));
          continue;
        }
        nScores++;
        slot.push({
          topic: scoresTopic,
          key: o.score.entity,
          timestamp: rec.timestamp,
          value: JSON.stringify(o.score),
        });
        if (o.alert) {
          nAlerts++;
          slot.push({
            topic: alertsTopic,
            key: o.alert.id,
            timestamp: rec.timestamp,
            value: JSON.stringify(o.alert),
          });
        }
      }
      scoresTotal.inc({ model: ref.name, version: String(ref.version), shadow: 'false' }, nScores);
      if (nAlerts) alertsTotal.inc({ model: ref.name }, nAlerts);

      const challenger = shadow?.take();
      if (challenger) {
        // The shadow never affects live outputs: a failure only costs its own scores.
        const shadowOutcomes = await scoreFeatureRecords(challenger, features, {
          ...options,
          explain: 'alerts',
        }).catch(() => [] as Awaited<ReturnType<typeof scoreFeatureRecords>>);
        let n = 0;
        for (const [k, o] of shadowOutcomes.entries()) {
          if (!o.ok) continue;
          n++;
          const { at, rec } = parsed[k] as (typeof parsed)[number];
          slots[at]?.push({
            topic: shadowTopic,
            key: o.score.entity,
            timestamp: rec.timestamp,
            value: JSON.stringify(o.score),
          });
        }
        scoresTotal.inc(
          { model: challenger.version.name, version: String(challenger.version.version), shadow: 'true' },
          n,
        );
      }
    }
    return slots.flat();
  }

  function flushDue(now: number): boolean {
    return held.length >= batchSize || (held.length > 0 && now - heldSince >= maxWaitMs);
  }

  async function flush(ctx: StageContext): Promise<StageOutput[]> {
    const records = held;
    held = [];
    return score(records, ctx);
  }

  const stage: ScorerStage = {
    name,
    inputs: [input],
    outputs: [scoresTopic, alertsTopic, ...(shadow ? [shadowTopic] : [])],
    get activeVersion() {
      return main.peek()?.version.version ?? null;
    },
    async refreshModel() {
      await main.refresh();
      await shadow?.refresh();
    },
    async start() {
      await main.start();
      await shadow?.start();
    },
    async process(batch, ctx) {
      main.poll();
      shadow?.poll();
      // Adopt a newly loaded version before reading its events, so the switch lands between batches.
      main.take();
      const events = modelEventRecords([...main.drainEvents(), ...(shadow?.drainEvents() ?? [])]);
      const immediate = maxWaitMs === 0 || ctx.replay;
      if (immediate && held.length === 0) return [...events, ...(await score(batch, ctx))];
      if (held.length === 0) heldSince = Date.now();
      for (const r of batch) held.push(r);
      // Records restored from a run configured to hold them are flushed first, in order.
      return immediate || flushDue(Date.now()) ? [...events, ...(await flush(ctx))] : events;
    },
    async onIdle(ctx, info) {
      main.poll();
      shadow?.poll();
      const events = modelEventRecords([...main.drainEvents(), ...(shadow?.drainEvents() ?? [])]);
      if (held.length > 0 && (info.final || flushDue(Date.now()))) return [...events, ...(await flush(ctx))];
      return events;
    },
    snapshot() {
      return Buffer.from(JSON.stringify(held.map(encodeRecord)));
    },
    restore(state) {
      try {
        held = (JSON.parse(state.toString('utf8')) as EncodedRecord[]).map(decodeRecord);
      } catch {
        held = [];
      }
      heldSince = Date.now();
    },
    async stop() {
      await main.stop();
      await shadow?.stop();
    },
  };
  return stage;
}

interface EncodedRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string;
}

function encodeRecord(r: LogRecord): EncodedRecord {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key ? r.key.toString('base64') : null,
    value: r.value.toString('base64'),
  };
}

function decodeRecord(e: EncodedRecord): LogRecord {
  return {
    topic: e.topic,
    partition: e.partition,
    offset: e.offset,
    timestamp: e.timestamp,
    key: e.key === null ? null : Buffer.from(e.key, 'base64'),
    value: Buffer.from(e.value, 'base64'),
    headers: {},
  };
}
