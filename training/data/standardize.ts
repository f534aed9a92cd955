// Standardization stored with the model: optional log1p on heavy-tailed columns, then z-scores with
// the training rows' mean and std, then an optional clip. The ONNX exporter bakes the same steps in.
import { type Matrix, matrix } from '../matrix.ts';

export interface Standardizer {
  /** Per column: apply log1p(max(x, 0)) first. */
  log1p: boolean[];
  mean: number[];
  std: number[];
  clip?: number;
}

function f32LogStep(v: number, log: boolean): number {
  return log ? Math.fround(Math.log(Math.fround(Math.max(v, 0) + 1))) : v;
}

export function fitStandardizer(x: Matrix, log1p: boolean[], clip?: number): Standardizer {
  const mean = new Array<number>(x.cols).fill(0);
  const sq = new Array<number>(x.cols).fill(0);
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++) mean[j]! += f32LogStep(x.data[i * x.cols + j]!, log1p[j]!);
  }
  for (let j = 0; j < x.cols; j++) mean[j] = Math.fround(mean[j]! / Math.max(1, x.rows));
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++)
      sq[j]! += (f32LogStep(x.data[i * x.cols + j]!, log1p[j]!) - mean[j]!) ** 2;
  }
  // a constant column gets std 1 so it standardizes to 0 instead of dividing by zero
  const std = sq.map((s) => {
    const v = Math.sqrt(s / Math.max(1, x.rows));
    return v > 1e-12 ? Math.fround(v) : 1;
  });
  return { log1p: log1p.slice(), mean, std, clip };
}

/** Applies the standardizer in float32 steps, as onnxruntime does. */
export function standardize(s: Standardizer, x: Matrix): Matrix {
  const out = new Float32Array(x.data.length);
  const c = s.clip;
  for (let i = 0; i < x.rows; i++) {
    for (let j = 0; j < x.cols; j++) {
      const k = i * x.cols + j;
      let v = Math.fround(Math.fround(f32LogStep(x.data[k]!, s.log1p[j]!) - s.mean[j]!) / s.std[j]!);
      if (c !== undefined) v = Math.min(c, Math.max(-c, v));
      out[k] = v;
    }
  }
  return matrix(x.rows, x.cols, out);
}
