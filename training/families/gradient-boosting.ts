// Gradient-boosted trees for binary classification (logistic loss, Newton leaf values, histogram
// splits over per-feature quantile edges). Split thresholds are training values as float32 and rows
// go left when x <= threshold — onnxruntime's BRANCH_LEQ — so the ONNX export takes the same paths.
import { z } from 'zod';
import type { Matrix } from '../matrix.ts';

export const GradientBoostingParamsSchema = z.object({
  trees: z.number().int().min(1).max(5000).default(100),
  maxDepth: z.number().int().min(1).max(12).default(4),
  learningRate: z.number().positive().max(1).default(0.1),
  /** Candidate split points per feature (quantiles of the training values). */
  bins: z.number().int().min(2).max(255).default(64),
  minLeafRows: z.number().int().min(1).default(20),
  /** L2 regularization of leaf values. */
  lambda: z.number().min(0).default(1),
});
export type GradientBoostingParams = z.output<typeof GradientBoostingParamsSchema>;

/** One regression tree; node i is a leaf when feature[i] < 0 and then value[i] is its output. */
export interface RegressionTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

export interface GradientBoostingModel {
  family: 'gradient-boosting';
  inputDim: number;
  /** Log-odds of the training positive rate: every score starts here. */
  base: number;
  trees: RegressionTree[];
}

/** Per feature: ascending float32 edges; bin b holds x <= edges[b] (and > edges[b-1]). */
function quantileEdges(x: Matrix, bins: number): Float32Array[] {
  const edges: Float32Array[] = [];
  const col = new Float32Array(x.rows);
  for (let f = 0; f < x.cols; f++) {
    for (let i = 0; i < x.rows; i++) col[i] = x.data[i * x.cols + f]!;
    const sorted = col.slice().sort();
    const picked: number[] = [];
    for (let b = 1; b <= bins; b++) {
      const v = sorted[Math.min(sorted.length - 1, Math.floor((b * sorted.length) / bins) - 1)]!;
      if (picked.length === 0 || v > picked[picked.length - 1]!) picked.push(v);
    }
    edges.push(Float32Array.from(picked));
  }
  return edges;
}

function binRows(x: Matrix, edges: Float32Array[]): Uint8Array {
  const out = new Uint8Array(x.rows * x.cols);
  for (let i = 0; i < x.rows; i++) {
    for (let f = 0; f < x.cols; f++) {
      const e = edges[f]!;
      const v = x.data[i * x.cols + f]!;
      let lo = 0;
      let hi = e.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (v <= e[mid]!) hi = mid;
        else lo = mid + 1;
      }
      out[i * x.cols + f] = lo;
    }
  }
  return out;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function trainGradientBoosting(
  x: Matrix,
  labels: Uint8Array,
  params: GradientBoostingParams,
  onTree?: (tree: number, loss: number) => void,
): GradientBoostingModel {
  if (x.rows === 0) throw new Error('gradient boosting needs training rows');
  const edges = quantileEdges(x, params.bins);
  const binned = binRows(x, edges);
  let pos = 0;
  for (const l of labels) pos += l;
  const rate = Math.min(1 - 1e-6, Math.max(1e-6, pos / labels.length));
  const base = Math.log(rate / (1 - rate));
  const f = new Float64Array(x.rows).fill(base);
  const g = new Float64Array(x.rows);
  const h = new Float64Array(x.rows);
  const trees: RegressionTree[] = [];
  const maxBins = Math.max(...edges.map((e) => e.length));
  const histG = new Float64Array(x.cols * maxBins);
  const histH = new Float64Array(x.cols * maxBins);
  const histN = new Uint32Array(x.cols * maxBins);

  for (let t = 0; t < params.trees; t++) {
    let loss = 0;
    for (let i = 0; i < x.rows; i++) {
      const p = sigmoid(f[i]!);
      g[i] = p - labels[i]!;
      h[i] = Math.max(p * (1 - p), 1e-12);
      loss -= labels[i] ? Math.log(Math.max(p, 1e-15)) : Math.log(Math.max(1 - p, 1e-15));
    }
    const tree: RegressionTree = { feature: [], threshold: [], left: [], right: [], value: [] };
    const rows = Uint32Array.from({ length: x.rows }, (_, i) => i);

    const grow = (idx: Uint32Array, depth: number): number => {
      const id = tree.feature.length;
      let G = 0;
      let H = 0;
      for (const r of idx) {
        G += g[r]!;
        H += h[r]!;
      }
      tree.feature.push(-1);
      tree.threshold.push(0);
      tree.left.push(-1);
      tree.right.push(-1);
      tree.value.push((-G / (H + params.lambda)) * params.learningRate);
      if (depth >= params.maxDepth || idx.length < 2 * params.minLeafRows) return id;

      histG.fill(0);
      histH.fill(0);
      histN.fill(0);
      for (const r of idx) {
        const o = r * x.cols;
        for (let c = 0; c < x.cols; c++) {
          const k = c * maxBins + binned[o + c]!;
          histG[k]! += g[r]!;
          histH[k]! += h[r]!;
          histN[k]! += 1;
        }
      }
      const parentScore = (G * G) / (H + params.lambda);
      let best = { gain: 1e-9, feature: -1, bin: -1 };
      for (let c = 0; c < x.cols; c++) {
        let gl = 0;
        let hl = 0;
        let nl = 0;
        const nb = edges[c]!.length;
        for (let b = 0; b < nb - 1; b++) {
          const k = c * maxBins + b;
          gl += histG[k]!;
          hl += histH[k]!;
          nl += histN[k]!;
          const nr = idx.length - nl;
          if (nl < params.minLeafRows) continue;
          if (nr < params.minLeafRows) break;
          const gr = G - gl;
          const hr = H - hl;
          const gain = (gl * gl) / (hl + params.lambda) + (gr * gr) / (hr + params.lambda) - parentScore;
          if (gain > best.gain) best = { gain, feature: c, bin: b };
        }
      }
      if (best.feature < 0) return id;
      const leftIdx: number[] = [];
      const rightIdx: number[] = [];
      for (const r of idx) (binned[r * x.cols + best.feature]! <= best.bin ? leftIdx : rightIdx).push(r);
      tree.feature[id] = best.feature;
      tree.threshold[id] = edges[best.feature]![best.bin]!;
      tree.value[id] = 0;
      tree.left[id] = grow(Uint32Array.from(leftIdx), depth + 1);
      tree.right[id] = grow(Uint32Array.from(rightIdx), depth + 1);
      return id;
    };
    grow(rows, 0);
    trees.push(tree);
    for (let i = 0; i < x.rows; i++) f[i]! += leafValue(tree, x.data, i * x.cols);
    onTree?.(t, loss / x.rows);
  }
  return { family: 'gradient-boosting', inputDim: x.cols, base, trees };
}

function leafValue(tree: RegressionTree, data: Float32Array, offset: number): number {
  let n = 0;
  while (tree.feature[n]! >= 0)
    n = data[offset + tree.feature[n]!]! <= tree.threshold[n]! ? tree.left[n]! : tree.right[n]!;
  return tree.value[n]!;
}

/** P(malicious) per row. */
export function scoreGradientBoosting(model: GradientBoostingModel, x: Matrix): Float64Array {
  if (x.cols !== model.inputDim) throw new Error(`expected ${model.inputDim} features, got ${x.cols}`);
  const out = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    let z = model.base;
    for (const tree of model.trees) z += leafValue(tree, x.data, i * x.cols);
    out[i] = sigmoid(z);
  }
  return out;
}
