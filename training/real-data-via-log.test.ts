// The real-data runs through Vigil's own path instead of reading the CSV files directly: the NSL-KDD
// files are ingested as raw lines (StreamSource, what `vigil ingest` runs) on one sensor per file,
// the parse stage turns them into events on `events`, the training source reads that topic back,
// the model is trained, registered, and the test set is scored by the scorer's code path
// (scoreFeatureRecords on the registered version). The rows read back equal the direct path's, row for
// row, and the MLP trained on each gives the same figures.
// The DGA lists go the same way on two more sensors. Short version: the first TRAIN_ROWS rows of
// KDDTrain+ and all of KDDTest+ (the direct path reads the same rows through `limit`), fewer epochs;
// full figures: see the via-log specs' comments. Skipped when ../shared/data is absent.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmbeddedLog, openEmbeddedLog } from '../ingest/log/embedded/index.ts';
import { runUntilDrained } from '../ingest/pipeline/runner.ts';
import { createParseStage } from '../ingest/sensors/parse-stage.ts';
import { SensorRegistry } from '../ingest/sensors/registry.ts';
import { StreamSource } from '../ingest/sources/stream-source.ts';
import { openRegistry } from '../models/registry.ts';
import { type FeatureRecord, scoreFeatureRecords } from '../scoring/scorer/score-features.ts';
import { loadScoringModel } from '../scoring/scorer/scoring-model.ts';
import { encode } from './data/encode.ts';
import { evaluate } from './eval/evaluate.ts';
import { registerTrainingResult } from './register.ts';
import { type LoadedSpec, loadTrainingSpec } from './spec.ts';
import { type Dataset, loadDataset, runTraining } from './train.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(repoRoot, '../shared/data');
const kdd = (f: string) => path.join(shared, 'nsl-kdd', f);
const hasData =
  existsSync(kdd('KDDTrain+.txt')) &&
  existsSync(kdd('KDDTest+.txt')) &&
  existsSync(path.join(shared, 'dga/dga-1000-labeled.csv'));
if (!hasData) console.warn(`real-data via-log tests skipped: ${shared} is absent`);
const spec = (name: string) => path.join(repoRoot, 'training/specs', name);

// the first 25,192 rows of KDDTrain+ are KDDTrain+_20Percent (see its PROVENANCE.md)
const TRAIN_ROWS = 25_192;
const TEST_ROWS = 22_544;

let dir: string;
let log: EmbeddedLog;

/** Appends lines to a sensor's raw topic the way `vigil ingest <file>` does. */
async function ingest(sensors: SensorRegistry, sensor: string, text: string, origin: string) {
  const s = sensors.current.get(sensor)!;
  const source = new StreamSource({
    log,
    sensor: s.name,
    topic: s.rawTopic,
    input: Readable.from([Buffer.from(text)]),
    origin,
  });
  await source.start();
  await source.done;
  return source.progress.lines;
}

function viaLog(name: string): LoadedSpec {
  const loaded = loadTrainingSpec(spec(name));
  loaded.log = log;
  return loaded;
}

function direct(name: string): LoadedSpec {
  const loaded = loadTrainingSpec(spec(name));
  loaded.spec.source.limit = TRAIN_ROWS;
  return loaded;
}

const columnsOf = (d: Dataset) => ({
  train: d.train.rows.map((r) => Object.values(d.train.columns).map((c) => c[r])),
  validation: d.validation.rows.map((r) => Object.values(d.validation.columns).map((c) => c[r])),
  test: d.test.rows.map((r) => Object.values(d.test.columns).map((c) => c[r])),
});

