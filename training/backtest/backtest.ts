// Backtests: a model version (or a triage/Sigma rule set) over a range of history, through the live
// code paths — scoreFeatureRecords for models (what the scorer stage runs), the enrich stage's own
// process() for rules — with every alert kept in memory and the scratch dir, never on the live
// `alerts` topic. Each run is summarized (summary.ts) side by side with the current champion, and a
// model's result is stored on its version (kind `backtest`) so a promotion policy can require it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProfilesConfig } from '../../features/profile-config.ts';
import { FEATURES_TOPIC } from '../../features/profiler.ts';
import { type RangeBound, replayTopic } from '../../features/replay.ts';
import type { EventLog, LogRecord } from '../../ingest/log/types.ts';
import type { StageContext, StageOutput } from '../../ingest/pipeline/stage.ts';
import {
  formatModelRef,
  type ModelRegistry,
  type ModelVersion,
  parseModelRef,
} from '../../models/registry.ts';
import {
  type FeatureRecord,
  parseFeatureRecord,
  scoreFeatureRecords,
} from '../../scoring/scorer/score-features.ts';
import { loadScoringModel, type ScoringModel } from '../../scoring/scorer/scoring-model.ts';
import type { LoadedEnrichConfig } from '../../scoring/triage/config.ts';
import { createEnrichStage } from '../../scoring/triage/enrich-stage.ts';
import { auroc, prAuc } from '../eval/metrics.ts';
import { openHistory } from '../history/history.ts';
import type { LabelInterval } from '../labels/label-file.ts';
import { createLabeler } from '../labels/labeler.ts';
import { resolveRange } from '../replay/materialize.ts';
import { type BacktestAlert, episodesFrom, type RunSummary, runMetrics, summarizeRun } from './summary.ts';

/** Where the backtest reads: feature records (models) or events (rules). */
export type BacktestSource =
  /** Feature records already on the log (the `features` topic), by offset or time. */
  | { kind: 'features'; log: EventLog; topic?: string; from?: RangeBound; to?: RangeBound }
  /** Events replayed through the profiler (the same code as live) to make the features. */
  | {
      kind: 'replay';
      log: EventLog;
      topic: string;
      profiles: ProfilesConfig;
      from?: RangeBound;
      to?: RangeBound;
    }
  /** The archived `features` view (training/history), by record time [from, to) in epoch ms. */
  | { kind: 'history'; root: string; from?: number; to?: number }
  /** Events on the log (e.g. `events`) for a rule set, by offset or time. */
  | { kind: 'events'; log: EventLog; topic?: string; from?: RangeBound; to?: RangeBound };

export interface BacktestOptions {
  source: BacktestSource;
  /** A model reference: NAME@ALIAS or NAME:VERSION (needs `registry`). */
  model?: string;
  /** A triage/Sigma rule set: a loaded enrich config or the path of one. */
  rules?: LoadedEnrichConfig | string;
  registry?: ModelRegistry;
  /** Model runs: the alias to compare with (default `champion`; null: none). Rule runs: another rule set. */
  compareWith?: string | null;
  compareRules?: LoadedEnrichConfig | string;
  /** Labelled intervals (label file, simulator ground truth). */
  labels?: readonly LabelInterval[];
  /** Scratch dir for alerts.<run>.jsonl and report.json (nothing goes to the live topics). */
  out?: string;
  /** Store each model run's result on its version (default true when a registry is given). */
  record?: boolean;
  /** A name for the data backtested on (champion and challenger records compare on the same one). */
  dataset?: string;
  who?: string;
  onProgress?: (p: { records: number; total?: number }) => void;
}

export interface BacktestRun extends RunSummary {
  name: string;
  kind: 'model' | 'rules';
  role: 'candidate' | 'baseline';
  model?: { name: string; version: number };
  /** Feature records scored (models) or events triaged (rules). */
  inputs: number;
  /** Inputs the run could not use (invalid records, another feature schema). */
  skipped: number;
  /** Window-level ranking metrics where labels exist (models). */
  auroc?: number;
  prAuc?: number;
  /** Models: scored windows per severity bin (20 bins of 5 points; 100 falls in the last). */
  severityHistogram?: number[];
  /** Models, where labels exist: precision/recall over score thresholds, highest first (≤ 51 points). */
  prCurve?: PrPoint[];
  evaluationId?: number;
}

export interface PrPoint {
  threshold: number;
  precision: number;
  recall: number;
}

const SEVERITY_BINS = 20;

