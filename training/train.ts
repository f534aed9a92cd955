// Runs a training spec end to end: load (DuckDB) → label → split → encode (arquero vocabularies) →
// standardize → train the family → export ONNX and check parity with onnxruntime → choose the
// threshold on validation rows → evaluate on the test rows. Deterministic for the spec's seed.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Columns, type Encoding, encode, fitEncoding } from './data/encode.ts';
import { loadSource, type SourceSpec, sourcePath } from './data/source.ts';
import { fitStandardizer, standardize } from './data/standardize.ts';
import { chooseThreshold, type EvaluationReport, evaluate, type ThresholdPolicy } from './eval/evaluate.ts';
import { type ScoreDistribution, scoreDistribution, spanDays } from './eval/metrics.ts';
import { trainAutoencoder } from './families/autoencoder.ts';
import { trainGradientBoosting } from './families/gradient-boosting.ts';
import { trainIsolationForest } from './families/isolation-forest.ts';
import { trainMlp } from './families/mlp.ts';
import {
  type TrainedModel,
  wrapDense,
  wrapGradientBoosting,
  wrapIsolationForest,
} from './families/trained-model.ts';
import { onnxParity, type ParityReport } from './onnx/parity.ts';
import { createRng, permutation } from './random.ts';
import type { LabelSpec, LoadedSpec, TrainingSpec } from './spec.ts';

export type TrainingPhase = 'load' | 'prepare' | 'train' | 'export' | 'evaluate';

export interface TrainingProgress {
  phase: TrainingPhase;
  epoch?: number;
  epochs?: number;
  loss?: number;
}

export interface TrainingResult {
  spec: TrainingSpec;
  model: TrainedModel;
  encoding: Encoding;
  onnx: Uint8Array;
  parity: ParityReport;
  threshold: { value: number; policy: ThresholdPolicy };
  /** Test-set evaluation; absent when the spec has no label. */
  evaluation?: EvaluationReport;
  /** Scores of the calibration rows: the reference for severity normalization. */
  scoreDistribution: ScoreDistribution;
  rows: { train: number; validation: number; test: number };
  timings: { loadMs: number; trainMs: number; exportMs: number; evaluateMs: number };
  lineage: Record<string, unknown>;
}

export interface Part {
  columns: Columns;
  rows: number[];
}

function labelOf(value: unknown, spec: LabelSpec): number {
  const s = String(value ?? '');
  if (spec.positive) return spec.positive.includes(s) ? 1 : 0;
  return spec.negative!.includes(s) ? 0 : 1;
}

function parseTime(v: unknown): number {
  if (typeof v === 'number') return v;
  const s = String(v ?? '');
  return /^\d+(\.\d+)?$/.test(s) ? Number(s) : Date.parse(s);
}

function columnRequest(spec: TrainingSpec) {
  const text = [...spec.features.categorical];
  if (spec.features.text) text.push(spec.features.text.column);
  if (spec.label) text.push(spec.label.column);
  if (spec.timestamp) text.push(spec.timestamp);
  return { numeric: spec.features.numeric, text: [...new Set(text)], orderBy: spec.timestamp };
}

const rowCount = (c: Columns) => Object.values(c)[0]?.length ?? 0;
const range = (a: number, b: number) => Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);

/** The rows of a spec's source, split into training, validation and test parts. */
export interface Dataset {
  train: Part;
  validation: Part;
  test: Part;
  split: NonNullable<TrainingSpec['split']>;
  labelsOf(p: Part): Uint8Array | undefined;
  timesOf(p: Part): Float64Array | undefined;
}