beforeAll(async () => {
  if (!hasData) return;
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-real-log-'));
  log = await openEmbeddedLog(path.join(dir, 'log'), { fsync: false, retentionCheckMs: 0 });
  const sensors = SensorRegistry.fromText(readFileSync(spec('nsl-kdd-sensors.yaml'), 'utf8'));
  const trainLines = readFileSync(kdd('KDDTrain+.txt'), 'utf8').split('\n').slice(0, TRAIN_ROWS);
  expect(await ingest(sensors, 'nsl-kdd-train', `${trainLines.join('\n')}\n`, kdd('KDDTrain+.txt'))).toBe(
    TRAIN_ROWS,
  );
  expect(
    await ingest(sensors, 'nsl-kdd-test', readFileSync(kdd('KDDTest+.txt'), 'utf8'), kdd('KDDTest+.txt')),
  ).toBe(TEST_ROWS);
  const stats = await runUntilDrained(log, createParseStage({ sensors }));
  expect(stats.recordsIn).toBe(TRAIN_ROWS + TEST_ROWS);
  expect(stats.errors).toBe(0);

  // the DGA lists on their own sensors, parsed by a second parse stage into the same `events` topic
  const dgaSensors = SensorRegistry.fromText(readFileSync(spec('dga-sensors.yaml'), 'utf8'));
  const dgaLabeled = path.join(shared, 'dga/dga-1000-labeled.csv');
  const alexa = path.join(shared, 'dga/alexa-top-100k/top-100k.csv');
  await ingest(dgaSensors, 'dga-labeled', readFileSync(dgaLabeled, 'utf8'), dgaLabeled);
  await ingest(dgaSensors, 'alexa-top', readFileSync(alexa, 'utf8'), alexa);
  const dgaStats = await runUntilDrained(log, createParseStage({ sensors: dgaSensors, name: 'parse-dga' }));
  expect(dgaStats.recordsIn).toBe(9001 + 100_000); // the header line gives no event and no error
  expect(dgaStats.errors).toBe(0);
}, 120_000);