/** The step-wise PR curve over labelled scores, thinned to about `maxPoints` for plots and reports. */
export function prCurve(scores: readonly number[], labels: readonly number[], maxPoints = 50): PrPoint[] {
  const idx = scores.map((_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const positives = labels.filter((l) => l === 1).length;
  if (positives === 0) return [];
  const all: PrPoint[] = [];
  let tp = 0;
  for (let i = 0; i < idx.length; ) {
    const s = scores[idx[i] as number] as number;
    // tied scores are one threshold
    while (i < idx.length && scores[idx[i] as number] === s) {
      if (labels[idx[i] as number] === 1) tp++;
      i++;
    }
    all.push({ threshold: s, precision: tp / i, recall: tp / positives });
  }
  if (all.length <= maxPoints + 1) return all;
  const step = (all.length - 1) / maxPoints;
  return Array.from({ length: maxPoints + 1 }, (_, k) => all[Math.round(k * step)] as PrPoint);
}

export interface BacktestReport {
  dataset: string;
  range: { start: number; end: number } | null;
  runs: BacktestRun[];
  out?: string;
}

type Batch = { features: FeatureRecord[]; skipped: number } | { events: LogRecord[] };

/** Reads the source in batches; each batch is handed to `each` in order. */
async function readSource(
  source: BacktestSource,
  each: (b: Batch) => Promise<void>,
  progress: (n: number, total?: number) => void,
) {
  let n = 0;
  const features = async (values: (string | Buffer)[]) => {
    const recs: FeatureRecord[] = [];
    let skipped = 0;
    for (const v of values) {
      const r = parseFeatureRecord(v);
      if (typeof r === 'string') skipped++;
      else recs.push(r);
    }
    n += values.length;
    await each({ features: recs, skipped });
  };
  if (source.kind === 'features' || source.kind === 'events') {
    const topic = source.topic ?? (source.kind === 'features' ? FEATURES_TOPIC : 'events');
    const ranges = await resolveRange(source.log, topic, source.from, source.to);
    const total = ranges.reduce((t, r) => t + (r.to - r.from), 0);
    for (const r of ranges) {
      let at = r.from;
      while (at < r.to) {
        const recs = (
          await source.log.read(topic, r.partition, at, { maxRecords: Math.min(5000, r.to - at) })
        ).filter((x) => x.offset < r.to);
        if (recs.length === 0) break;
        at = (recs.at(-1) as LogRecord).offset + 1;
        if (source.kind === 'features') await features(recs.map((x) => x.value));
        else {
          n += recs.length;
          await each({ events: recs });
        }
        progress(n, total);
      }
    }
    return;
  }
  if (source.kind === 'replay') {
    await replayTopic(
      source.log,
      { topic: source.topic, profiles: source.profiles, from: source.from, to: source.to },
      async (outputs: StageOutput[]) => {
        const values = outputs.filter((o) => o.topic === FEATURES_TOPIC).map((o) => o.value);
        if (values.length > 0) await features(values);
        progress(n);
      },
    );
    return;
  }
  const history = await openHistory(source.root);
  try {
    if (!history.views.includes('features')) return;
    const where: string[] = [];
    if (source.from !== undefined) where.push(`_ts >= ${Math.floor(source.from)}`);
    if (source.to !== undefined) where.push(`_ts < ${Math.floor(source.to)}`);
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    // to_json keeps numbers as numbers (BIGINT columns would otherwise come back as strings).
    const sql = `SELECT to_json(struct_pack(schema := schema, version := version, profile := profile, entity := entity, "window" := "window", features := features)) AS j FROM features ${cond} ORDER BY _ts, _partition, _offset`;
    const page = 5000;
    for (let offset = 0; ; offset += page) {
      const { rows } = await history.query(`${sql} LIMIT ${page} OFFSET ${offset}`);
      if (rows.length === 0) break;
      await features(rows.map((r) => String(r.j)));
      progress(n);
      if (rows.length < page) break;
    }
  } finally {
    history.close();
  }
}

const toMs = (t: number | string) =>
  typeof t === 'number' ? t : /^\d+$/.test(t) ? Number(t) : Date.parse(t);

interface ModelRun {
  run: BacktestRun;
  model: ScoringModel;
  alerts: BacktestAlert[];
  scores: number[];
  labels: number[];
  histogram: number[];
}

interface RulesRun {
  run: BacktestRun;
  stage: ReturnType<typeof createEnrichStage>;
  alerts: BacktestAlert[];
}

const ctx = (name: string): StageContext => ({ name, replay: true, countError: () => {} });

function rulesStage(config: LoadedEnrichConfig | string, name: string) {
  // Private output topics: the outputs are only ever read from memory, but no name may alias a live one.
  return createEnrichStage({
    config,
    name,
    output: `backtest.${name}.enriched`,
    errorsTopic: `backtest.${name}.errors`,
  });
}

export async function backtest(options: BacktestOptions): Promise<BacktestReport> {
  if ((options.model === undefined) === (options.rules === undefined))
    throw new Error('backtest needs exactly one of model or rules');
  const labeler = options.labels ? createLabeler([{ kind: 'intervals', intervals: options.labels }]) : null;
  const episodes = options.labels ? episodesFrom(options.labels) : null;
  let minT = Number.POSITIVE_INFINITY;
  let maxT = Number.NEGATIVE_INFINITY;
  const seen = (t: number) => {
    if (t < minT) minT = t;
    if (t > maxT) maxT = t;
  };
  const progress = (n: number, total?: number) => options.onProgress?.({ records: n, total });
  const modelRuns: ModelRun[] = [];
  const rulesRuns: RulesRun[] = [];

  try {
    if (options.model !== undefined) {
      const registry = options.registry;
      if (!registry) throw new Error('a model backtest needs the registry');
      const candidate = await registry.resolve(options.model);
      const versions: { v: ModelVersion; role: BacktestRun['role']; label: string }[] = [
        {
          v: candidate,
          role: 'candidate',
          label: formatModelRef({ name: candidate.name, version: candidate.version }),
        },
      ];
      const compare = options.compareWith === undefined ? 'champion' : options.compareWith;
      if (compare !== null) {
        const ref =
          compare.includes('@') || compare.includes(':')
            ? parseModelRef(compare)
            : { name: candidate.name, alias: compare };
        const baseline = await registry.resolve(ref).catch(() => null);
        if (baseline && !(baseline.name === candidate.name && baseline.version === candidate.version)) {
          versions.push({
            v: baseline,
            role: 'baseline',
            label: `${formatModelRef(ref)} (${baseline.name}:${baseline.version})`,
          });
        }
      }
      for (const { v, role, label } of versions) {
        modelRuns.push({
          run: {
            name: label,
            kind: 'model',
            role,
            model: { name: v.name, version: v.version },
            inputs: 0,
            skipped: 0,
            alerts: 0,
            alertsPerHour: {},
            meanAlertsPerHour: 0,
            labelled: false,
          },
          model: await loadScoringModel(registry, v),
          alerts: [],
          scores: [],
          labels: [],
          histogram: new Array<number>(SEVERITY_BINS).fill(0),
        });
      }
    } else {
      rulesRuns.push({
        run: emptyRun('rules', 'candidate'),
        stage: rulesStage(options.rules as LoadedEnrichConfig | string, 'backtest-candidate'),
        alerts: [],
      });
      if (options.compareRules !== undefined) {
        rulesRuns.push({
          run: emptyRun('baseline rules', 'baseline'),
          stage: rulesStage(options.compareRules, 'backtest-baseline'),
          alerts: [],
        });
      }
      for (const r of rulesRuns) await r.stage.start?.(ctx(r.stage.name));
    }

    await readSource(
      options.source,
      async (batch) => {
        if ('features' in batch) {
          for (const r of batch.features) seen(toMs(r.window.end));
          for (const m of modelRuns) {
            m.run.skipped += batch.skipped;
            const outcomes = await scoreFeatureRecords(m.model, batch.features);
            outcomes.forEach((o, i) => {
              if (!o.ok) {
                m.run.skipped++;
                return;
              }
              m.run.inputs++;
              const bin = Math.floor(o.score.severity / (100 / SEVERITY_BINS));
              if (Number.isFinite(bin)) {
                const k = Math.max(0, Math.min(SEVERITY_BINS - 1, bin));
                m.histogram[k] = (m.histogram[k] ?? 0) + 1;
              }
              const rec = batch.features[i] as FeatureRecord;
              const start = toMs(rec.window.start);
              const end = toMs(rec.window.end);
              if (labeler) {
                const l = labeler({ entity: rec.entity, start, end }).label;
                if (l !== null) {
                  m.scores.push(o.score.score);
                  m.labels.push(l > 0 ? 1 : 0);
                }
              }
              if (o.alert) {
                // A window is [start, end): it covers events up to just before its end.
                m.alerts.push({
                  id: o.alert.id,
                  entity: rec.entity,
                  start,
                  end: end - 1,
                  at: end,
                  severity: o.alert.severity,
                  title: o.alert.title,
                });
              }
            });
          }
          return;
        }
        for (const r of batch.events) seen(r.timestamp);
        for (const rr of rulesRuns) {
          const outputs = await rr.stage.process(batch.events, ctx(rr.stage.name));
          rr.run.inputs += batch.events.length;
          for (const o of outputs) {
            if (
              o.topic === `backtest.${rr.stage.name}.enriched` ||
              o.topic === `backtest.${rr.stage.name}.errors`
            )
              continue;
            const alert = JSON.parse(String(o.value)) as {
              id: string;
              entity?: string;
              '@timestamp'?: string;
              severity?: number;
              title?: string;
            };
            const at = alert['@timestamp'] ? Date.parse(alert['@timestamp']) : (o.timestamp ?? 0);
            const t = Number.isFinite(at) ? at : (o.timestamp ?? 0);
            rr.alerts.push({
              id: alert.id,
              entity: alert.entity ?? '',
              start: t,
              end: t,
              at: t,
              severity: alert.severity ?? 0,
              title: alert.title ?? '',
            });
          }
        }
      },
      progress,
    );
  } catch (err) {
    for (const m of modelRuns) await m.model.runtime.dispose().catch(() => undefined);
    throw err;
  } finally {
    for (const r of rulesRuns) await r.stage.stop?.();
  }

  const range = Number.isFinite(minT) ? { start: minT, end: maxT + 1 } : null;
  const dataset = options.dataset ?? describeSource(options.source);
  const runs: BacktestRun[] = [];
  for (const m of modelRuns) {
    await m.model.runtime.dispose().catch(() => undefined);
    const summary = summarizeRun(m.alerts, episodes, range ?? { start: 0, end: 0 });
    const run: BacktestRun = { ...m.run, ...summary, severityHistogram: m.histogram };
    if (m.labels.some((l) => l === 1) && m.labels.some((l) => l === 0)) {
      run.auroc = auroc(m.scores, m.labels);
      run.prAuc = prAuc(m.scores, m.labels);
      run.prCurve = prCurve(m.scores, m.labels);
    }
    runs.push(run);
  }
  for (const r of rulesRuns)
    runs.push({ ...r.run, ...summarizeRun(r.alerts, episodes, range ?? { start: 0, end: 0 }) });

  const report: BacktestReport = { dataset, range, runs };
  if (options.out) {
    mkdirSync(options.out, { recursive: true });
    const all = [...modelRuns.map((m) => m.alerts), ...rulesRuns.map((r) => r.alerts)];
    runs.forEach((run, i) => {
      const file = join(options.out as string, `alerts.${run.role}.jsonl`);
      writeFileSync(file, (all[i] ?? []).map((a) => `${JSON.stringify(a)}\n`).join(''));
    });
    report.out = options.out;
  }
  if (options.registry && options.record !== false) {
    for (const run of runs) {
      if (!run.model) continue;
      const extra: Record<string, number> = {};
      if (run.auroc !== undefined) extra.auroc = run.auroc;
      if (run.prAuc !== undefined) extra.pr_auc = run.prAuc;
      const evaluation = await options.registry.recordEvaluation(run.model.name, run.model.version, {
        kind: 'backtest',
        dataset,
        metrics: runMetrics(run, extra),
        details: { ...run, range },
        who: options.who ?? 'vigil backtest',
      });
      run.evaluationId = evaluation.id;
    }
  }
  if (options.out) writeFileSync(join(options.out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

function emptyRun(name: string, role: BacktestRun['role']): BacktestRun {
  return {
    name,
    kind: 'rules',
    role,
    inputs: 0,
    skipped: 0,
    alerts: 0,
    alertsPerHour: {},
    meanAlertsPerHour: 0,
    labelled: false,
  };
}

const bound = (b?: RangeBound) =>
  b === undefined ? '' : 'offset' in b ? String(b.offset) : new Date(b.time).toISOString();

/** A stable name for the data a backtest read, so records on different versions compare. */
export function describeSource(s: BacktestSource): string {
  switch (s.kind) {
    case 'features':
      return `log:${s.topic ?? FEATURES_TOPIC}[${bound(s.from)},${bound(s.to)})`;
    case 'events':
      return `log:${s.topic ?? 'events'}[${bound(s.from)},${bound(s.to)})`;
    case 'replay':
      return `replay:${s.topic}[${bound(s.from)},${bound(s.to)})`;
    case 'history':
      return `history:features[${s.from === undefined ? '' : new Date(s.from).toISOString()},${s.to === undefined ? '' : new Date(s.to).toISOString()})`;
  }
}
