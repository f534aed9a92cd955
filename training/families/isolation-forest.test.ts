import { describe, expect, it } from 'vitest';
import { matrix } from '../matrix.ts';
import { exportIsolationForest } from '../onnx/export-trees.ts';
import { onnxParity } from '../onnx/parity.ts';
import { createRng } from '../random.ts';
import { averagePathLength, scoreIsolationForest, trainIsolationForest } from './isolation-forest.ts';

function blob(rows: number, cols: number, seed: number, shift = 0) {
  const rng = createRng(seed);
  const data = new Float32Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = shift + (rng.next() + rng.next() + rng.next() - 1.5);
  return matrix(rows, cols, data);
}

describe('isolation forest', () => {
  it('c(n) follows the paper: c(2)=1 and 2H(n-1) - 2(n-1)/n', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    expect(averagePathLength(256)).toBeCloseTo(2 * (Math.log(255) + 0.5772156649) - (2 * 255) / 256, 9);
  });

  it('scores far points higher than the bulk of the training data', () => {
    const x = blob(2000, 4, 1);
    const model = trainIsolationForest(x, { trees: 100, sampleSize: 256 }, 7);
    const inliers = scoreIsolationForest(model, blob(200, 4, 2));
    const outliers = scoreIsolationForest(model, blob(200, 4, 3, 4));
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(outliers)).toBeGreaterThan(mean(inliers) + 0.15);
    expect(Math.min(...outliers)).toBeGreaterThan(0.5);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const x = blob(500, 3, 1);
    const a = trainIsolationForest(x, { trees: 20, sampleSize: 64 }, 11);
    const b = trainIsolationForest(x, { trees: 20, sampleSize: 64 }, 11);
    const c = trainIsolationForest(x, { trees: 20, sampleSize: 64 }, 12);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
    expect(Buffer.from(exportIsolationForest(a)).equals(Buffer.from(exportIsolationForest(b)))).toBe(true);
  });

  it('exports to ONNX (TreeEnsembleRegressor) with scores matching the TS model within 1e-4', async () => {
    const x = blob(3000, 5, 4);
    const model = trainIsolationForest(x, { trees: 50, sampleSize: 128 }, 5);
    const test = blob(1000, 5, 6, 0.5);
    const parity = await onnxParity(exportIsolationForest(model), test, scoreIsolationForest(model, test));
    expect(parity.rows).toBe(1000);
    expect(parity.maxAbsDiff).toBeLessThanOrEqual(1e-4);
  });

  it('handles constant columns and a single training row', () => {
    const x = matrix(3, 2, Float32Array.from([1, 5, 1, 5, 1, 5]));
    const model = trainIsolationForest(x, { trees: 5, sampleSize: 256 }, 1);
    expect(model.trees.every((t) => t.feature.length === 1)).toBe(true);
    const one = trainIsolationForest(matrix(1, 2, Float32Array.from([1, 2])), { trees: 3, sampleSize: 8 }, 1);
    expect(Array.from(scoreIsolationForest(one, x)).every(Number.isFinite)).toBe(true);
  });
});