/** Loads and splits a spec's data exactly as training does (so `vigil eval` sees the same test rows). */
export async function loadDataset(loaded: LoadedSpec): Promise<Dataset> {
  const { spec, baseDir } = loaded;
  const rng = createRng(spec.seed);
  const req = columnRequest(spec);
  const columns = await loadSource(spec.source, baseDir, req, loaded.log);
  const n = rowCount(columns);
  if (n === 0) throw new Error(`training source ${sourcePath(spec.source, baseDir)} has no rows`);
  // split: test rows, then the latest validationFraction of the training part
  const split = spec.split ?? {
    kind: spec.timestamp ? ('time' as const) : ('ordered' as const),
    testFraction: 0.2,
  };
  let trainPart: Part;
  let testPart: Part;
  if (split.kind === 'source') {
    const testColumns = await loadSource(split.test as SourceSpec, baseDir, req, loaded.log);
    trainPart = { columns, rows: range(0, n) };
    testPart = { columns: testColumns, rows: range(0, rowCount(testColumns)) };
  } else {
    const order = split.kind === 'random' ? Array.from(permutation(n, rng)) : range(0, n);
    const nTest = Math.max(1, Math.round(n * split.testFraction));
    trainPart = { columns, rows: order.slice(0, n - nTest) };
    testPart = { columns, rows: order.slice(n - nTest) };
  }
  const nVal = Math.round(trainPart.rows.length * spec.validationFraction);
  const valPart: Part = {
    columns: trainPart.columns,
    rows: trainPart.rows.slice(trainPart.rows.length - nVal),
  };
  trainPart = { columns: trainPart.columns, rows: trainPart.rows.slice(0, trainPart.rows.length - nVal) };
  return {
    train: trainPart,
    validation: valPart,
    test: testPart,
    split,
    labelsOf: (p) =>
      spec.label
        ? Uint8Array.from(p.rows, (r) => labelOf(p.columns[spec.label!.column]![r], spec.label!))
        : undefined,
    timesOf: (p) =>
      spec.timestamp
        ? Float64Array.from(p.rows, (r) => parseTime(p.columns[spec.timestamp!]![r]))
        : undefined,
  };
}

export async function runTraining(
  loaded: LoadedSpec,
  opts: {
    onProgress?: (p: TrainingProgress) => void;
    checkParity?: boolean;
    /** Already loaded rows of this spec (loadDataset), to avoid reading the source twice. */
    data?: Dataset;
  } = {},
): Promise<TrainingResult> {
  const { spec, baseDir } = loaded;
  const progress = opts.onProgress ?? (() => {});
  const t0 = performance.now();

  progress({ phase: 'load' });
  const data = opts.data ?? (await loadDataset(loaded));
  const { train: trainPart, validation: valPart, test: testPart, split, labelsOf, timesOf } = data;
  const loadMs = performance.now() - t0;

  progress({ phase: 'prepare' });
  let fitRows = trainPart.rows;
  const trainLabels = labelsOf(trainPart);
  if (spec.trainOn === 'negatives' && trainLabels)
    fitRows = trainPart.rows.filter((_, i) => trainLabels[i] === 0);
  if (fitRows.length === 0) throw new Error('no training rows left after the split and the trainOn filter');
  // the category vocabulary comes from every training row, so an anomaly detector fitted on benign
  // rows still has a column for a category only attacks use (constant 0 in fitting: a strong signal)
  const vocabColumns: Columns = Object.fromEntries(
    Object.entries(trainPart.columns).map(([k, v]) => [k, trainPart.rows.map((r) => v[r])]),
  );
  const encoding = fitEncoding(vocabColumns, spec.features);
  const xFit = encode(trainPart.columns, encoding, fitRows);
  const fitLabels = spec.trainOn === 'negatives' || !trainLabels ? undefined : trainLabels;

  const t1 = performance.now();
  const onEpoch = (epochs: number) => (epoch: number, loss: number) =>
    progress({ phase: 'train', epoch: epoch + 1, epochs, loss });
  let model: TrainedModel;
  const m = spec.model;
  if (m.family === 'isolation-forest') {
    progress({ phase: 'train' });
    model = wrapIsolationForest(trainIsolationForest(xFit, m.params, spec.seed));
  } else if (m.family === 'gradient-boosting') {
    if (!fitLabels) throw new Error('the gradient-boosting family needs a label');
    const onTree = (t: number, loss: number) =>
      progress({ phase: 'train', epoch: t + 1, epochs: m.params.trees, loss });
    model = wrapGradientBoosting(trainGradientBoosting(xFit, fitLabels, m.params, onTree));
  } else {
    const standardizer = fitStandardizer(xFit, encoding.log1p, spec.clip);
    const xs = standardize(standardizer, xFit);
    if (m.family === 'autoencoder') {
      model = wrapDense(
        await trainAutoencoder(xs, m.params, spec.seed, onEpoch(m.params.epochs)),
        standardizer,
      );
    } else {
      if (!fitLabels) throw new Error('the mlp family needs a label');
      model = wrapDense(
        await trainMlp(xs, fitLabels, m.params, spec.seed, onEpoch(m.params.epochs)),
        standardizer,
      );
    }
  }
  const trainMs = performance.now() - t1;

  progress({ phase: 'export' });
  const t2 = performance.now();
  const xTest = encode(testPart.columns, encoding, testPart.rows);
  const testScores = await model.score(xTest);
  const onnx = model.toOnnx({
    metadata: {
      'vigil.model': spec.name,
      'vigil.features': JSON.stringify(encoding.featureNames),
      'vigil.seed': String(spec.seed),
    },
  });
  const parity =
    opts.checkParity === false
      ? { rows: 0, maxAbsDiff: Number.NaN, worstRow: -1 }
      : await onnxParity(onnx, xTest, testScores);
  const exportMs = performance.now() - t2;

  progress({ phase: 'evaluate' });
  const t3 = performance.now();
  const calib = valPart.rows.length > 0 ? valPart : { columns: trainPart.columns, rows: fitRows };
  const calibScores = await model.score(encode(calib.columns, encoding, calib.rows));
  const calibLabels = labelsOf(calib);
  const calibTimes = timesOf(calib);
  const policy: ThresholdPolicy =
    spec.threshold ??
    (m.family === 'mlp' || m.family === 'gradient-boosting'
      ? { kind: 'fixed', value: 0.5 }
      : { kind: 'fpr', target: 0.01 });
  // without timestamps, the calibration rows stand for a share of the test rows' testDays
  const days = (t: Float64Array | undefined, rows: number) =>
    t ? spanDays(t) : ((spec.testDays ?? 1) * rows) / Math.max(1, testPart.rows.length);
  const threshold = chooseThreshold(policy, calibScores, calibLabels, days(calibTimes, calib.rows.length));
  const testLabels = labelsOf(testPart);
  const evaluation = testLabels
    ? evaluate(testScores, testLabels, {
        threshold,
        timestamps: timesOf(testPart),
        days: spec.testDays,
      })
    : undefined;
  const evaluateMs = performance.now() - t3;

  return {
    spec,
    model,
    encoding,
    onnx,
    parity,
    threshold: { value: threshold, policy },
    evaluation,
    scoreDistribution: scoreDistribution(calibScores),
    rows: { train: fitRows.length, validation: valPart.rows.length, test: testPart.rows.length },
    timings: { loadMs, trainMs, exportMs, evaluateMs },
    lineage: {
      data: {
        source: sourcePath(spec.source, baseDir),
        ...(split.kind === 'source' ? { test: sourcePath(split.test as SourceSpec, baseDir) } : {}),
        split: split.kind,
      },
      parameters: { family: m.family, ...m.params, clip: spec.clip, trainOn: spec.trainOn },
      seed: spec.seed,
      trainer: `vigil/training ${m.family}`,
      spec: loaded.file,
    },
  };
}

