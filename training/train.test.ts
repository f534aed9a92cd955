// Trainers end to end on a generated CSV (and Parquet): every family trains from a spec, exports to
// ONNX whose onnxruntime scores match the TS/TF.js model within 1e-4, is deterministic for a seed,
// splits by time, and separates the planted attacks.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../kernel/config.ts';
import { decodeOnnxModel } from './onnx/builder.ts';
import { createRng } from './random.ts';
import { parseTrainingSpec, type TrainingSpecInput, trainingSpec } from './spec.ts';
import { flatMetrics, runTraining } from './train.ts';

let dir: string;
const T0 = Date.parse('2026-11-01T00:00:00Z');

function syntheticCsv(rows: number, seed: number): string {
  const rng = createRng(seed);
  const lines = ['ts,proto,bytes_out,bytes_in,conns,failed_ratio,label'];
  for (let i = 0; i < rows; i++) {
    const attack = rng.next() < 0.2;
    const proto = attack ? (rng.next() < 0.6 ? 'icmp' : 'tcp') : rng.next() < 0.8 ? 'tcp' : 'udp';
    const bytesOut = Math.round((attack ? 50 : 2000) * Math.exp(rng.next() * 2));
    const bytesIn = Math.round((attack ? 20 : 30000) * Math.exp(rng.next() * 2));
    const conns = Math.round((attack ? 200 : 10) * (0.5 + rng.next()));
    const failed = (attack ? 0.5 : 0.02) * rng.next();
    const ts = new Date(T0 + i * 60_000).toISOString();
    lines.push(
      `${ts},${proto},${bytesOut},${bytesIn},${conns},${failed.toFixed(4)},${attack ? 'attack' : 'normal'}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'vigil-train-'));
  writeFileSync(path.join(dir, 'flows.csv'), syntheticCsv(3000, 1));
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(
    `COPY (SELECT * FROM read_csv('${path.join(dir, 'flows.csv')}')) TO '${path.join(dir, 'flows.parquet')}' (FORMAT parquet)`,
  );
  conn.closeSync();
  db.closeSync();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = (
  model: TrainingSpecInput['model'],
  extra: Partial<TrainingSpecInput> = {},
): TrainingSpecInput => ({
  name: 'synthetic',
  source: { path: 'flows.csv' },
  timestamp: 'ts',
  features: {
    numeric: ['bytes_out', 'bytes_in', 'conns', 'failed_ratio'],
    categorical: ['proto'],
    log1p: ['bytes_out', 'bytes_in', 'conns'],
  },
  label: { column: 'label', negative: ['normal'] },
  split: { kind: 'time', testFraction: 0.25 },
  clip: 10,
  model,
  seed: 3,
  ...extra,
});

describe('runTraining', () => {
  it.each([
    ['mlp', { family: 'mlp', params: { hidden: [16], epochs: 5, batchSize: 64 } }, {}],
    [
      'autoencoder',
      { family: 'autoencoder', params: { hidden: [8, 3, 8], epochs: 5, batchSize: 64 } },
      { trainOn: 'negatives' },
    ],
    [
      'isolation-forest',
      { family: 'isolation-forest', params: { trees: 50, sampleSize: 128 } },
      { trainOn: 'negatives' },
    ],
    ['gradient-boosting', { family: 'gradient-boosting', params: { trees: 30, maxDepth: 3 } }, {}],
  ] as const)(
    '%s: ONNX parity ≤ 1e-4 on the test set, deterministic, separates attacks',
    async (_name, model, extra) => {
      const spec = trainingSpec(
        base(model as TrainingSpecInput['model'], extra as Partial<TrainingSpecInput>),
      );
      const a = await runTraining({ spec, baseDir: dir });
      const b = await runTraining({ spec, baseDir: dir });
      expect(a.rows.test).toBe(750);
      expect(a.parity.rows).toBe(750);
      expect(a.parity.maxAbsDiff).toBeLessThanOrEqual(1e-4);
      expect(Buffer.from(a.onnx).equals(Buffer.from(b.onnx))).toBe(true);
      expect(flatMetrics(a)).toEqual(flatMetrics(b));
      expect(a.evaluation!.auroc).toBeGreaterThan(0.9);
      // the preprocessing is inside the model: inputs are the raw columns, categories one-hot over the
      // vocabulary of all training rows (also for detectors fitted on benign rows only)
      expect(a.encoding.featureNames).toEqual([
        'bytes_out',
        'bytes_in',
        'conns',
        'failed_ratio',
        'proto=icmp',
        'proto=tcp',
        'proto=udp',
      ]);
      const meta = decodeOnnxModel(a.onnx);
      expect(meta.graph.input[0].name).toBe('features');
      expect(meta.graph.output[0].name).toBe('score');
      a.model.dispose();
      b.model.dispose();
    },
  );

  it('a different seed gives a different model', async () => {
    const model = { family: 'mlp' as const, params: { hidden: [8], epochs: 2, batchSize: 64 } };
    const a = await runTraining(
      { spec: trainingSpec(base(model)), baseDir: dir, file: undefined },
      { checkParity: false },
    );
    const b = await runTraining(
      { spec: trainingSpec(base(model, { seed: 4 })), baseDir: dir },
      { checkParity: false },
    );
    expect(Buffer.from(a.onnx).equals(Buffer.from(b.onnx))).toBe(false);
  });

  it('splits by time: the test rows are the latest, validation the latest of the rest', async () => {
    const spec = trainingSpec(
      base({ family: 'isolation-forest', params: { trees: 5, sampleSize: 32 } }, { validationFraction: 0.2 }),
    );
    const { loadDataset } = await import('./train.ts');
    const data = await loadDataset({ spec, baseDir: dir });
    const times = (p: typeof data.test) => data.timesOf(p)!;
    expect(Math.max(...times(data.train))).toBeLessThan(Math.min(...times(data.validation)));
    expect(Math.max(...times(data.validation))).toBeLessThan(Math.min(...times(data.test)));
    expect(data.test.rows.length + data.validation.rows.length + data.train.rows.length).toBe(3000);
  });

  it('reads Parquet through DuckDB like CSV', async () => {
    const model = { family: 'isolation-forest' as const, params: { trees: 20, sampleSize: 64 } };
    const csv = await runTraining({ spec: trainingSpec(base(model)), baseDir: dir });
    const pq = await runTraining({
      spec: trainingSpec(base(model, { source: { path: 'flows.parquet' } })),
      baseDir: dir,
    });
    expect(flatMetrics(pq)).toEqual(flatMetrics(csv));
  });

  it('chooses the threshold on validation rows by target FPR', async () => {
    const spec = trainingSpec(
      base(
        { family: 'isolation-forest', params: { trees: 30, sampleSize: 64 } },
        { trainOn: 'negatives', threshold: { kind: 'fpr', target: 0.05 } },
      ),
    );
    const r = await runTraining({ spec, baseDir: dir });
    expect(r.threshold.policy).toEqual({ kind: 'fpr', target: 0.05 });
    // on fresh (test) rows the FPR lands near the target, far from 0 or 1
    expect(r.evaluation!.atThreshold.fpr).toBeLessThan(0.15);
    expect(r.evaluation!.days).toBeGreaterThan(0.4);
    expect(r.scoreDistribution.percentiles).toHaveLength(101);
  });
});

describe('training spec', () => {
  it('reports a bad field with file:line', () => {
    const text = 'name: x\nsource: { path: a.csv }\nfeatures: { numeric: [a] }\nmodel:\n  family: forest\n';
    expect(() => parseTrainingSpec(text, dir, 'bad.yaml')).toThrow(ConfigError);
    expect(() => parseTrainingSpec(text, dir, 'bad.yaml')).toThrow(/bad\.yaml:5: model\.family/);
  });

  it('rejects trainOn: negatives without a label', () => {
    const text =
      'name: x\nsource: { path: a.csv }\nfeatures: { numeric: [a] }\ntrainOn: negatives\nmodel: { family: autoencoder }\n';
    expect(() => parseTrainingSpec(text, dir, 's.yaml')).toThrow(/trainOn/);
  });
});
