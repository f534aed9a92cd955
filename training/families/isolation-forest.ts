// Isolation forest (Liu, Ting & Zhou 2008), written out because no maintained JS implementation
// exists. Trees are stored flat (parallel arrays) so the ONNX exporter maps them one to one onto
// TreeEnsembleRegressor nodes. Split thresholds are float32 and rows go left when x <= threshold,
// exactly what onnxruntime's BRANCH_LEQ does on float32 input, so both take the same paths.
import { z } from 'zod';
import type { Matrix } from '../matrix.ts';
import { createRng } from '../random.ts';

export const IsolationForestParamsSchema = z.object({
  trees: z.number().int().min(1).max(2000).default(100),
  sampleSize: z.number().int().min(2).default(256),
  /** Default ceil(log2(sampleSize)), the average depth of an unsuccessful BST search. */
  maxDepth: z.number().int().min(1).optional(),
});
export type IsolationForestParams = z.output<typeof IsolationForestParamsSchema>;

/** One tree; node i is a leaf when feature[i] < 0. */
export interface IsolationTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  /** For leaves: depth + c(leaf size), the path length estimate. */
  pathLength: number[];
}

export interface IsolationForestModel {
  family: 'isolation-forest';
  inputDim: number;
  sampleSize: number;
  trees: IsolationTree[];
}

const EULER = 0.5772156649015329;

/** Average path length of an unsuccessful search in a BST of n nodes: the normaliser c(n). */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER) - (2 * (n - 1)) / n;
}

export function trainIsolationForest(
  x: Matrix,
  params: IsolationForestParams,
  seed: number,
): IsolationForestModel {
  if (x.rows === 0) throw new Error('isolation forest needs at least one training row');
  const rng = createRng(seed);
  const psi = Math.min(params.sampleSize, x.rows);
  const maxDepth = params.maxDepth ?? Math.ceil(Math.log2(Math.max(2, psi)));
  const trees: IsolationTree[] = [];
  const pool = Uint32Array.from({ length: x.rows }, (_, i) => i);
  for (let t = 0; t < params.trees; t++) {
    // sample psi rows without replacement: a partial Fisher–Yates over a pool that stays a permutation
    for (let i = 0; i < psi; i++) {
      const j = i + rng.int(x.rows - i);
      const tmp = pool[i]!;
      pool[i] = pool[j]!;
      pool[j] = tmp;
    }
    const tree: IsolationTree = { feature: [], threshold: [], left: [], right: [], pathLength: [] };
    grow(tree, x, Array.from(pool.subarray(0, psi)), 0, maxDepth, rng);
    trees.push(tree);
  }
  return { family: 'isolation-forest', inputDim: x.cols, sampleSize: psi, trees };
}

function grow(
  tree: IsolationTree,
  x: Matrix,
  rows: number[],
  depth: number,
  maxDepth: number,
  rng: ReturnType<typeof createRng>,
): number {
  const id = tree.feature.length;
  tree.feature.push(-1);
  tree.threshold.push(0);
  tree.left.push(-1);
  tree.right.push(-1);
  tree.pathLength.push(depth + averagePathLength(rows.length));
  if (depth >= maxDepth || rows.length <= 1) return id;
  // choose among features that still vary in this node; a node where none vary is a leaf
  const varying: { f: number; lo: number; hi: number }[] = [];
  for (let f = 0; f < x.cols; f++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const r of rows) {
      const v = x.data[r * x.cols + f]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (hi > lo) varying.push({ f, lo, hi });
  }
  if (varying.length === 0) return id;
  const pick = varying[rng.int(varying.length)]!;
  let threshold = Math.fround(pick.lo + rng.next() * (pick.hi - pick.lo));
  // float32 rounding may land on hi, which would send everything left; keep the split proper
  if (threshold >= pick.hi) threshold = Math.fround(pick.lo);
  const leftRows: number[] = [];
  const rightRows: number[] = [];
  for (const r of rows) (x.data[r * x.cols + pick.f]! <= threshold ? leftRows : rightRows).push(r);
  tree.feature[id] = pick.f;
  tree.threshold[id] = threshold;
  tree.pathLength[id] = 0;
  tree.left[id] = grow(tree, x, leftRows, depth + 1, maxDepth, rng);
  tree.right[id] = grow(tree, x, rightRows, depth + 1, maxDepth, rng);
  return id;
}

/** Mean path length over the trees for one row. */
function meanPathLength(model: IsolationForestModel, data: Float32Array, offset: number): number {
  let sum = 0;
  for (const tree of model.trees) {
    let n = 0;
    while (tree.feature[n]! >= 0) {
      n = data[offset + tree.feature[n]!]! <= tree.threshold[n]! ? tree.left[n]! : tree.right[n]!;
    }
    sum += tree.pathLength[n]!;
  }
  return sum / model.trees.length;
}

/** Anomaly scores in (0, 1]: 2^(-E[h(x)] / c(psi)); higher is more anomalous. */
export function scoreIsolationForest(model: IsolationForestModel, x: Matrix): Float64Array {
  if (x.cols !== model.inputDim) throw new Error(`expected ${model.inputDim} features, got ${x.cols}`);
  const c = isolationNormaliser(model);
  const out = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) out[i] = 2 ** (-meanPathLength(model, x.data, i * x.cols) / c);
  return out;
}

/** c(psi), the path-length normaliser (1 when a forest was grown on a single row). */
export function isolationNormaliser(model: IsolationForestModel): number {
  return averagePathLength(model.sampleSize) || 1;
}