/** Flat numeric metrics (for the registry and --json). */
export function flatMetrics(r: TrainingResult): Record<string, number> {
  const out: Record<string, number> = { threshold: r.threshold.value, onnxMaxAbsDiff: r.parity.maxAbsDiff };
  const e = r.evaluation;
  if (e) {
    Object.assign(out, {
      auroc: e.auroc,
      prAuc: e.prAuc,
      accuracy: e.atThreshold.accuracy,
      precision: e.atThreshold.precision,
      recall: e.atThreshold.recall,
      f1: e.atThreshold.f1,
      fpr: e.atThreshold.fpr,
      alertsPerDay: e.alertsPerDay,
    });
    for (const [k, v] of Object.entries(e.precisionAtK)) out[`precisionAt${k}`] = v;
  }
  return Object.fromEntries(Object.entries(out).filter(([, v]) => Number.isFinite(v)));
}

/** Writes model.onnx and model.json (encoding, standardizer, state, threshold, evaluation). */
export async function writeTrainingArtifacts(
  r: TrainingResult,
  dir: string,
): Promise<{ onnx: string; json: string }> {
  await mkdir(dir, { recursive: true });
  const onnx = path.join(dir, 'model.onnx');
  const json = path.join(dir, 'model.json');
  await writeFile(onnx, r.onnx);
  await writeFile(
    json,
    JSON.stringify(
      {
        name: r.spec.name,
        family: r.model.family,
        spec: r.spec,
        encoding: r.encoding,
        standardizer: r.model.standardizer,
        threshold: r.threshold,
        evaluation: r.evaluation,
        scoreDistribution: r.scoreDistribution,
        parity: r.parity,
        rows: r.rows,
        lineage: r.lineage,
        state: r.model.state(),
      },
      null,
      1,
    ),
  );
  return { onnx, json };
}