afterAll(async () => {
  await log?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!hasData)(
  'real data through ingest → log → training → registry → scorer',
  { timeout: 180_000 },
  () => {
    it('NSL-KDD MLP: the log gives the file rows, the same model figures, and the scorer reproduces them', async () => {
      const loaded = viaLog('nsl-kdd-mlp-via-log.yaml');
      const reference = direct('nsl-kdd-mlp.yaml');
      for (const l of [loaded, reference]) if (l.spec.model.family === 'mlp') l.spec.model.params.epochs = 3;
      const data = await loadDataset(loaded);
      const refData = await loadDataset(reference);
      expect(data.train.rows.length + data.validation.rows.length).toBe(TRAIN_ROWS);
      expect(data.test.rows.length).toBe(TEST_ROWS);
      // every row and value, in order, as the direct DuckDB read of the files gives them
      expect(columnsOf(data)).toEqual(columnsOf(refData));

      const r = await runTraining(loaded, { data });
      const ref = await runTraining(reference, { data: refData });
      try {
        expect(r.parity.maxAbsDiff).toBeLessThanOrEqual(1e-4);
        expect(r.evaluation!.atThreshold.accuracy).toBe(ref.evaluation!.atThreshold.accuracy);
        expect(r.evaluation!.auroc).toBe(ref.evaluation!.auroc);
        expect(r.evaluation!.auroc).toBeGreaterThan(0.85);
        expect(r.lineage.data).toMatchObject({
          source: 'log:events[earliest..latest] dataset=nsl-kdd-train',
        });
        console.info(
          `nsl-kdd-mlp (${TRAIN_ROWS} train rows, 3 epochs): via log accuracy ${r.evaluation!.atThreshold.accuracy.toFixed(4)} AUROC ${r.evaluation!.auroc.toFixed(4)}; direct accuracy ${ref.evaluation!.atThreshold.accuracy.toFixed(4)} AUROC ${ref.evaluation!.auroc.toFixed(4)}`,
        );

        const registry = await openRegistry(path.join(dir, 'data'));
        try {
          await registerTrainingResult(registry, r, { alias: 'champion' });
          const version = await registry.resolve('nsl-kdd-mlp-via-log@champion');
          const model = await loadScoringModel(registry, version);
          try {
            // the test rows as feature records, as the features topic carries them
            const names = version.signature.inputs.features.map((f) => f.name);
            const x = encode(data.test.columns, r.encoding, data.test.rows);
            const records: FeatureRecord[] = data.test.rows.map((_, i) => ({
              entity: `KDDTest+:${i + 1}`,
              window: { start: 0, end: 0 },
              schema: 'nsl-kdd',
              version: 1,
              features: Object.fromEntries(names.map((n, j) => [n, x.data[i * x.cols + j]])),
            }));
            const outcomes = await scoreFeatureRecords(model, records, { topK: 0 });
            const scores = outcomes.map((o, i) => {
              if (!o.ok) throw new Error(`test row ${i + 1}: ${o.kind}: ${o.message}`);
              return o.score.score;
            });
            const labels = data.labelsOf(data.test)!;
            const scored = evaluate(scores, labels, { threshold: version.threshold!.score! });
            // onnxruntime against TF.js: scores within 1e-4, so at most a handful of rows flip at the threshold
            const flips =
              Math.abs(scored.atThreshold.accuracy - r.evaluation!.atThreshold.accuracy) * TEST_ROWS;
            expect(flips).toBeLessThanOrEqual(5);
            expect(scored.auroc).toBeCloseTo(r.evaluation!.auroc, 4);
            console.info(
              `nsl-kdd-mlp-via-log scored by scoreFeatureRecords: accuracy ${scored.atThreshold.accuracy.toFixed(4)} AUROC ${scored.auroc.toFixed(4)}`,
            );
          } finally {
            await model.runtime.dispose();
          }
        } finally {
          await registry.close();
        }
      } finally {
        r.model.dispose();
        ref.model.dispose();
      }
    });

    it('NSL-KDD autoencoder on normal rows read from the log: the direct rows, AUROC on KDDTest+', async () => {
      const loaded = viaLog('nsl-kdd-autoencoder-via-log.yaml');
      if (loaded.spec.model.family === 'autoencoder') loaded.spec.model.params.epochs = 2;
      const data = await loadDataset(loaded);
      // the same rows as the direct path, so the same model (the MLP case above checks the figures)
      expect(columnsOf(data)).toEqual(columnsOf(await loadDataset(direct('nsl-kdd-autoencoder.yaml'))));
      const r = await runTraining(loaded, { data, checkParity: false });
      try {
        expect(r.rows.train).toBeLessThan(TRAIN_ROWS); // normal rows only
        expect(r.evaluation!.auroc).toBeGreaterThan(0.9);
        console.info(
          `nsl-kdd-autoencoder-via-log (${TRAIN_ROWS} train rows, 2 epochs): AUROC ${r.evaluation!.auroc.toFixed(4)}`,
        );
      } finally {
        r.model.dispose();
      }
    });

    it('DGA vs benign: domains from two sensors on the log give the direct SQL rows, in order', async () => {
      const loaded = viaLog('dga-char-mlp-via-log.yaml');
      if (loaded.spec.model.family === 'mlp') loaded.spec.model.params.epochs = 2;
      const data = await loadDataset(loaded);
      expect(data.test.rows.length).toBe(3800);
      expect(columnsOf(data)).toEqual(
        columnsOf(await loadDataset(loadTrainingSpec(spec('dga-char-mlp.yaml')))),
      );
      const r = await runTraining(loaded, { data, checkParity: false });
      try {
        expect(r.evaluation!.auroc).toBeGreaterThan(0.95);
        console.info(`dga-char-mlp-via-log (2 epochs): AUROC ${r.evaluation!.auroc.toFixed(4)}`);
      } finally {
        r.model.dispose();
      }
    });

    it('a topic source without the log, or on a missing topic, names what is wrong', async () => {
      const loaded = loadTrainingSpec(spec('nsl-kdd-mlp-via-log.yaml'));
      await expect(loadDataset(loaded)).rejects.toThrow(
        /reads topic events of Vigil's log, but no log was opened/,
      );
      loaded.log = log;
      loaded.spec.source.topic = 'no-such-topic';
      await expect(loadDataset(loaded)).rejects.toThrow(/training source topic no-such-topic/);
    });
  },
);
